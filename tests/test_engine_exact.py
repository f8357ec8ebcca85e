"""Tiny models with fixed times whose event sequence is known exactly.

Cases come from ``backlog``: all are present at minute 0, created in stream order.
The arrival streams have a mean inter-arrival time of about 19 years, so the only
cases are the backlog ones, and the tests check the case count to be sure.
"""

from __future__ import annotations

import numpy as np
import pytest

from workbench.errors import SimulationError
from workbench.model import ProcessModel
from workbench.sim.engine import _check_pool, simulate_replication
from workbench.sim.experiment import ExperimentSettings
from workbench.sim.staffing import StaffPool
from workbench.sim.streams import RandomStreams

NEVER = 1e7  # mean inter-arrival time in minutes


def fixed(value: float) -> dict:
    return {"dist": "fixed", "value": value}


def stream(name: str = "Walk-ins", start: str = "Serve", backlog: int = 1, **extra):
    return {
        "name": name,
        "start": start,
        "mean_interarrival": NEVER,
        "backlog": backlog,
        **extra,
    }


def task(name: str, minutes: float, pool: str | None = "Clerks", **routing) -> dict:
    step = {"name": name, "lane": "Front desk", "duration": fixed(minutes)}
    if pool is not None:
        step["pool"] = pool
    step.update(routing or {"end": "resolved"})
    return step


def make_model(steps, arrivals, pools=None, **extra) -> ProcessModel:
    data = {
        "name": "Tiny",
        "lanes": [{"name": "Front desk"}, {"name": "Back office"}],
        "pools": pools if pools is not None else [{"name": "Clerks", "capacity": 1}],
        "arrivals": arrivals,
        "steps": steps,
        **extra,
    }
    return ProcessModel.model_validate(data)


def run(model: ProcessModel, days: float = 3.0, **settings):
    settings = ExperimentSettings(replications=1, jobs=1, days=days, **settings)
    return simulate_replication(model, settings, 0)


def visit_times(result, case_id: int) -> list[tuple]:
    visits = result.visits[result.visits.case_id == case_id]
    return list(
        zip(
            visits.step,
            visits.arrival_at,
            visits.start_at,
            visits.end_at,
            strict=True,
        )
    )


def test_single_clerk_serves_backlog_in_order():
    model = make_model([task("Serve", 10)], [stream(backlog=3)])

    result = run(model)

    assert len(result.cases) == 3
    assert visit_times(result, 0) == [("Serve", 0.0, 0.0, 10.0)]
    assert visit_times(result, 1) == [("Serve", 0.0, 10.0, 20.0)]
    assert visit_times(result, 2) == [("Serve", 0.0, 20.0, 30.0)]
    assert result.cases.queue_wait_time.tolist() == [0.0, 10.0, 20.0]
    assert result.cases.lead_time.tolist() == [10.0, 20.0, 30.0]
    assert set(result.cases.end_state) == {"resolved"}


def test_pool_statistics_of_backlog():
    model = make_model([task("Serve", 10)], [stream(backlog=3)])

    result = run(model, days=1.0)
    pool = result.pools.iloc[0]
    queue = result.queues.iloc[0]

    assert pool.busy_time == 30.0
    assert pool.on_duty_time == 1440.0
    assert pool.utilization == pytest.approx(30.0 / 1440.0)
    assert pool.max_busy == 1
    assert queue.max_queue == 2
    assert queue.mean_queue == pytest.approx((2 * 10 + 1 * 10) / 1440.0)


def test_time_unit_converts_to_minutes():
    model = make_model(
        [task("Serve", 0.5)],
        [stream(backlog=1, mean_interarrival=NEVER / 60)],
        time_unit="hours",
    )

    result = run(model)

    assert visit_times(result, 0) == [("Serve", 0.0, 0.0, 30.0)]


def test_priority_served_first():
    arrivals = [
        stream("Routine", backlog=2, priority=1),
        stream("Urgent", backlog=1, priority=0),
    ]
    model = make_model([task("Serve", 10)], arrivals)

    result = run(model)
    starts = result.visits.set_index("case_id").start_at

    assert starts[0] == 0.0  # routine case 0 found the clerk free
    assert starts[2] == 10.0  # the urgent case overtakes routine case 1
    assert starts[1] == 20.0


def test_decision_routes_and_is_not_a_step():
    steps = [
        task("Serve", 10, next="Triage"),
        {
            "name": "Triage",
            "kind": "decision",
            "lane": "Back office",
            "branches": [
                {"to": "Refer", "probability": 0.0},
                {"to": "Close", "probability": 1.0},
            ],
        },
        task("Refer", 5, end="transferred_out"),
        task("Close", 5),
    ]
    model = make_model(steps, [stream()])

    result = run(model)
    case = result.cases.iloc[0]

    assert visit_times(result, 0) == [
        ("Serve", 0.0, 0.0, 10.0),
        ("Triage", 10.0, 10.0, 10.0),
        ("Close", 10.0, 10.0, 15.0),
    ]
    assert case.steps == 2
    assert case.handoffs == 0  # the decision's lane is ignored
    assert case.end_state == "resolved"


