"""Calibration of a model from a log, and the check of the model against the log."""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
import pytest
from eventlog_helpers import make_log
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.errors import EventLogError
from workbench.eventlog import calibrate, check_against_log, discover, read_log
from workbench.eventlog.calibration import CASE_CLOSED, SESSION_DECISION, SESSION_WAIT
from workbench.eventlog.checking import lead_time_figure
from workbench.loading import parse_model
from workbench.sim.experiment import ExperimentSettings, run_experiment
from workbench.validation import validate


def test_routing_probabilities_from_counts():
    events, _ = read_log(make_log({"ABC": 6, "ABD": 3, "AE": 1}))

    model, _ = calibrate(events, coverage=1.0)

    branches = {b.to: b.probability for b in model.step("After B").branches}
    assert branches == {"C": pytest.approx(6 / 9), "D": pytest.approx(3 / 9)}
    after_a = {b.to: b.probability for b in model.step("After A").branches}
    assert after_a == {"B": pytest.approx(0.9), "E": pytest.approx(0.1)}
    assert model.step("C").end == "resolved"


def test_branch_probabilities_sum_to_one(receipt_xes):
    events, _ = read_log(receipt_xes)

    model, _ = calibrate(events, timezone="Europe/Amsterdam")

    decisions = [s for s in model.steps if s.kind == "decision"]
    assert decisions
    for step in decisions:
        total = math.fsum(b.probability for b in step.branches)
        assert total == pytest.approx(1.0, abs=1e-9), step.name


def test_model_yaml_round_trip_and_comments(receipt_xes):
    events, _ = read_log(receipt_xes)

    model, text = calibrate(events, timezone="Europe/Amsterdam")

    assert parse_model(text) == model
    assert validate(model) is not None
    assert text.startswith("# Calibrated from an event log of 1434 cases")
    assert "# Directly-follows counts of the kept cases" in text
    assert "completion times only" in text
    assert model.time_unit == "minutes"


def test_completion_only_log_uses_waits_and_unstaffed_tasks():
    events, _ = read_log(make_log({"ABC": 4}))

    model, _ = calibrate(events, coverage=1.0)

    for name in "ABC":
        assert model.step(name).kind == "task"
        assert model.step(name).pool is None
    # Every gap in make_log is one minute, below the session break.
    assert model.step("B").duration.samples == [1.0] * 4
    assert model.step("A").duration.value == 0.0
    assert SESSION_WAIT not in [s.name for s in model.steps]


def test_long_gaps_become_one_wait_per_case():
    text = (
        "case_id,activity,timestamp\n"
        "1,A,2024-01-01T09:00Z\n1,B,2024-01-01T09:05Z\n1,C,2024-01-01T09:10Z\n"
        "2,A,2024-01-01T09:00Z\n2,B,2024-01-02T09:00Z\n2,C,2024-01-04T09:00Z\n"
    )
    events, _ = read_log(io.StringIO(text))

    model, _ = calibrate(events, coverage=1.0, time_unit="minutes")

    branches = {b.to: b.probability for b in model.step(SESSION_DECISION).branches}
    assert branches == {SESSION_WAIT: 0.5, "A": 0.5}
    # Case 2 waited one day and then two days: 3 days in minutes.
    assert model.step(SESSION_WAIT).duration.samples == [3 * 1440.0]
    assert model.step(SESSION_WAIT).kind == "wait"
    assert model.step("B").duration.samples == [5.0]


def test_start_complete_log_uses_staff_pools(tmp_path):
    lines = ["case_id,activity,start,end,resource,org:group"]
    for case in range(4):
        day = f"2024-05-0{6 + case}"
        lines.append(f"{case},Intake,{day}T09:00Z,{day}T09:10Z,Ann,Desk")
        lines.append(f"{case},Review,{day}T09:12Z,{day}T09:42Z,R{case % 2},Office")
    path = tmp_path / "timed.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    events, _ = read_log(path)

    model, _ = calibrate(events, coverage=1.0)

    assert model.step("Review").pool == "Office staff"
    assert model.step("Review").duration.samples == [30.0] * 4
    assert model.pool("Office staff").capacity == 2
    assert model.pool("Desk staff").capacity == 1


