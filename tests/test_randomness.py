"""Seeds, independent streams, common random numbers and parallel runs."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pandas as pd

from workbench.distributions import Exponential
from workbench.model import ProcessModel
from workbench.sim.engine import simulate_replication
from workbench.sim.experiment import ExperimentSettings, run_experiment
from workbench.sim.streams import RandomStreams, Sampler, stable_key


def counter_model(clerks: int = 2, service_mean: float = 6.0, **step_extra):
    return ProcessModel.model_validate(
        {
            "name": "Permit counter",
            "lanes": [{"name": "Front desk"}],
            "pools": [{"name": "Clerks", "capacity": clerks}],
            "arrivals": [{"name": "Walk-ins", "start": "Serve", "rate_per_hour": 15}],
            "steps": [
                {
                    "name": "Serve",
                    "lane": "Front desk",
                    "pool": "Clerks",
                    "duration": {"dist": "exponential", "mean": service_mean},
                    "end": "resolved",
                    **step_extra,
                }
            ],
        }
    )


def run(model, seed: int = 1, replication: int = 0):
    settings = ExperimentSettings(replications=1, seed=seed, days=2, jobs=1)
    return simulate_replication(model, settings, replication)


def test_same_seed_same_tables():
    model = counter_model()

    first = run(model, seed=5)
    second = run(model, seed=5)

    pd.testing.assert_frame_equal(first.visits, second.visits)
    pd.testing.assert_frame_equal(first.cases, second.cases)
    pd.testing.assert_frame_equal(first.pools, second.pools)


def test_different_seeds_differ():
    model = counter_model()

    first = run(model, seed=5)
    second = run(model, seed=6)

    assert not first.cases.arrival_at.equals(second.cases.arrival_at)


def test_replications_differ():
    model = counter_model()

    first = run(model, replication=0)
    second = run(model, replication=1)

    assert not first.cases.arrival_at.equals(second.cases.arrival_at)


def test_scenarios_share_arrival_times():
    before = counter_model(clerks=2, service_mean=6.0)
    after = counter_model(clerks=3, service_mean=4.0, pca=80)

    before_cases = run(before, seed=9).cases
    after_cases = run(after, seed=9).cases

    assert len(before_cases) > 50
    np.testing.assert_array_equal(
        before_cases.arrival_at.to_numpy(), after_cases.arrival_at.to_numpy()
    )
    assert not before_cases.lead_time.equals(after_cases.lead_time)


def test_streams_independent_by_name():
    streams = RandomStreams(seed=1, replication=0)

    arrivals = streams.generator("arrivals/Walk-ins").random(5)
    durations = streams.generator("duration/Serve").random(5)

    assert not np.array_equal(arrivals, durations)
    assert streams.generator("arrivals/Walk-ins") is streams.generator(
        "arrivals/Walk-ins"
    )


def test_stream_draws_stable_across_processes():
    code = (
        "from workbench.sim.streams import RandomStreams, stable_key;"
        "print(stable_key('duration/Serve'));"
        "print(RandomStreams(3, 2).generator('duration/Serve').random())"
    )
    outputs = []
    for hash_seed in ("1", "2"):
        environment = {**os.environ, "PYTHONHASHSEED": hash_seed}
        completed = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env=environment,
        )
        outputs.append(completed.stdout.split())

    assert outputs[0] == outputs[1]
    assert outputs[0][0] == str(stable_key("duration/Serve"))
    assert (
        float(outputs[0][1]) == RandomStreams(3, 2).generator("duration/Serve").random()
    )


def test_sampler_buffer_matches_generator_draws():
    rng_a = np.random.Generator(np.random.PCG64(4))
    rng_b = np.random.Generator(np.random.PCG64(4))
    sampler = Sampler(Exponential(dist="exponential", mean=6.0), rng_a, 60.0)

    values = [sampler() for _ in range(1000)]

    expected = rng_b.exponential(6.0, 1024)[:1000] * 60.0
    np.testing.assert_allclose(values, expected)


def test_parallel_equals_sequential():
    model = counter_model()
    common = {"replications": 4, "seed": 21, "days": 2}

    sequential = run_experiment(model, ExperimentSettings(jobs=1, **common))
    parallel = run_experiment(model, ExperimentSettings(jobs=2, **common))

    pd.testing.assert_frame_equal(sequential.visits, parallel.visits)
    pd.testing.assert_frame_equal(sequential.cases, parallel.cases)
    pd.testing.assert_frame_equal(sequential.pools, parallel.pools)
    pd.testing.assert_frame_equal(sequential.queues, parallel.queues)
    assert sequential.run_minutes == parallel.run_minutes


def test_progress_reports_each_replication():
    calls = []

    run_experiment(
        counter_model(),
        ExperimentSettings(replications=3, days=1, jobs=1),
        progress=lambda done, total: calls.append((done, total)),
    )

    assert calls == [(1, 3), (2, 3), (3, 3)]
