"""Engine features checked against their expected rates and table invariants.

Counts drawn at random are compared with their expectation within four standard
errors. Each test uses a fixed seed, so it passes or fails the same way every run.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import bundled_model_paths
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.calendar import pool_capacity_segments
from workbench.loading import load_model
from workbench.model import ProcessModel
from workbench.sim.engine import simulate_replication
from workbench.sim.experiment import ExperimentSettings
from workbench.sim.trace import WAIT_CAUSES

EXPONENTIAL_5 = {"dist": "exponential", "mean": 5.0}
WEEKDAYS_8_TO_16 = {day: "08:00-16:00" for day in ("mon", "tue", "wed", "thu", "fri")}


def make_model(steps, arrivals, pools=None, **extra) -> ProcessModel:
    return ProcessModel.model_validate(
        {
            "name": "Features",
            "lanes": [{"name": "Front desk"}, {"name": "Back office"}],
            "pools": pools or [{"name": "Clerks", "capacity": 3}],
            "arrivals": arrivals,
            "steps": steps,
            **extra,
        }
    )


def walk_ins(rate_per_hour: float = 20, start: str = "Serve", **extra) -> dict:
    return {
        "name": "Walk-ins",
        "start": start,
        "rate_per_hour": rate_per_hour,
        **extra,
    }


def serve(**extra) -> dict:
    return {
        "name": "Serve",
        "lane": "Front desk",
        "pool": "Clerks",
        "duration": EXPONENTIAL_5,
        "end": "resolved",
        **extra,
    }


def run(model, seed: int = 7, **settings):
    options = settings if "cases" in settings else {"days": 7, **settings}
    experiment = ExperimentSettings(replications=1, seed=seed, jobs=1, **options)
    return simulate_replication(model, experiment, 0)


def assert_near_count(observed: float, expected: float, standard_error: float):
    assert abs(observed - expected) <= 4 * standard_error


def test_rework_visits_follow_pca():
    model = make_model([serve(pca=80)], [walk_ins()])

    result = run(model, cases=3000)
    visits_per_case = result.visits.groupby("case_id").size()

    # Visits per case are geometric with success probability 0.8.
    mean_expected = 1 / 0.8
    standard_error = math.sqrt(0.2 / 0.8**2 / len(visits_per_case))
    assert_near_count(visits_per_case.mean(), mean_expected, standard_error)
    assert (result.cases.steps == visits_per_case.to_numpy()).all()


def test_branch_shares_follow_probabilities():
    steps = [
        {
            "name": "Route",
            "kind": "decision",
            "branches": [
                {"to": "Serve", "probability": 0.3},
                {"to": "Refer", "probability": 0.7},
            ],
        },
        serve(),
        {"name": "Refer", "lane": "Back office", "end": "transferred_out"},
    ]
    model = make_model(steps, [walk_ins(start="Route")])

    result = run(model, cases=4000)
    share = (result.cases.end_state == "resolved").mean()

    assert_near_count(share, 0.3, math.sqrt(0.3 * 0.7 / 4000))


def test_arrivals_follow_hour_and_weekday_profiles():
    hour_profile = [0.0] * 8 + [2.0] * 4 + [1.0] * 4 + [0.0] * 8
    stream = walk_ins(
        rate_per_hour=10,
        hour_profile=hour_profile,
        weekday_profile={"sat": 0, "sun": 0},
    )
    model = make_model([serve()], [stream], pools=[{"name": "Clerks", "capacity": 20}])

    result = run(model, days=28)
    arrival_at = result.cases.arrival_at
    hour = (arrival_at % 1440 // 60).astype(int)
    weekday = (arrival_at // 1440 % 7).astype(int)

    assert not hour.isin(range(0, 8)).any()
    assert not hour.isin(range(16, 24)).any()
    assert not weekday.isin([5, 6]).any()
    morning_expected = 20 * 4 * 10 * 2.0
    afternoon_expected = 20 * 4 * 10 * 1.0
    morning = hour.isin(range(8, 12)).sum()
    afternoon = hour.isin(range(12, 16)).sum()
    assert_near_count(morning, morning_expected, math.sqrt(morning_expected))
    assert_near_count(afternoon, afternoon_expected, math.sqrt(afternoon_expected))


def test_weekly_profile_replaces_other_profiles():
    weekly = {day: [0.0] * 24 for day in ("mon", "tue", "wed", "thu", "fri", "sat")}
    weekly["sun"] = [0.0] * 10 + [3.0] + [0.0] * 13
    model = make_model([serve()], [walk_ins(rate_per_hour=10, weekly_profile=weekly)])

    result = run(model, days=28)
    arrival_at = result.cases.arrival_at

    assert ((arrival_at // 1440 % 7) == 6).all()
    assert ((arrival_at % 1440 // 60) == 10).all()
    assert_near_count(len(arrival_at), 4 * 30, math.sqrt(4 * 30))


def test_open_hours_only_and_holidays():
    calendar = {"hours": WEEKDAYS_8_TO_16, "holidays": ["2026-01-06"]}
    model = make_model([serve()], [walk_ins(open_hours_only=True)], calendar=calendar)

    result = run(model, days=14)
    arrival_at = result.cases.arrival_at
    minute = arrival_at % 1440
    day = arrival_at // 1440

    assert ((minute >= 480) & (minute < 960)).all()
    assert not (day % 7).isin([5, 6]).any()
    assert not (day == 1).any()  # Tuesday 2026-01-06 is a holiday
    expected = 9 * 8 * 20
    assert_near_count(len(arrival_at), expected, math.sqrt(expected))


def test_backlog_present_at_start():
    model = make_model([serve()], [walk_ins(backlog=25)])

    cases = run(model, days=1).cases

    assert (cases.arrival_at == 0.0).sum() == 25


def test_case_count_run_ends_every_case():
    model = make_model([serve()], [walk_ins()], calendar={"hours": WEEKDAYS_8_TO_16})

    result = run(model, cases=500, warmup_days=1)
    measured = result.cases[~result.cases.in_warmup]

    assert len(measured) == 500
    assert (result.cases.end_state == "resolved").all()
    assert result.end_at == result.cases.end_at.max()


def test_abandoned_cases_never_hold_staff():
    steps = [serve(patience={"dist": "exponential", "mean": 3.0})]
    pools = [{"name": "Clerks", "capacity": 1}]
    model = make_model(steps, [walk_ins(rate_per_hour=14)], pools=pools)

    result = run(model, cases=2000)
    abandoned = result.visits[result.visits.abandoned]

    assert len(abandoned) > 100
    assert (abandoned.process_time == 0).all()
    assert (abandoned.start_at == abandoned.end_at).all()
    assert result.pools.busy_time[0] == pytest.approx(result.visits.process_time.sum())
    assert (result.cases.end_state[result.cases.case_id.isin(abandoned.case_id)]
            == "abandoned").all()  # fmt: skip


def test_on_duty_time_is_schedule_plus_overtime():
    pools = [
        {
            "name": "Clerks",
            "shifts": [
                {"days": ["mon", "tue", "wed"], "hours": "07:00-12:00", "capacity": 2},
                {"days": ["mon", "tue", "wed"], "hours": "11:00-15:30", "capacity": 1},
            ],
        }
    ]
    stream = walk_ins(rate_per_hour=30, open_hours_only=True)
    calendar = {"hours": {day: "07:00-15:00" for day in ("mon", "tue", "wed")}}
    model = make_model([serve()], [stream], pools=pools, calendar=calendar)

    result = run(model, days=7)
    pool = result.pools.iloc[0]
    segments = pool_capacity_segments(model, "Clerks", result_start(), 7 * 1440)
    scheduled = sum((end - start) * staff for start, end, staff in segments)

    assert pool.on_duty_time - pool.overtime == pytest.approx(scheduled)
    assert pool.overtime > 0
    assert 0 < pool.utilization <= 1
    assert pool.max_busy <= 3


def result_start():
    return ExperimentSettings().start_date


def test_parallel_join_waits_for_last_branch():
    steps = [
        {
            "name": "Register",
            "lane": "Front desk",
            "duration": EXPONENTIAL_5,
            "parallel": {"branches": ["Inspect", "Bill"], "join": "Issue"},
        },
        {"name": "Inspect", "lane": "Back office", "pool": "Clerks",
         "duration": EXPONENTIAL_5, "next": "Issue"},
        {"name": "Bill", "lane": "Front desk", "pool": "Clerks",
         "duration": EXPONENTIAL_5, "next": "Issue"},
        {**serve(name="Issue")},
    ]  # fmt: skip
    model = make_model(steps, [walk_ins(start="Register")])

    visits = run(model, cases=300).visits.set_index(["case_id", "step"])

    branch_end = visits.end_at.unstack()[["Inspect", "Bill"]].max(axis=1)
    join_arrival = visits.arrival_at.unstack()["Issue"]
    np.testing.assert_allclose(join_arrival.to_numpy(), branch_end.to_numpy())
    assert (visits.groupby(level="case_id").size() == 4).all()


def test_meeting_releases_at_most_max_size():
    steps = [
        {
            "name": "Board",
            "lane": "Back office",
            "duration": {"dist": "fixed", "value": 10},
            "batch": {"meets": [["mon", "10:00"]], "max_size": 2},
            "end": "resolved",
        }
    ]
    stream = {"name": "Requests", "start": "Board", "mean_interarrival": 1e7,
              "backlog": 3}  # fmt: skip
    model = make_model(steps, [stream])

    visits = run(model, days=14).visits

    assert sorted(visits.start_at.tolist()) == [600.0, 600.0, 600.0 + 7 * 1440]


def test_waits_split_by_cause_add_up():
    calendar = {"hours": WEEKDAYS_8_TO_16}
    steps = [
        serve(next="Await reply", end=None),
        {"name": "Await reply", "kind": "wait", "lane": "Front desk",
         "duration": EXPONENTIAL_5, "next": "Close"},
        serve(name="Close"),
    ]  # fmt: skip
    model = make_model(steps, [walk_ins(rate_per_hour=40)], calendar=calendar)

    result = run(model, cases=800)
    cases = result.cases
    waits = cases[["queue_wait_time", "off_hours_wait_time", "external_wait_time"]]

    np.testing.assert_allclose(
        cases.lead_time, cases.process_time + waits.sum(axis=1), atol=1e-6
    )
    assert cases.off_hours_wait_time.sum() > 0


@pytest.mark.parametrize("path", bundled_model_paths(), ids=lambda p: p.parent.name)
def test_bundled_models_run(path):
    model = load_model(path)

    result = run(model, days=3)

    assert len(result.cases) > 0
    assert result.pools.utilization.between(0, 1).all()


def test_case_count_run_stops_at_time_limit(caplog):
    pools = [
        {
            "name": "Clerks",
            "shifts": [{"days": ["mon"], "hours": "08:00-09:00", "capacity": 0}],
        }
    ]
    model = make_model([serve()], [walk_ins(rate_per_hour=60)], pools=pools)

    with caplog.at_level("WARNING", logger="workbench.sim.engine"):
        result = run(model, cases=20)

    assert (result.cases.end_state == "in_progress").all()
    assert result.end_at > 20 * 20.0  # 20 times the expected 20 minutes
    assert "still in progress" in caplog.text


@st.composite
def small_models(draw) -> ProcessModel:
    service = {"dist": "exponential", "mean": draw(st.floats(1.0, 30.0))}
    serve_step = serve(
        duration=service,
        pca=draw(st.sampled_from([100.0, 90.0, 60.0])),
        next="Await reply",
        end=None,
    )
    if draw(st.booleans()):
        serve_step["patience"] = {"dist": "exponential", "mean": draw(st.floats(1, 60))}
    steps = [
        serve_step,
        {"name": "Await reply", "kind": "wait", "lane": "Back office",
         "duration": {"dist": "uniform", "low": 0, "high": 120},
         "working_hours_only": draw(st.booleans()), "next": "Close"},
        serve(name="Close", duration={"dist": "triangular", "min": 1, "mode": 2,
                                      "max": 9}),
    ]  # fmt: skip
    extra = {}
    if draw(st.booleans()):
        extra["calendar"] = {"hours": WEEKDAYS_8_TO_16}
    pools = [{"name": "Clerks", "capacity": draw(st.integers(1, 4))}]
    stream = walk_ins(
        rate_per_hour=draw(st.floats(1.0, 30.0)),
        open_hours_only=draw(st.booleans()),
        backlog=draw(st.integers(0, 20)),
    )
    return make_model(steps, [stream], pools=pools, **extra)


@settings(max_examples=20, deadline=None)
@given(model=small_models(), seed=st.integers(0, 2**32))
def test_trace_tables_consistent_for_any_model(model, seed):
    result = run(model, seed=seed, days=3)
    visits, cases, pools = result.visits, result.cases, result.pools
    waits = visits[[f"{cause}_wait_time" for cause in WAIT_CAUSES]]
    ended = cases[cases.end_state != "in_progress"]
    case_waits = ended[[f"{cause}_wait_time" for cause in WAIT_CAUSES]]

    assert (visits.start_at >= visits.arrival_at).all()
    assert (visits.end_at >= visits.start_at).all()
    assert (waits >= 0).all().all()
    np.testing.assert_allclose(
        visits.end_at - visits.arrival_at,
        waits.sum(axis=1) + visits.process_time,
        atol=1e-6,
    )
    np.testing.assert_allclose(
        ended.lead_time, case_waits.sum(axis=1) + ended.process_time, atol=1e-6
    )
    assert pools.utilization.between(0, 1).all()
    assert (pools.busy_time <= pools.on_duty_time + 1e-6).all()