def test_arrival_profile_follows_log():
    lines = ["case_id,activity,timestamp"]
    # Four Mondays, one case at 09:30 each: every arrival is Monday 9-10 UTC.
    for week in range(4):
        day = pd.Timestamp("2024-01-01") + pd.Timedelta(weeks=week)
        lines.append(f"{week},A,{day:%Y-%m-%d}T09:30Z")
        lines.append(f"{week},B,{day:%Y-%m-%d}T09:35Z")
    events, _ = read_log(io.StringIO("\n".join(lines) + "\n"))

    model, _ = calibrate(events, coverage=1.0)

    stream = model.arrivals[0]
    weights = np.array([stream.weekly_profile[d] for d in stream.weekly_profile])
    assert weights[0][9] > 0
    assert weights.sum() - weights[0][9] == 0
    assert model.calendar.hours == {"mon": "09:30-10:00"}


def test_one_case_log_calibrates():
    events, _ = read_log(make_log({"ABC": 1}))

    model, _ = calibrate(events)

    assert [s.name for s in model.steps] == ["A", "B", "C"]


def test_time_unit_hours_for_slow_log(running_example_csv):
    events, _ = read_log(running_example_csv)

    model, text = calibrate(events, timezone="+01:00")

    assert model.time_unit == "hours"
    assert CASE_CLOSED not in [s.name for s in model.steps]
    assert "Times are in hours" in text


def test_invalid_session_break_rejected():
    events, _ = read_log(make_log({"AB": 1}))

    with pytest.raises(EventLogError, match="session_break_minutes"):
        calibrate(events, session_break_minutes=0)


def receipt_lead_times(events: pd.DataFrame) -> pd.Series:
    """Return lead times in minutes: first to last completion (no start times)."""
    grouped = events.groupby("case_id")["end_at"]
    return (grouped.max() - grouped.min()).dt.total_seconds() / 60


@pytest.mark.slow
def test_receipt_lead_time_reproduced(receipt_xes):
    events, _ = read_log(receipt_xes)
    observed = receipt_lead_times(events)
    model, _ = calibrate(events, discover(events, 0.9), timezone="Europe/Amsterdam")

    run_settings = ExperimentSettings(
        replications=5, cases=len(observed), jobs=1, seed=7
    )
    cases = run_experiment(model, run_settings).cases
    simulated = cases["lead_time"].dropna()

    assert len(simulated) >= 0.95 * len(cases)
    assert simulated.mean() == pytest.approx(observed.mean(), rel=0.2)
    assert simulated.median() == pytest.approx(observed.median(), rel=0.2)


@pytest.mark.slow
def test_check_against_log_on_receipt(receipt_xes):
    events, _ = read_log(receipt_xes)
    model, _ = calibrate(events, timezone="Europe/Amsterdam")

    check = check_against_log(model, events, replications=2)

    assert list(check.lead_time.index) == [
        "mean",
        "median",
        "p90",
        "ks_distance",
        "wasserstein",
    ]
    assert not check.lead_time.loc[["mean", "median"], "miss"].any()
    assert check.activities.loc["Confirmation of receipt", "simulated"] == 1.0
    assert len(check.variants) == 10
    figure = lead_time_figure(check)
    assert [trace.name for trace in figure.data] == ["Event log", "Simulated"]