def test_handoffs_count_lane_changes():
    back = {"lane": "Back office"}
    steps = [
        task("Serve", 10, next="Check"),
        {**task("Check", 5, pool=None, next="Reply"), **back},
        task("Reply", 5),
    ]
    model = make_model(steps, [stream()])

    case = run(model).cases.iloc[0]

    assert case.handoffs == 2
    assert case.steps == 3
    assert case.staff_time == 15.0  # the self-service check uses no staff
    assert case.process_time == 20.0


def test_rework_follows_rework_stream():
    steps = [task("Serve", 10, next="Review"), {**task("Review", 5), "pca": 50}]
    model = make_model(steps, [stream()], pools=[{"name": "Clerks", "capacity": 2}])

    result = run(model, seed=11)
    draws = RandomStreams(11, 0).generator("rework/Review").random(50)
    reviews = int(np.argmax(draws >= 0.5)) + 1

    review_visits = result.visits[result.visits.step == "Review"]
    assert len(review_visits) == reviews
    assert review_visits.start_at.tolist() == [10.0 + 5 * i for i in range(reviews)]
    assert result.cases.iloc[0].end_at == 10.0 + 5 * reviews


def test_rework_to_earlier_step():
    steps = [
        task("Serve", 10, next="Review"),
        {**task("Review", 5), "pca": 50, "rework_to": "Serve"},
    ]
    model = make_model(steps, [stream()])

    result = run(model, seed=3)
    draws = RandomStreams(3, 0).generator("rework/Review").random(50)
    rounds = int(np.argmax(draws >= 0.5)) + 1

    assert (result.visits.step == "Serve").sum() == rounds
    assert (result.visits.step == "Review").sum() == rounds
    assert result.cases.iloc[0].end_at == 15.0 * rounds


def test_parallel_branches_join_once():
    steps = [
        task(
            "Register", 5, parallel={"branches": ["Inspect", "Bill"], "join": "Issue"}
        ),
        {**task("Inspect", 10, next="Issue"), "lane": "Back office"},
        task("Bill", 20, pool="Cashiers", next="Issue"),
        task("Issue", 5),
    ]
    pools = [{"name": "Clerks", "capacity": 1}, {"name": "Cashiers", "capacity": 1}]
    model = make_model(steps, [stream(start="Register")], pools=pools)

    result = run(model)
    case = result.cases.iloc[0]

    assert sorted(visit_times(result, 0), key=lambda row: row[1:]) == [
        ("Register", 0.0, 0.0, 5.0),
        ("Inspect", 5.0, 5.0, 15.0),
        ("Bill", 5.0, 5.0, 25.0),
        ("Issue", 25.0, 25.0, 30.0),
    ]
    assert case.end_at == 30.0
    assert case.steps == 4
    assert case.handoffs == 2  # to the back office and back to the front desk


def test_batch_by_size():
    steps = [
        task("Serve", 10, next="Approve"),
        {**task("Approve", 5, pool=None), "batch": {"size": 2}},
    ]
    model = make_model(steps, [stream(backlog=3)])

    result = run(model)
    approve = result.visits[result.visits.step == "Approve"].set_index("case_id")

    assert approve.start_at[0] == 20.0
    assert approve.start_at[1] == 20.0
    assert approve.batching_wait_time[0] == 10.0
    assert approve.batching_wait_time[1] == 0.0
    assert 2 not in approve.index  # the third case waits for a partner
    assert result.cases.end_state[2] == "in_progress"


def test_batch_by_weekly_meeting():
    steps = [{**task("Board", 30, pool=None), "batch": {"meets": [["tue", "10:00"]]}}]
    model = make_model(steps, [stream(start="Board", backlog=2)])

    result = run(model)

    tuesday_ten = 1440.0 + 600.0
    assert visit_times(result, 0) == [("Board", 0.0, tuesday_ten, tuesday_ten + 30)]
    assert visit_times(result, 1) == [("Board", 0.0, tuesday_ten, tuesday_ten + 30)]
    assert result.cases.batching_wait_time.tolist() == [tuesday_ten, tuesday_ten]


def test_shift_end_overtime_and_off_hours_wait():
    calendar = {"hours": {"mon": "08:00-09:00", "tue": "08:00-09:00"}}
    model = make_model([task("Serve", 40)], [stream(backlog=3)], calendar=calendar)

    result = run(model, days=2.0)
    cases = result.cases.set_index("case_id")
    pool = result.pools.iloc[0]

    assert visit_times(result, 0) == [("Serve", 0.0, 480.0, 520.0)]
    assert visit_times(result, 1) == [("Serve", 0.0, 520.0, 560.0)]
    assert visit_times(result, 2) == [("Serve", 0.0, 1920.0, 1960.0)]
    assert cases.off_hours_wait_time[0] == 480.0
    assert cases.queue_wait_time[0] == 0.0
    assert cases.off_hours_wait_time[1] == 480.0
    assert cases.queue_wait_time[1] == 40.0
    # Case 2 waited through 60 on-duty minutes on Monday and 1,860 closed minutes.
    assert cases.queue_wait_time[2] == 60.0
    assert cases.off_hours_wait_time[2] == 1860.0
    assert pool.overtime == 20.0 + 0.0
    assert pool.on_duty_time == 60.0 + 20.0 + 60.0
    assert pool.busy_time == 120.0


