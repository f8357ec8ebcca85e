"""The engine against exact queueing theory.

M/M/c values come from the Erlang C formula: with offered load a = lambda / mu
and c servers, P(wait) = (a^c / c!) / (1 - rho) divided by
sum_{k<c} a^k / k! + (a^c / c!) / (1 - rho), and the mean queue wait is
P(wait) / (c mu - lambda). The M/D/1 mean wait, rho / (2 mu (1 - rho)), is half the
M/M/1 value (Pollaczek-Khinchine formula). Each check requires the exact value to
lie in the 95% confidence interval of the replication means. The seed is fixed, so
a test passes or fails the same way every run.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from workbench.model import ArrivalStream, ProcessModel
from workbench.sim.experiment import ExperimentSettings, run_experiment

SERVICE_MINUTES = 1.0


def erlang_c(servers: int, load: float) -> tuple[float, float]:
    """Return P(wait) and the mean queue wait in minutes of an M/M/c queue.

    ``load`` is the utilization rho = lambda / (c mu); the mean service time is
    :data:`SERVICE_MINUTES`.
    """
    offered = servers * load
    tail = offered**servers / math.factorial(servers) / (1.0 - load)
    head = sum(offered**k / math.factorial(k) for k in range(servers))
    p_wait = tail / (head + tail)
    service_rate = 1.0 / SERVICE_MINUTES
    mean_wait = p_wait / (servers * service_rate - offered * service_rate)
    return p_wait, mean_wait


def queue_model(servers: int, load: float, service: dict) -> ProcessModel:
    rate_per_hour = 60.0 * servers * load / SERVICE_MINUTES
    return ProcessModel.model_validate(
        {
            "name": f"M/x/{servers} at {load}",
            "lanes": [{"name": "Phone line"}],
            "pools": [{"name": "Agents", "capacity": servers}],
            "arrivals": [
                {"name": "Calls", "start": "Answer", "rate_per_hour": rate_per_hour}
            ],
            "steps": [
                {
                    "name": "Answer",
                    "lane": "Phone line",
                    "pool": "Agents",
                    "duration": service,
                    "end": "resolved",
                }
            ],
        }
    )


EXPONENTIAL = {"dist": "exponential", "mean": SERVICE_MINUTES}
FIXED = {"dist": "fixed", "value": SERVICE_MINUTES}


def replication_means(model: ProcessModel, cases: int = 10_000):
    settings = ExperimentSettings(
        replications=10, cases=cases, warmup_days=0.5, jobs=2, keep_visits=False
    )
    result = run_experiment(model, settings)
    measured = result.cases[~result.cases.in_warmup]
    by_replication = measured.groupby("replication").queue_wait_time
    mean_wait = by_replication.mean().to_numpy()
    p_wait = by_replication.apply(lambda waits: (waits > 0).mean()).to_numpy()
    return mean_wait, p_wait


def confidence_interval(values: np.ndarray) -> tuple[float, float]:
    half = (
        stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
    )
    return values.mean() - half, values.mean() + half


@pytest.mark.parametrize(
    ("servers", "load"), [(1, 0.5), (1, 0.85), (3, 0.7), (3, 0.85), (5, 0.8)]
)
def test_mmc_matches_erlang_c(servers, load):
    exact_p_wait, exact_wait = erlang_c(servers, load)

    mean_wait, p_wait = replication_means(queue_model(servers, load, EXPONENTIAL))
    wait_low, wait_high = confidence_interval(mean_wait)
    p_low, p_high = confidence_interval(p_wait)

    assert wait_low <= exact_wait <= wait_high
    assert p_low <= exact_p_wait <= p_high


def test_md1_waits_half_of_mm1():
    load = 0.8
    _, mm1_wait = erlang_c(1, load)

    md1_wait, _ = replication_means(queue_model(1, load, FIXED))
    low, high = confidence_interval(md1_wait)

    assert low <= mm1_wait / 2 <= high


def test_littles_law_for_queue():
    model = queue_model(2, 0.8, EXPONENTIAL)
    settings = ExperimentSettings(
        replications=3, days=10, warmup_days=0.5, jobs=1, keep_visits=False
    )

    result = run_experiment(model, settings)

    for replication, (warmup_at, end_at) in result.run_minutes.items():
        cases = result.cases[result.cases.replication == replication]
        measured = cases[~cases.in_warmup]
        arrival_rate = len(measured) / (end_at - warmup_at)
        mean_wait = measured[measured.end_state == "resolved"].queue_wait_time.mean()
        mean_queue = result.queues[result.queues.replication == replication].mean_queue
        assert mean_queue.iloc[0] == pytest.approx(arrival_rate * mean_wait, rel=0.03)


def test_unlimited_staff_never_wait():
    service = {"dist": "exponential", "mean": 10.0}
    model = queue_model(1000, 0.005, service)  # offered load: 50 busy staff
    settings = ExperimentSettings(replications=2, days=2, jobs=1, keep_visits=False)

    result = run_experiment(model, settings)

    assert (result.cases.queue_wait_time == 0).all()
    assert (result.pools.max_busy < 1000).all()
    assert result.pools.mean_busy.mean() == pytest.approx(50.0, rel=0.05)


def test_priority_classes_match_cobham():
    # Non-preemptive priority M/M/1 (Cobham's formula): with W0 = sum of
    # lambda_i E[S_i^2] / 2 = rho E[S] for exponential service, class k waits
    # W0 / ((1 - sigma_{k-1}) (1 - sigma_k)), where sigma_k sums the loads of
    # classes 1 to k.
    rate_per_hour = 0.4 * 60 / SERVICE_MINUTES
    streams = [
        ArrivalStream(
            name=name, start="Answer", rate_per_hour=rate_per_hour, priority=priority
        )
        for name, priority in (("Urgent", 0), ("Routine", 1))
    ]
    model = queue_model(1, 0.8, EXPONENTIAL).model_copy(update={"arrivals": streams})
    residual = 0.8 * SERVICE_MINUTES
    exact = {"Urgent": residual / (1 - 0.4), "Routine": residual / (0.6 * 0.2)}
    settings = ExperimentSettings(
        replications=10, cases=10_000, warmup_days=0.5, jobs=2, keep_visits=False
    )

    result = run_experiment(model, settings)
    measured = result.cases[~result.cases.in_warmup]

    for stream, exact_wait in exact.items():
        waits = measured[measured.stream == stream].groupby("replication")
        low, high = confidence_interval(waits.queue_wait_time.mean().to_numpy())
        assert low <= exact_wait <= high, stream
