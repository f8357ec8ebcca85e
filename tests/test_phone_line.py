"""The phone line calibrated from real call-centre data, and its estimators."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from conftest import MODELS, REPO, shared_data_file

from workbench.calibration.call_center import (
    agents_per_weekday_hour,
    arrivals_per_weekday_hour,
    compute_targets,
    estimate_patience,
    fit_service_time,
    kaplan_meier,
    read_call_log,
    square_root_staffing,
)
from workbench.errors import EventLogError
from workbench.loading import load_model
from workbench.model import WEEKDAYS
from workbench.sim.experiment import ExperimentSettings, run_experiment

PHONE_LINE = MODELS / "phone_line"

#: Largest relative difference between simulated and observed figures.
TOLERANCE = 0.15

COLUMNS = ["date", "vru_entry", "vru_time", "q_time", "outcome"]
COLUMNS += ["ser_start", "ser_time", "server"]


def _write_log(path, rows: list[tuple]) -> None:
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame.to_csv(path, sep="\t", index=False)


def _queue_figures(result) -> dict[str, float]:
    """Compute the log's figures from simulated visits to the agents, in seconds."""
    calls = result.visits[result.visits["step"] == "Agent call"]
    queued = calls[(calls["queue_wait_time"] > 0) | calls["abandoned"]]
    served_after_queue = queued[~queued["abandoned"]]
    served = calls[calls["process_time"] > 0]
    return {
        "queued_hang_up_share": queued["abandoned"].mean(),
        "mean_queued_served_wait": served_after_queue["queue_wait_time"].mean() * 60,
        "mean_service_time": served["process_time"].mean() * 60,
    }


@pytest.fixture(scope="module")
def month_of_calls():
    return read_call_log(shared_data_file("call_center/anonymous_bank_1999-02.tsv"))


def test_targets_match_published_figures(month_of_calls):
    targets = compute_targets(month_of_calls)

    assert targets.calls == 33_344
    assert targets.queued_share == pytest.approx(0.549, abs=0.0005)
    assert targets.queued_hang_up_share == pytest.approx(0.215, abs=0.0005)
    assert targets.mean_queued_served_wait == pytest.approx(78.6, abs=0.05)
    assert targets.mean_service_time == pytest.approx(176.9, abs=0.05)


def test_arrivals_peak_on_weekday_mornings(month_of_calls):
    arrivals = arrivals_per_weekday_hour(month_of_calls)
    weekdays = arrivals.loc[["mon", "tue", "wed", "thu", "fri"]].mean()

    assert list(arrivals.index) == list(WEEKDAYS)
    assert weekdays.idxmax() == 10
    assert weekdays[10] == pytest.approx(115, abs=1)
    assert weekdays[[2, 3, 4]].max() < 1.0
    # February 1999 has exactly four of each weekday.
    assert arrivals.to_numpy().sum() * 4 == pytest.approx(len(month_of_calls))


def test_service_fit_keeps_sample_mean(month_of_calls):
    service = fit_service_time(month_of_calls)

    assert service.mean == pytest.approx(176.9, abs=0.05)
    assert service.sd > service.mean


def test_patience_estimate_recovers_known_mean():
    rng = np.random.default_rng(7)
    patience = rng.exponential(300.0, size=20_000)
    served_at = rng.exponential(150.0, size=20_000)
    waits = np.minimum(patience, served_at).round()
    hung_up = patience < served_at
    calls = pd.DataFrame(
        {"q_time": waits + 1, "outcome": np.where(hung_up, "HANG", "AGENT")}
    )

    estimate = estimate_patience(calls)

    assert estimate.hang_ups == hung_up.sum()
    assert estimate.censored == (~hung_up).sum()
    assert estimate.mean == pytest.approx(301.0, rel=0.05)


def test_patience_without_hang_ups_raises():
    calls = pd.DataFrame({"q_time": [10, 20], "outcome": ["AGENT", "AGENT"]})

    with pytest.raises(EventLogError, match="no queued caller hung up"):
        estimate_patience(calls)


def test_kaplan_meier_follows_censored_exponential():
    rng = np.random.default_rng(11)
    patience = rng.exponential(100.0, size=50_000)
    censor_at = rng.uniform(0, 300, size=50_000)
    waits = np.minimum(patience, censor_at)

    curve = kaplan_meier(waits, patience < censor_at)

    for wait in (50.0, 100.0, 200.0):
        survival = curve.loc[curve["wait"] <= wait, "survival"].iloc[-1]
        assert survival == pytest.approx(np.exp(-wait / 100.0), abs=0.01)


def test_kaplan_meier_counts_ties_once():
    curve = kaplan_meier(np.array([5, 5, 10, 20]), np.array([True, True, False, True]))

    assert list(curve["wait"]) == [5.0, 20.0]
    assert curve["survival"].iloc[0] == pytest.approx(0.5)
    assert curve["survival"].iloc[1] == pytest.approx(0.0)