def test_shifts_ignore_calendar_hours():
    calendar = {"hours": {"mon": "08:00-16:00"}}
    pools = [
        {
            "name": "Clerks",
            "shifts": [{"days": ["mon"], "hours": "12:00-13:00", "capacity": 1}],
        }
    ]
    model = make_model([task("Serve", 10)], [stream()], pools=pools, calendar=calendar)

    result = run(model, days=1.0)

    assert visit_times(result, 0) == [("Serve", 0.0, 720.0, 730.0)]
    assert result.pools.on_duty_time[0] == 60.0


def test_holiday_closes_pool():
    calendar = {"hours": {"mon": "08:00-16:00", "tue": "08:00-16:00"},
                "holidays": ["2026-01-05"]}  # fmt: skip
    model = make_model([task("Serve", 10)], [stream()], calendar=calendar)

    result = run(model, days=2.0)

    assert visit_times(result, 0) == [("Serve", 0.0, 1920.0, 1930.0)]
    assert result.cases.off_hours_wait_time[0] == 1920.0


def test_working_hours_wait_skips_closed_time():
    calendar = {"hours": {day: "08:00-16:00" for day in ("mon", "tue")}}
    steps = [
        {
            "name": "Await documents",
            "kind": "wait",
            "lane": "Front desk",
            "wait_for": "customer",
            "duration": fixed(10),
            "working_hours_only": True,
            "next": "Serve",
        },
        task("Serve", 10),
    ]
    model = make_model(
        steps, [stream(start="Await documents")], calendar=calendar, time_unit="hours"
    )

    result = run(model, days=3.0)
    case = result.cases.iloc[0]

    # 8 open hours on Monday and 2 on Tuesday: the wait ends Tuesday 10:00.
    tuesday_ten = 1440.0 + 600.0
    assert visit_times(result, 0)[0] == ("Await documents", 0.0, 0.0, tuesday_ten)
    assert case.external_wait_time == tuesday_ten
    assert case.process_time == 600.0


def test_abandonment_leaves_queue_without_staff():
    steps = [{**task("Serve", 10), "patience": fixed(4)}]
    model = make_model(steps, [stream(backlog=3)])

    result = run(model)
    cases = result.cases.set_index("case_id")
    visits = result.visits.set_index("case_id")

    assert cases.end_state.tolist() == ["resolved", "abandoned", "abandoned"]
    assert cases.end_at[1] == 4.0
    assert cases.queue_wait_time[1] == 4.0
    assert cases.process_time[1] == 0.0
    assert bool(visits.abandoned[1])
    assert not bool(visits.abandoned[0])
    assert result.pools.busy_time[0] == 10.0


def test_served_before_patience_runs_out():
    steps = [{**task("Serve", 10), "patience": fixed(15)}]
    model = make_model(steps, [stream(backlog=2)])

    result = run(model)

    assert result.cases.end_state.tolist() == ["resolved", "resolved"]
    assert visit_times(result, 1) == [("Serve", 0.0, 10.0, 20.0)]


def test_warmup_flags_cases_and_trims_statistics():
    model = make_model([task("Serve", 10)], [stream(backlog=2)])

    result = run(model, days=1.0, warmup_days=1.0)

    assert result.cases.in_warmup.all()
    assert result.visits.in_warmup.all()
    assert result.pools.busy_time[0] == 0.0
    assert result.pools.on_duty_time[0] == 1440.0
    assert result.queues.max_queue[0] == 0


def test_labour_cost_priced_per_pool():
    pools = [{"name": "Clerks", "capacity": 1, "cost_per_hour": 30.0}]
    model = make_model([task("Serve", 20)], [stream()], pools=pools)

    case = run(model).cases.iloc[0]

    assert case.staff_time == 20.0
    assert case.labour_cost == pytest.approx(10.0)


def test_summary_mode_keeps_no_visits():
    model = make_model([task("Serve", 10)], [stream(backlog=3)])

    result = run(model, keep_visits=False)

    assert result.visits.empty
    assert len(result.cases) == 3
    assert result.cases.lead_time.tolist() == [10.0, 20.0, 30.0]


def test_pool_check_rejects_busy_above_duty():
    pool = StaffPool("Clerks", warmup=0.0)
    pool.busy_area = 100.0
    pool.duty_area = 50.0

    with pytest.raises(SimulationError, match="Clerks"):
        _check_pool(0, pool)


def test_pool_check_rejects_start_without_free_staff():
    pool = StaffPool("Clerks", warmup=0.0)
    pool.set_on_duty(0.0, 1)
    pool.try_acquire(0.0)
    pool._start_one(0.0)

    with pytest.raises(SimulationError, match="no member of staff"):
        _check_pool(0, pool)
