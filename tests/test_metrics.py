"""Replication metrics on small hand-made trace tables with hand-computed results."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from workbench.loading import parse_model
from workbench.sim.experiment import ExperimentSettings, run_experiment
from workbench.sim.metrics import (
    MeasuredPeriod,
    metric_unit,
    metrics_from_tables,
    replication_metrics,
    summarize,
    summarize_metrics,
    unfinished_warning,
)
from workbench.sim.trace import CASE_COLUMNS, POOL_COLUMNS, QUEUE_COLUMNS

# Replication 0 measures from minute 1440 (one warm-up day) to 4320: two days.
PERIODS = {0: MeasuredPeriod(1440.0, 4320.0), 1: MeasuredPeriod(1440.0, 4320.0)}

# (case_id, arrival_at, end_at, end_state, process, va, queue, off_hours,
#  external, batching, steps, handoffs, touchpoints, staff_time, labour_cost,
#  in_warmup); lead time is end_at - arrival_at.
CASE_ROWS = [
    (1, 1000, 1500, "resolved", 40, 40, 460, 0, 0, 0, 2, 0, 1, 40, 20, True),
    (2, 2000, 2100, "resolved", 30, 20, 50, 0, 20, 0, 3, 1, 1, 30, 15, False),
    (3, 2500, 2800, "withdrawn", 60, 0, 40, 200, 0, 0, 2, 2, 0, 60, 40, False),
    (4, 3000, 3030, "abandoned", 0, 0, 30, 0, 0, 0, 1, 0, 0, 0, 0, False),
    (5, 4000, math.nan, "in_progress", 10, 0, 0, 0, 0, 0, 1, 0, 0, 10, 5, False),
]


def make_cases(rows, replication=0) -> pd.DataFrame:
    records = []
    for row in rows:
        (case_id, arrival, end, state, process, va, queue, off_hours) = row[:8]
        (external, batching, steps, handoffs, touchpoints) = row[8:13]
        (staff_time, labour_cost, in_warmup) = row[13:]
        records.append(
            {
                "replication": replication,
                "case_id": case_id,
                "stream": "Walk-in",
                "channel": "in_person",
                "priority": 0,
                "arrival_at": float(arrival),
                "end_at": float(end),
                "end_state": state,
                "lead_time": float(end) - arrival,
                "process_time": float(process),
                "va_time": float(va),
                "queue_wait_time": float(queue),
                "off_hours_wait_time": float(off_hours),
                "external_wait_time": float(external),
                "batching_wait_time": float(batching),
                "steps": steps,
                "handoffs": handoffs,
                "touchpoints": touchpoints,
                "staff_time": float(staff_time),
                "labour_cost": float(labour_cost),
                "in_warmup": in_warmup,
            }
        )
    return pd.DataFrame.from_records(records, columns=list(CASE_COLUMNS))


def make_pools() -> pd.DataFrame:
    rows = [
        (0, "Front desk", 960.0, 576.0, 0.0, 0.6, 1.2, 2),
        (1, "Front desk", 960.0, 0.0, 0.0, 0.0, 0.0, 0),
    ]
    return pd.DataFrame(rows, columns=list(POOL_COLUMNS))


def make_queues() -> pd.DataFrame:
    rows = [
        (0, "Check form", "Front desk", 1.5, 4),
        (1, "Check form", "Front desk", 0.0, 0),
    ]
    return pd.DataFrame(rows, columns=list(QUEUE_COLUMNS))


@pytest.fixture
def metrics() -> pd.DataFrame:
    return metrics_from_tables(
        make_cases(CASE_ROWS), make_pools(), make_queues(), PERIODS
    )


def test_lead_time_over_completed_cases(metrics):
    row = metrics.loc[0]

    # Completed measured cases are 2 (lead 100) and 3 (lead 300).
    assert row["lead_time_mean_minutes"] == pytest.approx(200.0)
    assert row["lead_time_median_minutes"] == pytest.approx(200.0)
    assert row["lead_time_p90_minutes"] == pytest.approx(100.0 + 0.9 * 200.0)


def test_waiting_split_by_cause(metrics):
    row = metrics.loc[0]

    assert row["queue_wait_time_mean_minutes"] == pytest.approx(45.0)
    assert row["off_hours_wait_time_mean_minutes"] == pytest.approx(100.0)
    assert row["external_wait_time_mean_minutes"] == pytest.approx(10.0)
    assert row["batching_wait_time_mean_minutes"] == pytest.approx(0.0)
    assert row["waiting_time_mean_minutes"] == pytest.approx(155.0)


def test_process_va_and_activity_ratios(metrics):
    row = metrics.loc[0]

    assert row["process_time_mean_minutes"] == pytest.approx(45.0)
    assert row["va_time_mean_minutes"] == pytest.approx(10.0)
    # VA 20 of 400 lead minutes; process 90 of 400.
    assert row["activity_ratio_va_percent"] == pytest.approx(5.0)
    assert row["activity_ratio_process_percent"] == pytest.approx(22.5)


def test_counts_per_completed_case(metrics):
    row = metrics.loc[0]

    assert row["steps_per_case"] == pytest.approx(2.5)
    assert row["handoffs_per_case"] == pytest.approx(1.5)
    assert row["touchpoints_per_case"] == pytest.approx(0.5)
    assert row["measured_cases"] == 4
    assert row["completed_cases"] == 2


def test_end_state_shares(metrics):
    row = metrics.loc[0]

    assert row["end_state_resolved_percent"] == pytest.approx(25.0)
    assert row["end_state_withdrawn_percent"] == pytest.approx(25.0)
    assert row["end_state_abandoned_percent"] == pytest.approx(25.0)
    assert row["end_state_transferred_out_percent"] == pytest.approx(0.0)
    assert row["end_state_in_progress_percent"] == pytest.approx(25.0)


def test_throughput_counts_departures_in_period(metrics):
    # Cases 1 (warm-up arrival), 2 and 3 complete inside [1440, 4320); 4 abandoned.
    assert metrics.loc[0, "throughput_per_day"] == pytest.approx(3 / 2)


def test_wip_is_time_average_over_period(metrics):
    # Minutes present in the period: 60 + 100 + 300 + 30 + 320 (case 5 to the end).
    assert metrics.loc[0, "wip_mean_cases"] == pytest.approx(810 / 2880)


def test_staff_per_finished_case(metrics):
    row = metrics.loc[0]

    # Finished measured cases 2, 3 and 4 (abandoned) used 30 + 60 + 0 staff minutes.
    assert row["staff_hours_per_case"] == pytest.approx(30.0 / 60.0)
    assert row["labour_cost_per_case"] == pytest.approx(55.0 / 3.0)


def test_pool_and_queue_columns(metrics):
    assert metrics.loc[0, "utilization_percent[Front desk]"] == pytest.approx(60.0)
    assert metrics.loc[0, "queue_mean_cases[Check form]"] == pytest.approx(1.5)
    assert metrics.loc[0, "queue_max_cases[Check form]"] == 4


def test_empty_replication_has_nan_times(metrics):
    row = metrics.loc[1]

    assert math.isnan(row["lead_time_mean_minutes"])
    assert math.isnan(row["end_state_resolved_percent"])
    assert math.isnan(row["staff_hours_per_case"])
    assert row["measured_cases"] == 0
    assert row["throughput_per_day"] == 0
    assert row["wip_mean_cases"] == 0
    assert row["utilization_percent[Front desk]"] == 0


def test_replication_rows_follow_periods():
    periods = {0: PERIODS[0], 1: PERIODS[1], 2: PERIODS[1]}

    frame = metrics_from_tables(
        make_cases(CASE_ROWS), make_pools(), make_queues(), periods
    )

    assert list(frame.index) == [0, 1, 2]


def test_units_of_every_column(metrics):
    units = {column: metric_unit(column) for column in metrics.columns}

    assert units["lead_time_mean_minutes"] == "minutes"
    assert units["utilization_percent[Front desk]"] == "percent"
    assert units["throughput_per_day"] == "cases per day"
    assert units["staff_hours_per_case"] == "staff hours per case"
    assert units["labour_cost_per_case"] == "currency per case"
    assert units["handoffs_per_case"] == "count per case"
    assert units["wip_mean_cases"] == "cases"
    assert units["queue_max_cases[Check form]"] == "cases"


def test_metric_unit_rejects_unknown_name():
    with pytest.raises(KeyError, match="no unit known"):
        metric_unit("lead_time")


def test_summary_matches_hand_interval():
    cases = pd.concat(
        [make_cases(CASE_ROWS, 0), make_cases(CASE_ROWS[:3], 1)], ignore_index=True
    )
    frame = metrics_from_tables(cases, make_pools(), make_queues(), PERIODS)

    summary = summarize_metrics(frame).set_index("metric")

    # Replication 1 completes cases 2 and 3 only, so the measured share resolved is
    # 1 of 2 (50%) against 1 of 4 (25%) in replication 0.
    shares = summary.loc["end_state_resolved_percent"]
    assert shares["mean"] == pytest.approx(37.5)
    assert shares["half_width"] == pytest.approx(12.706205 * 12.5, rel=1e-6)
    assert shares["n"] == 2
    assert shares["unit"] == "percent"
    lead = summary.loc["lead_time_mean_minutes"]
    assert lead["half_width"] == pytest.approx(0.0)
    assert lead["relative_half_width"] == pytest.approx(0.0)


def test_unfinished_warning_names_share(metrics):
    # Replication 0 has 1 of 4 measured cases in progress; replication 1 has none.
    text = unfinished_warning(metrics, scenario="before")

    assert text is not None
    assert text.startswith("before: 25.0% of measured cases were still in progress")
    assert "run more days" in text


def test_unfinished_warning_silent_below_limit(metrics):
    assert unfinished_warning(metrics, limit=30.0) is None


SINGLE_SERVER = """
name: Single clerk
lanes:
  - name: Front desk