def test_agents_counted_per_hour_and_day(tmp_path):
    path = tmp_path / "calls.tsv"
    # 990201 is a Monday and 990208 the Monday after. DAN's first call crosses
    # 11:00, his last one midnight, and RUTH's last one is served after midnight.
    _write_log(
        path,
        [
            ("990201", "10:50:00", 5, 0, "AGENT", "10:55:00", 600, "DAN"),
            ("990201", "10:10:00", 5, 0, "AGENT", "10:15:00", 60, "RUTH"),
            ("990201", "10:20:00", 5, 0, "AGENT", "10:25:00", 60, "RUTH"),
            ("990201", "10:30:00", 5, 0, "AGENT", "10:35:00", 5, "NO_SERVER"),
            ("990208", "23:55:00", 5, 0, "AGENT", "23:58:00", 300, "DAN"),
            ("990208", "23:59:50", 5, 0, "AGENT", "00:00:20", 30, "RUTH"),
        ],
    )

    agents = agents_per_weekday_hour(read_call_log(path))

    assert agents.loc["mon", 10] == pytest.approx(1.0)
    assert agents.loc["mon", 11] == pytest.approx(0.5)
    assert agents.loc["mon", 23] == pytest.approx(0.5)
    # The log spans one Tuesday, so both services after midnight of 990208 count
    # in full in hour 0 of Tuesday.
    assert agents.loc["tue", 0] == pytest.approx(2.0)
    assert agents.loc["mon", 0] == pytest.approx(0.0)
    assert agents.to_numpy().sum() == pytest.approx(4.0)


def test_call_log_missing_column_raises(tmp_path):
    path = tmp_path / "calls.tsv"
    pd.DataFrame({"date": ["990201"], "vru_entry": ["10:00:00"]}).to_csv(
        path, sep="\t", index=False
    )

    with pytest.raises(EventLogError, match="missing the columns"):
        read_call_log(path)


def test_square_root_staffing_keeps_total():
    load = pd.DataFrame([[0.0, 1.0, 4.0], [9.0, 0.25, 0.0]])

    agents = square_root_staffing(load, 25)

    assert agents.to_numpy().sum() == 25
    assert agents.iloc[0, 0] == 0
    assert agents.iloc[1, 2] == 0
    assert agents.iloc[1, 0] >= agents.iloc[0, 2] >= agents.iloc[0, 1]
    assert (agents.to_numpy() >= np.floor(load.to_numpy())).all()


def test_square_root_staffing_below_load_raises():
    load = pd.DataFrame([[3.0, 4.0]])

    with pytest.raises(ValueError, match="fewer than the offered load"):
        square_root_staffing(load, 5)


def test_script_regenerates_committed_models(call_center_tsv, tmp_path):
    script = REPO / "examples" / "calibrate_phone_line.py"
    command = [sys.executable, str(script), "--data", str(call_center_tsv)]

    subprocess.run([*command, "--output", str(tmp_path)], check=True, cwd=REPO)

    for scenario in ("before.yaml", "after.yaml"):
        written = (tmp_path / scenario).read_text(encoding="utf-8")
        committed = (PHONE_LINE / scenario).read_text(encoding="utf-8")
        assert written == committed, f"{scenario} differs from the script's output"


@pytest.fixture(scope="module")
def simulated_month():
    model = load_model(PHONE_LINE / "before.yaml")
    settings = ExperimentSettings(replications=6, days=28, seed=2024, jobs=2)
    return run_experiment(model, settings)


@pytest.mark.parametrize(
    "figure",
    ["queued_hang_up_share", "mean_queued_served_wait", "mean_service_time"],
)
def test_simulated_month_reproduces_log(month_of_calls, simulated_month, figure):
    observed = getattr(compute_targets(month_of_calls), figure)

    simulated = _queue_figures(simulated_month)[figure]

    assert simulated == pytest.approx(observed, rel=TOLERANCE)


def test_simulated_month_receives_logged_calls(month_of_calls, simulated_month):
    callers = simulated_month.cases
    per_replication = len(callers) / simulated_month.settings.replications
    reached_queue = (month_of_calls["outcome"] != "HANG") | (
        month_of_calls["q_time"] > 0
    )

    assert per_replication == pytest.approx(reached_queue.sum(), rel=0.02)


@pytest.mark.slow
def test_redesign_cuts_hang_ups_with_same_agent_hours():
    before = load_model(PHONE_LINE / "before.yaml")
    after = load_model(PHONE_LINE / "after.yaml")
    settings = ExperimentSettings(replications=4, days=28, seed=99, jobs=2)

    hours = [sum(s.capacity for s in m.pool("Agents").shifts) for m in (before, after)]
    before_run = run_experiment(before, settings)
    after_run = run_experiment(after, settings)

    assert hours[0] == hours[1]
    before_abandoned = (before_run.cases["end_state"] == "abandoned").sum()
    after_abandoned = (after_run.cases["end_state"] == "abandoned").sum()
    assert after_abandoned < 0.85 * before_abandoned
