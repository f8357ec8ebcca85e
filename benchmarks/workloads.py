"""Benchmark workloads: each as a workbench model and as a plain SimPy program.

The plain programs are what a programmer would write by hand for the same process:
a generator per case, a ``simpy.Resource`` per staff pool, and numpy draws, with the
waiting time of every case kept in a list. They record far less than the engine,
which builds the trace tables. Times are in minutes in both.

Two workloads:

- ``mmc``: an M/M/c queue. Poisson arrivals, one task served by ``c`` staff with
  exponential service times, open around the clock.
- ``ten_steps``: ten tasks in a row in three lanes, each with its own staff pool,
  where 20% of the output of step 7 goes back to step 4 (a %C&A of 80).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import simpy

from workbench.model import ProcessModel

__all__ = ["Workload", "WORKLOADS", "run_handwritten", "count_events", "load_average"]


@dataclass(frozen=True)
class Workload:
    """A benchmark process: arrival rate, steps and staff, in minutes."""

    name: str
    rate_per_hour: float
    #: (step name, pool, mean service minutes) in process order.
    steps: tuple[tuple[str, str, float], ...]
    staff: dict[str, int]
    rework_from: str | None = None
    rework_to: str | None = None
    pca: float = 100.0

    def model(self) -> ProcessModel:
        """Return the workload as a workbench model in minutes."""
        steps = []
        for index, (name, pool, mean) in enumerate(self.steps):
            last = index == len(self.steps) - 1
            step = {
                "name": name,
                "lane": pool,
                "pool": pool,
                "duration": {"dist": "exponential", "mean": mean},
            }
            step.update(
                {"end": "resolved"} if last else {"next": self.steps[index + 1][0]}
            )
            if name == self.rework_from:
                step.update({"pca": self.pca, "rework_to": self.rework_to})
            steps.append(step)
        data = {
            "name": self.name,
            "time_unit": "minutes",
            "lanes": [{"name": pool} for pool in self.staff],
            "pools": [{"name": p, "capacity": c} for p, c in self.staff.items()],
            "arrivals": [
                {
                    "name": "Customers",
                    "start": self.steps[0][0],
                    "rate_per_hour": self.rate_per_hour,
                }
            ],
            "steps": steps,
        }
        return ProcessModel.model_validate(data)


_TEN_STEPS = tuple(
    (f"Step {i + 1}", pool, mean)
    for i, (pool, mean) in enumerate(
        [
            ("Front desk", 4.0),
            ("Front desk", 3.0),
            ("Back office", 6.0),
            ("Back office", 5.0),
            ("Specialists", 8.0),
            ("Back office", 4.0),
            ("Specialists", 6.0),
            ("Back office", 3.0),
            ("Front desk", 2.0),
            ("Front desk", 3.0),
        ]
    )
)

WORKLOADS = {
    # Utilization 0.8: 48 arrivals an hour, 4 staff, 4-minute mean service.
    "mmc": Workload(
        name="M/M/c",
        rate_per_hour=48.0,
        steps=(("Service", "Staff", 4.0),),
        staff={"Staff": 4},
    ),
    # Utilizations 0.8, 0.68 and 0.7 in the three pools, rework included.
    "ten_steps": Workload(
        name="Ten steps with rework",
        rate_per_hour=12.0,
        steps=_TEN_STEPS,
        staff={"Front desk": 3, "Back office": 6, "Specialists": 5},
        rework_from="Step 7",
        rework_to="Step 4",
        pca=80.0,
    ),
}


def run_handwritten(workload: Workload, cases: int, seed: int) -> list[float]:
    """Simulate ``cases`` cases of ``workload`` with plain SimPy.

    Returns
    -------
    list of float
        Each finished case's total queue wait, in minutes.
    """
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    pools = {
        name: simpy.Resource(env, capacity) for name, capacity in workload.staff.items()
    }
    index_of = {name: i for i, (name, _, _) in enumerate(workload.steps)}
    waits: list[float] = []

    def case():
        wait = 0.0
        position = 0
        while position < len(workload.steps):
            name, pool, mean = workload.steps[position]
            with pools[pool].request() as request:
                queued_at = env.now
                yield request
                wait += env.now - queued_at
                yield env.timeout(rng.exponential(mean))
            rework = name == workload.rework_from and rng.random() >= workload.pca / 100
            position = index_of[workload.rework_to] if rework else position + 1
        waits.append(wait)

    def arrivals():
        mean_gap = 60.0 / workload.rate_per_hour
        for _ in range(cases):
            yield env.timeout(rng.exponential(mean_gap))
            env.process(case())

    env.process(arrivals())
    env.run()
    return waits


class count_events:
    """Count the events that every SimPy environment processes inside the block.

    It wraps ``simpy.Environment.step``, which processes one event per call.
    """

    def __enter__(self):
        self.events = 0
        self._original = simpy.Environment.step
        original = self._original

        def counting_step(env):
            self.events += 1
            return original(env)

        simpy.Environment.step = counting_step
        return self

    def __exit__(self, *exc_info):
        simpy.Environment.step = self._original
        return False


def load_average() -> str:
    """Describe the machine's load, since other processes slow every timing."""
    last_1, last_5, last_15 = os.getloadavg()
    cores = os.cpu_count()
    return f"load average {last_1:.2f}, {last_5:.2f}, {last_15:.2f} on {cores} cores"