def test_check_flags_slowed_model():
    text = "case_id,activity,timestamp\n"
    for case in range(30):
        text += f"{case},A,2024-01-01T09:00Z\n{case},B,2024-01-01T09:0{case % 5 + 1}Z\n"
    events, _ = read_log(io.StringIO(text))
    model, _ = calibrate(events, coverage=1.0)
    step = model.step("B")
    slowed = step.duration.model_copy(
        update={"samples": [v * 10 for v in step.duration.samples]}
    )
    steps = [
        s if s.name != "B" else s.model_copy(update={"duration": slowed})
        for s in model.steps
    ]
    wrong = model.model_copy(update={"steps": steps})

    right_check = check_against_log(model, events, replications=2)
    wrong_check = check_against_log(wrong, events, replications=2)

    assert not right_check.lead_time.loc["mean", "miss"]
    assert wrong_check.lead_time.loc["mean", "miss"]
    assert any(line.startswith("lead time mean") for line in wrong_check.misses)


def test_start_activity_repeated_later_gets_twin():
    events, _ = read_log(make_log({"ABA": 3, "BA": 1}))

    model, _ = calibrate(events, coverage=1.0)

    twin = model.step("A (case start)")
    assert twin.duration.value == 0.0
    assert model.step("A").duration.samples == [1.0] * 4
    first = {b.to: b.probability for b in model.step("First activity").branches}
    # B also starts a case (BA) and follows A in the others, so it has a twin too.
    assert first == {"A (case start)": 0.75, "B (case start)": 0.25}
    assert twin.next == model.step("A").next


def test_check_maps_twin_back_to_activity():
    events, _ = read_log(make_log({"ABA": 3, "BA": 1}))
    model, _ = calibrate(events, coverage=1.0)

    check = check_against_log(model, events, replications=2)

    assert "A (case start)" not in check.activities.index
    assert check.activities.loc["A", "log"] == pytest.approx(7 / 4)


@st.composite
def random_logs(draw) -> str:
    """Draw a small CSV log: random activity sequences with gaps of 0 to 3 days."""
    lines = ["case_id,activity,timestamp,resource,org:group"]
    start = pd.Timestamp("2024-03-04T08:00Z")
    for case in range(draw(st.integers(1, 12))):
        instant = start + pd.Timedelta(minutes=draw(st.integers(0, 20_000)))
        for _ in range(draw(st.integers(1, 6))):
            activity = draw(st.sampled_from("ABCDE"))
            resource = draw(st.sampled_from(["Ann", "Bob", "Cy"]))
            lines.append(
                f"{case},{activity},{instant.isoformat()},{resource},G{activity < 'C'}"
            )
            instant += pd.Timedelta(minutes=draw(st.integers(0, 4320)))
    return "\n".join(lines) + "\n"


@settings(max_examples=25, deadline=None)
@given(text=random_logs(), coverage=st.sampled_from([0.5, 0.9, 1.0]))
def test_random_logs_calibrate_to_valid_models(text, coverage):
    events, _ = read_log(io.StringIO(text))

    model, yaml_text = calibrate(events, coverage=coverage)

    assert validate(model) is not None
    assert parse_model(yaml_text) == model
    for step in model.steps:
        if step.branches:
            total = math.fsum(b.probability for b in step.branches)
            assert total == pytest.approx(1.0, abs=1e-9)


def test_timed_log_without_resources_gets_pool():
    text = (
        "case_id,activity,start,end\n"
        "1,Review,2024-05-06T09:00Z,2024-05-06T10:00Z\n"
        "2,Review,2024-05-06T09:30Z,2024-05-06T10:30Z\n"
        "3,Review,2024-05-06T09:45Z,2024-05-06T09:50Z\n"
        "4,Review,2024-05-06T10:30Z,2024-05-06T11:00Z\n"
    )
    events, _ = read_log(io.StringIO(text))

    model, yaml_text = calibrate(events, coverage=1.0)

    # Cases 1, 2 and 3 overlap at 09:45; case 4 starts as case 2 ends.
    assert model.step("Review").pool == "Process staff"
    assert model.pool("Process staff").capacity == 3
    assert "in progress at once (3)" in yaml_text
