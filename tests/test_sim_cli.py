"""The simulate and compare commands, through main() and once as a subprocess."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pandas as pd
import pytest
from conftest import MODELS, REPO

from workbench.cli import main
from workbench.cli.sim_commands import progress_bar
from workbench.sim.trace import CASE_COLUMNS, POOL_COLUMNS, QUEUE_COLUMNS, VISIT_COLUMNS

COUNTER = """
name: {name}
time_unit: minutes
lanes:
  - name: Front desk
pools:
  - name: Clerks
    capacity: {capacity}
    cost_per_hour: 40
arrivals:
  - name: Walk-in
    start: Check form
    rate_per_hour: 5
steps:
  - name: Check form
    lane: Front desk
    pool: Clerks
    value_class: VA
    duration: {{dist: exponential, mean: {minutes}}}
    end: resolved
"""

RUN = ["--replications", "3", "--days", "1", "--jobs", "1", "--quiet"]


@pytest.fixture
def before(tmp_path):
    path = tmp_path / "before.yaml"
    path.write_text(COUNTER.format(name="Counter", capacity=1, minutes=10))
    return path


@pytest.fixture
def after(tmp_path):
    path = tmp_path / "after.yaml"
    path.write_text(COUNTER.format(name="Counter fast", capacity=1, minutes=6))
    return path


def run_json(argv, capsys) -> dict:
    code = main(argv)
    output = capsys.readouterr().out
    assert code == 0
    return json.loads(output)


def test_simulate_json_summarizes_replications(before, capsys):
    data = run_json(["simulate", str(before), *RUN, "--json"], capsys)

    assert data["model"] == "Counter"
    assert data["settings"]["replications"] == 3
    assert len(data["replications"]) == 3
    summary = {row["metric"]: row for row in data["metrics"]}
    values = [row["lead_time_mean_minutes"] for row in data["replications"]]
    lead = summary["lead_time_mean_minutes"]
    assert lead["mean"] == pytest.approx(sum(values) / 3)
    assert lead["ci_low"] <= lead["mean"] <= lead["ci_high"]
    assert lead["unit"] == "minutes"
    assert lead["n"] == 3


def test_simulate_text_table(before, capsys):
    code = main(["simulate", str(before), *RUN])

    output = capsys.readouterr().out
    assert code == 0
    assert output.startswith("Counter: 3 replications of 1 measured days")
    assert "lead_time_mean_minutes" in output
    assert "utilization_percent[Clerks]" in output
    assert "95% CI" in output


def test_simulate_same_seed_same_json(before, capsys):
    first = run_json(["simulate", str(before), *RUN, "--json", "--seed", "7"], capsys)
    second = run_json(["simulate", str(before), *RUN, "--json", "--seed", "7"], capsys)
    other = run_json(["simulate", str(before), *RUN, "--json", "--seed", "8"], capsys)

    assert first == second
    assert first["metrics"] != other["metrics"]


def test_simulate_writes_trace_csv(before, tmp_path, capsys):
    folder = tmp_path / "trace"

    code = main(["simulate", str(before), *RUN, "--trace", str(folder)])

    assert code == 0
    expected = {
        "visits": VISIT_COLUMNS,
        "cases": CASE_COLUMNS,
        "pools": POOL_COLUMNS,
        "queues": QUEUE_COLUMNS,
    }
    for table, columns in expected.items():
        frame = pd.read_csv(folder / f"{table}.csv")
        assert tuple(frame.columns) == columns
    cases = pd.read_csv(folder / "cases.csv")
    assert set(cases["replication"]) == {0, 1, 2}
    assert len(pd.read_csv(folder / "visits.csv")) > 0


def test_simulate_by_case_count(before, capsys):
    argv = ["simulate", str(before), "--replications", "2", "--cases", "20"]

    data = run_json([*argv, "--jobs", "1", "--json", "-q"], capsys)

    measured = [row["measured_cases"] for row in data["replications"]]
    assert measured == [20, 20]
    assert data["settings"]["cases"] == 20


def test_compare_json_pairs_scenarios(before, after, capsys):
    argv = ["compare", str(before), str(after), *RUN, "--json"]

    data = run_json([*argv, "--hours-per-fte", "1600"], capsys)

    assert data["scenarios"] == ["Counter", "Counter fast"]
    rows = {row["metric"]: row for row in data["differences"]}
    process = rows["process_time_mean_minutes"]
    assert process["change"] < 0
    assert process["change"] == pytest.approx(
        process["after_mean"] - process["before_mean"]
    )
    saving = data["savings"][0]
    assert saving["fte"]["mean"] == pytest.approx(saving["staff_hours"]["mean"] / 1600)
    assert "1,600 working hours per FTE per year" in saving["assumptions"]


def test_compare_cost_per_hour_option(before, after, capsys):
    argv = ["compare", str(before), str(after), *RUN, "--json"]

    data = run_json([*argv, "--cost-per-hour", "100"], capsys)

    saving = data["savings"][0]
    assert saving["labour_cost"]["mean"] == pytest.approx(
        100 * saving["staff_hours"]["mean"]
    )


def test_compare_text_table(before, after, capsys):
    code = main(["compare", str(before), str(after), *RUN])

    output = capsys.readouterr().out
    assert code == 0
    assert "before (95% CI)" in output
    assert "% change (95% CI)" in output
    assert "Yearly savings of Counter fast against Counter" in output
    assert "1,720 working hours per FTE per year" in output
    assert "Warnings:" in output


def test_compare_writes_trace_per_scenario(before, after, tmp_path, capsys):
    folder = tmp_path / "trace"

    code = main(["compare", str(before), str(after), *RUN, "--trace", str(folder)])

    assert code == 0
    assert (folder / "before" / "cases.csv").is_file()
    assert (folder / "after" / "queues.csv").is_file()


def test_invalid_model_exits_with_one(tmp_path, capsys):
    path = tmp_path / "broken.yaml"
    path.write_text("name: Broken\nlanes: []\n")

    code = main(["simulate", str(path), *RUN])

    assert code == 1
    assert "broken.yaml" in capsys.readouterr().err


@pytest.mark.parametrize(
    "options",
    [
        ["--days", "1", "--cases", "5"],
        ["--replications", "0"],
        ["--warmup", "-1"],
        ["--days", "inf"],
    ],
)
def test_bad_options_exit_with_two(before, options, capsys):
    with pytest.raises(SystemExit) as raised:
        main(["simulate", str(before), *options])

    assert raised.value.code == 2


def bundled_pair():
    for before in sorted(MODELS.glob("*/before.yaml")):
        after = before.with_name("after.yaml")
        if after.exists():
            return before, after
    pytest.skip("no bundled before/after pair in process_models")


def test_compare_subprocess_on_bundled_pair():
    before, after = bundled_pair()
    command = [sys.executable, "-m", "workbench", "compare", str(before), str(after)]
    command += ["--replications", "2", "--days", "2", "--jobs", "2", "--json"]

    completed = subprocess.run(
        command, capture_output=True, text=True, cwd=REPO, timeout=300, check=False
    )

    assert completed.returncode == 0, completed.stderr
    data = json.loads(completed.stdout)
    assert len(data["scenarios"]) == 2
    assert data["settings"]["jobs"] == 2
    metrics = {row["metric"] for row in data["differences"]}
    assert "lead_time_mean_minutes" in metrics
    assert data["savings"][0]["cases_per_year"] > 0
    assert "\r" not in completed.stderr


@pytest.mark.parametrize(
    "argv", [["--help"], ["simulate", "--help"], ["compare", "-h"]]
)
def test_help_lists_options(argv, capsys):
    with pytest.raises(SystemExit) as raised:
        main(argv)

    assert raised.value.code == 0
    output = capsys.readouterr().out
    assert "95%" in output or "--replications" in output


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("quiet", "drawn"), [(False, True), (True, False)])
def test_progress_bar_on_terminal(monkeypatch, quiet, drawn):
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)

    with progress_bar(3, quiet) as progress:
        for done in (1, 2, 3):
            progress(done, 3)

    # tqdm draws the empty bar at once; later draws are rate-limited.
    assert ("0/3" in terminal.getvalue()) == drawn


def test_progress_bar_off_without_terminal(monkeypatch):
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)

    with progress_bar(2, quiet=False) as progress:
        progress(2, 2)

    assert stream.getvalue() == ""


def _fail_if_simulated(*args, **kwargs):
    raise AssertionError("the simulation ran although the options are unusable")


@pytest.mark.parametrize(
    ("options", "rule"),
    [
        (["--seed", "-1"], "argument --seed: must be a whole number of at least 0"),
        (["--seed", "x"], "argument --seed: must be a whole number of at least 0"),
        (["--replications", "0"], "argument --replications: must be a whole number"),
        (["--days", "-5"], "argument --days: must be a finite number greater than 0"),
        (["--days", "0"], "argument --days: must be a finite number greater than 0"),
        (["--days", "nan"], "argument --days: must be a finite number greater than 0"),
        (
            ["--warmup", "-1"],
            "argument --warmup: must be a finite number of at least 0",
        ),
        (["--jobs", "0"], "argument --jobs: must be a whole number of at least 1"),
    ],
)
@pytest.mark.parametrize("command", ["simulate", "compare"])
def test_bad_option_names_rule(before, after, command, options, rule, capsys):
    models = [str(before)] if command == "simulate" else [str(before), str(after)]

    with pytest.raises(SystemExit) as raised:
        main([command, *models, *options])

    assert raised.value.code == 2
    error = capsys.readouterr().err
    assert rule in error
    assert "Traceback" not in error


def test_seed_zero_is_accepted(before, capsys):
    data = run_json(["simulate", str(before), *RUN, "--seed", "0", "--json"], capsys)

    assert data["settings"]["seed"] == 0


@pytest.mark.parametrize("models", [1, 0])
def test_compare_needs_two_models(before, models, capsys):
    with pytest.raises(SystemExit) as raised:
        main(["compare", *[str(before)] * models, *RUN])

    assert raised.value.code == 2
    error = capsys.readouterr().err
    assert "compare needs at least two models" in error
    assert "arguments are required" not in error


def test_compare_options_between_models(before, after, capsys):
    argv = ["compare", str(before), "--seed", "4", str(after), *RUN, "--json"]

    data = run_json(argv, capsys)

    assert len(data["scenarios"]) == 2


@pytest.mark.parametrize("command", ["simulate", "compare"])
def test_trace_into_file_rejected_first(before, after, tmp_path, command, monkeypatch):
    monkeypatch.setattr("workbench.cli.sim_commands.run_experiment", _fail_if_simulated)
    monkeypatch.setattr(
        "workbench.cli.sim_commands.compare_scenarios", _fail_if_simulated
    )
    existing = tmp_path / "trace.csv"
    existing.write_text("a,b\n")
    models = [str(before)] if command == "simulate" else [str(before), str(after)]

    for trace in (existing, existing / "inside"):
        code = main([command, *models, *RUN, "--trace", str(trace)])

        assert code == 1
        assert existing.read_text() == "a,b\n"


def test_trace_into_file_message(before, tmp_path, capsys):
    existing = tmp_path / "trace.csv"
    existing.write_text("a,b\n")

    main(["simulate", str(before), *RUN, "--trace", str(existing)])

    error = capsys.readouterr().err
    assert f"cannot write the trace tables to {existing}" in error
    assert "is a file, not a folder" in error
    assert "Traceback" not in error


def test_trace_creates_missing_folders(before, tmp_path, capsys):
    folder = tmp_path / "runs" / "first"

    code = main(["simulate", str(before), *RUN, "--trace", str(folder)])

    assert code == 0
    assert (folder / "visits.csv").is_file()