pools:
  - name: Clerk
    capacity: 1
arrivals:
  - name: Walk-in
    start: Serve
    rate_per_hour: 5
steps:
  - name: Serve
    lane: Front desk
    pool: Clerk
    value_class: VA
    duration: {dist: exponential, mean: 8}
    end: resolved
"""


@pytest.fixture(scope="module")
def engine_result():
    settings = ExperimentSettings(replications=2, days=30, warmup_days=2, jobs=1)
    return run_experiment(parse_model(SINGLE_SERVER), settings)


@pytest.fixture(scope="module")
def engine_metrics(engine_result) -> pd.DataFrame:
    return replication_metrics(engine_result)


def test_summarize_covers_every_metric(engine_result, engine_metrics):
    summary = summarize(engine_result)

    assert list(summary["metric"]) == list(engine_metrics.columns)
    assert list(summary.columns) == [
        "metric",
        "mean",
        "ci_low",
        "ci_high",
        "half_width",
        "relative_half_width",
        "n",
        "unit",
    ]
    assert (summary["n"] == 2).all()


def test_engine_wip_agrees_with_littles_law(engine_metrics):
    for _, row in engine_metrics.iterrows():
        # Little's law: WIP = throughput x lead time, both per minute.
        expected = row["throughput_per_day"] / 1440 * row["lead_time_mean_minutes"]

        assert row["wip_mean_cases"] == pytest.approx(expected, rel=0.03)


def test_engine_lead_time_is_wait_plus_work(engine_metrics):
    for _, row in engine_metrics.iterrows():
        parts = row["waiting_time_mean_minutes"] + row["process_time_mean_minutes"]

        assert row["lead_time_mean_minutes"] == pytest.approx(parts, rel=1e-9)
        assert row["va_time_mean_minutes"] == pytest.approx(
            row["process_time_mean_minutes"]
        )
        assert row["activity_ratio_va_percent"] == pytest.approx(
            row["activity_ratio_process_percent"]
        )


def test_engine_utilization_near_offered_load(engine_metrics):
    # 5 cases per hour of 8 minutes each keep one clerk busy 2/3 of the time.
    for _, row in engine_metrics.iterrows():
        assert row["utilization_percent[Clerk]"] == pytest.approx(200 / 3, abs=4)
        assert row["staff_hours_per_case"] == pytest.approx(8 / 60, rel=0.1)
        assert row["steps_per_case"] == 1
        assert row["handoffs_per_case"] == 0
