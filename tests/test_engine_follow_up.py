"""Runs by days follow every measured case to its end."""

from __future__ import annotations

from workbench.model import ProcessModel
from workbench.sim.engine import simulate_replication
from workbench.sim.experiment import ExperimentSettings

DAY = 1440.0


def slow_model(minutes: float, capacity: int = 1) -> ProcessModel:
    return ProcessModel.model_validate(
        {
            "name": "Slow desk",
            "lanes": [{"name": "Desk"}],
            "pools": [{"name": "Clerks", "capacity": capacity}],
            "arrivals": [{"name": "Mail", "start": "Serve", "rate_per_hour": 2}],
            "steps": [
                {
                    "name": "Serve",
                    "lane": "Desk",
                    "pool": "Clerks",
                    "duration": {"dist": "fixed", "value": minutes},
                    "end": "resolved",
                }
            ],
        }
    )


def run(model: ProcessModel, days: float, warmup_days: float = 0.0):
    settings = ExperimentSettings(
        replications=1, jobs=1, days=days, warmup_days=warmup_days, seed=7
    )
    return simulate_replication(model, settings, 0)


def test_cases_of_measured_period_all_end():
    result = run(slow_model(3 * DAY, capacity=500), days=2)

    cases = result.cases
    assert len(cases) > 0
    assert (cases["end_state"] == "resolved").all()
    assert (cases["lead_time"] == 3 * DAY).all()
    assert cases["end_at"].max() > 2 * DAY


def test_arrivals_after_measured_period_left_out():
    result = run(slow_model(3 * DAY, capacity=500), days=2, warmup_days=1)

    assert result.end_at == 3 * DAY
    assert result.cases["arrival_at"].max() < 3 * DAY
    assert set(result.visits["case_id"]) == set(result.cases["case_id"])


def test_pool_statistics_stop_at_measured_end():
    # Fixed 20-minute service for 2 arrivals an hour on one clerk: busy about 2/3.
    result = run(slow_model(20.0), days=5)

    pool = result.pools.iloc[0]
    assert pool["on_duty_time"] == 5 * DAY
    assert 0.55 < pool["utilization"] < 0.8
