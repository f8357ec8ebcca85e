"""Tests of ``workbench report``: its numbers equal those of ``workbench compare``."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest
from conftest import MODELS
from openpyxl import load_workbook

from workbench.cli import main
from workbench.errors import ReportError
from workbench.report.assemble import HEADLINE, YEARLY
from workbench.report.content import Row, display_value
from workbench.report.html import display_row
from workbench.report.pdf import html_to_pdf

PAIR = MODELS / "permit_intake"
RUN = ["--replications", "3", "--days", "5", "--seed", "11", "--jobs", "1", "-q"]
SAVINGS = ["--hours-per-fte", "1600", "--cost-per-hour", "55"]


@pytest.fixture(scope="module")
def compare_json():
    stdout = io.StringIO()
    arguments = ["compare", str(PAIR / "before.yaml"), str(PAIR / "after.yaml")]
    sys_stdout, sys.stdout = sys.stdout, stdout
    try:
        code = main([*arguments, *RUN, *SAVINGS, "--json"])
    finally:
        sys.stdout = sys_stdout
    assert code == 0
    return json.loads(stdout.getvalue())


@pytest.fixture(scope="module")
def report_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    files = {}
    for suffix in ("xlsx", "html"):
        path = folder / f"report.{suffix}"
        arguments = ["report", str(PAIR / "before.yaml"), str(PAIR / "after.yaml")]
        assert main([*arguments, "-o", str(path), *RUN, *SAVINGS]) == 0
        files[suffix] = path
    return files


def _after_differences(data: dict) -> dict[str, dict]:
    after = data["scenarios"][1]
    return {
        row["metric"]: row for row in data["differences"] if row["scenario"] == after
    }


def _close(value, expected):
    if expected is None:
        return value is None
    return value == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_headline_equals_compare_json(compare_json, report_files):
    differences = _after_differences(compare_json)
    workbook = load_workbook(report_files["xlsx"])

    rows = list(workbook["Headline"].iter_rows(min_row=2, values_only=True))

    assert [row[1] for row in rows] == [key for key, _ in HEADLINE]
    for row in rows:
        expected = differences[row[1]]
        assert _close(row[3], expected["before_mean"]), row[1]
        assert _close(row[4], expected["after_mean"]), row[1]
        assert _close(row[5], expected["change"]), row[1]
        assert _close(row[6], expected["change_ci_low"]), row[1]
        assert _close(row[7], expected["change_ci_high"]), row[1]
        assert _close(row[8], expected["percent_change"]), row[1]


def test_yearly_savings_equal_compare_json(compare_json, report_files):
    (saving,) = compare_json["savings"]
    workbook = load_workbook(report_files["xlsx"])

    rows = list(workbook["Per year"].iter_rows(min_row=2, values_only=True))

    assert [row[1] for row in rows] == [key for key, *_ in YEARLY]
    for row in rows:
        expected = saving[row[1]]
        assert _close(row[3], expected["mean"]), row[1]
        assert _close(row[4], expected["ci_low"]), row[1]
        assert _close(row[5], expected["ci_high"]), row[1]
        assert _close(row[6], saving["cases_per_year"])


def test_html_shows_compare_numbers(compare_json, report_files):
    differences = _after_differences(compare_json)
    html = " ".join(report_files["html"].read_text(encoding="utf-8").split())

    for key, label in HEADLINE:
        expected = differences[key]
        row = display_row(
            Row(
                key,
                label,
                expected["unit"],
                expected["before_mean"],
                expected["after_mean"],
                expected["change"],
            )
        )
        before, after = display_value(row.before), display_value(row.after)
        assert f"<td>{before}</td> <td>{after}</td>" in html, key


def test_assumptions_name_overrides(report_files):
    workbook = load_workbook(report_files["xlsx"])

    values = [row[1] for row in workbook["Assumptions"].iter_rows(values_only=True)]

    assert "3" in values
    assert "11" in values
    assert any("1,600 working hours per FTE" in str(value) for value in values)
    assert any("55 per staff hour" in str(value) for value in values)


def test_report_rejects_unknown_suffix(tmp_path, capsys):
    output = tmp_path / "report.docx"
    arguments = ["report", str(PAIR / "before.yaml"), str(PAIR / "after.yaml")]

    code = main([*arguments, "-o", str(output), *RUN])

    assert code == 2
    assert "end the output file name in .html, .pdf or .xlsx" in capsys.readouterr().err
    assert not output.exists()


def test_report_missing_model(tmp_path, capsys):
    output = tmp_path / "report.html"

    code = main(
        [
            "report",
            str(tmp_path / "nope.yaml"),
            str(PAIR / "after.yaml"),
            "-o",
            str(output),
        ]
    )

    assert code == 1
    assert "file not found" in capsys.readouterr().err
    assert not output.exists()


def test_report_pdf_as_subprocess(tmp_path):
    output = tmp_path / "report.pdf"
    arguments = ["report", str(PAIR / "before.yaml"), str(PAIR / "after.yaml")]

    completed = subprocess.run(
        [sys.executable, "-m", "workbench", *arguments, "-o", str(output), *RUN],
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert completed.returncode == 0, completed.stderr
    assert output.read_bytes().startswith(b"%PDF-")


def test_pdf_reports_missing_chromium(tmp_path):
    missing = str(tmp_path / "no-chromium")

    with pytest.raises(ReportError, match="chromium not found at .*no-chromium"):
        html_to_pdf("<p>x</p>", chromium=missing)


def test_pdf_reports_failing_chromium():
    with pytest.raises(ReportError, match="exit code 1"):
        html_to_pdf("<p>x</p>", chromium="/bin/false")


def test_identical_models_report_no_change(tmp_path):
    model = PAIR / "before.yaml"
    output = tmp_path / "same.xlsx"

    code = main(["report", str(model), str(model), "-o", str(output), *RUN])

    assert code == 0
    workbook = load_workbook(output)
    assert workbook["Changes"].max_row == 1
    changes = [
        row[5] for row in workbook["Headline"].iter_rows(min_row=2, values_only=True)
    ]
    assert changes == [0.0] * len(HEADLINE)


def _fail_if_simulated(*args, **kwargs):
    raise AssertionError("the simulation ran although the output is unwritable")


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("missing/dir/report.html", "does not exist"),
        ("folder.html", "it is a folder"),
    ],
)
def test_report_unwritable_output_first(tmp_path, monkeypatch, capsys, name, reason):
    monkeypatch.setattr("workbench.report.assemble.collect_report", _fail_if_simulated)
    (tmp_path / "folder.html").mkdir()
    output = tmp_path / name
    arguments = ["report", str(PAIR / "before.yaml"), str(PAIR / "after.yaml")]

    code = main([*arguments, "-o", str(output), *RUN])

    assert code == 1
    error = capsys.readouterr().err
    assert f"cannot write {output}" in error
    assert reason in error
    assert "Traceback" not in error


@pytest.mark.parametrize("seed", ["-1", "1.5"])
def test_report_bad_seed_is_usage_error(tmp_path, capsys, seed):
    arguments = ["report", str(PAIR / "before.yaml"), str(PAIR / "after.yaml")]

    with pytest.raises(SystemExit) as raised:
        main([*arguments, "-o", str(tmp_path / "r.html"), "--seed", seed])

    assert raised.value.code == 2
    error = capsys.readouterr().err
    assert "argument --seed: must be a whole number of at least 0" in error
    assert "Traceback" not in error


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into any folder")
def test_report_read_only_folder_first(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("workbench.report.assemble.collect_report", _fail_if_simulated)
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    arguments = ["report", str(PAIR / "before.yaml"), str(PAIR / "after.yaml")]

    try:
        code = main([*arguments, "-o", str(folder / "r.html"), *RUN])
    finally:
        folder.chmod(0o700)

    assert code == 1
    assert "is not writable" in capsys.readouterr().err
