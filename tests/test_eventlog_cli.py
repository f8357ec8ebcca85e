"""The ``workbench discover`` command on real and hand-made logs."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.cli import main
from workbench.validation import load_and_validate

LOGS = Path(__file__).parent / "logs"


def test_discover_writes_model_and_report(running_example_csv, tmp_path, capsys):
    output = tmp_path / "model.yaml"
    report = tmp_path / "report.html"

    code = main(
        [
            "discover",
            str(running_example_csv),
            "-o",
            str(output),
            "--report",
            str(report),
            "--coverage",
            "1",
            "--replications",
            "2",
        ]
    )

    assert code == 0
    model, _ = load_and_validate(output)
    assert {s.name for s in model.steps} >= {"register request", "decide"}
    page = report.read_text(encoding="utf-8")
    assert page.count("<svg") == 2
    assert "<script" not in page
    assert "<link" not in page
    out = capsys.readouterr().out
    assert "42 events in 6 cases" in out
    assert "6 of 6 variants kept" in out


def test_discover_column_options(tmp_path, capsys):
    log = tmp_path / "renamed.csv"
    log.write_text(
        "Dossier;Stap;Klaar\n1;Intake;06-05-2024 09:00\n1;Besluit;06-05-2024 10:00\n"
        "2;Intake;07-05-2024 09:00\n2;Besluit;07-05-2024 09:30\n",
        encoding="utf-8",
    )
    output = tmp_path / "model.yaml"

    code = main(
        [
            "discover",
            str(log),
            "-o",
            str(output),
            "--case-column",
            "Dossier",
            "--activity-column",
            "Stap",
            "--timestamp-column",
            "Klaar",
            "--date-format",
            "%d-%m-%Y %H:%M",
            "--timezone",
            "Europe/Amsterdam",
            "--session-break",
            "120",
            "--replications",
            "0",
        ]
    )

    assert code == 0
    model, _ = load_and_validate(output)
    assert [s.name for s in model.steps] == ["Intake", "Besluit"]
    assert "4 events in 2 cases" in capsys.readouterr().out


def test_discover_missing_column_exits_1(tmp_path, capsys):
    code = main(
        ["discover", str(LOGS / "missing_column.csv"), "-o", str(tmp_path / "m")]
    )

    assert code == 1
    assert "--activity-column" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()


def test_discover_naive_timestamps_exit_1(tmp_path, capsys):
    code = main(
        ["discover", str(LOGS / "naive_and_utc.csv"), "-o", str(tmp_path / "m")]
    )

    assert code == 1
    assert "--timezone" in capsys.readouterr().err


def test_discover_unusable_rows_listed(tmp_path, capsys):
    log = tmp_path / "slashes.csv"
    log.write_text(
        "case_id,activity,timestamp\n1,A,2024/05/06 09:00\n1,B,2024/05/06 10:00\n",
        encoding="utf-8",
    )

    code = main(["discover", str(log), "-o", str(tmp_path / "m.yaml")])

    captured = capsys.readouterr()
    assert code == 1
    assert "2 x 'timestamp' value ... is not an ISO 8601 timestamp" in captured.out
    assert "no usable events" in captured.err


def test_discover_bad_seed_is_usage_error(running_example_csv, tmp_path, capsys):
    argv = ["discover", str(running_example_csv), "-o", str(tmp_path / "m.yaml")]

    with pytest.raises(SystemExit) as raised:
        main([*argv, "--seed", "-2"])

    assert raised.value.code == 2
    error = capsys.readouterr().err
    assert "argument --seed: must be a whole number of at least 0" in error
    assert "Traceback" not in error


@pytest.mark.parametrize("option", ["-o", "--report"])
def test_discover_missing_folder_exits_1(running_example_csv, tmp_path, capsys, option):
    target = tmp_path / "missing" / "out.file"
    paths = {"-o": tmp_path / "m.yaml", "--report": tmp_path / "r.html"}
    paths[option] = target
    argv = ["discover", str(running_example_csv), "-o", str(paths["-o"])]

    code = main([*argv, "--report", str(paths["--report"])])

    assert code == 1
    captured = capsys.readouterr()
    assert f"cannot write {target}: the folder" in captured.err
    assert "Traceback" not in captured.err
    assert captured.out == ""
    assert not (tmp_path / "m.yaml").exists()
