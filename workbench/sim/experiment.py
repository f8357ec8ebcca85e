"""Experiments: replications of one model, in parallel processes when asked.

Replication ``r`` of an experiment with root seed ``s`` always draws from the same
random streams, whichever process runs it, so parallel and sequential runs of the
same settings return equal tables.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field

import pandas as pd

from workbench.model import ProcessModel
from workbench.sim.engine import ReplicationResult, simulate_replication
from workbench.sim.streams import DEFAULT_SEED

__all__ = [
    "DEFAULT_DAYS",
    "DEFAULT_START_DATE",
    "ExperimentSettings",
    "ExperimentResult",
    "run_experiment",
]

logger = logging.getLogger(__name__)

#: Measured days of a run when neither ``days`` nor ``cases`` is given.
DEFAULT_DAYS = 28.0

#: Simulation time 0 is midnight at the start of this Monday unless set.
DEFAULT_START_DATE = dt.date(2026, 1, 5)


@dataclass(frozen=True)
class ExperimentSettings:
    """How to run an experiment.

    Attributes
    ----------
    replications : int, default 10
        Independent runs, each with its own random streams.
    seed : int, default :data:`workbench.sim.streams.DEFAULT_SEED`
        Root seed; the same seed gives the same results.
    days : float or None, default None
        Measured run length in days after the warm-up. When neither ``days`` nor
        ``cases`` is given, :data:`DEFAULT_DAYS` is used.
    cases : int or None, default None
        Run until this many cases have arrived after the warm-up and every case has
        ended. Exclusive with ``days``.
    warmup_days : float, default 0
        Days simulated before the measured period; their cases are flagged
        ``in_warmup``.
    start_date : datetime.date, default :data:`DEFAULT_START_DATE`
        The date of simulation time 0, which sets weekdays and holidays.
    jobs : int or None, default None
        Worker processes; None uses every core, 1 runs in this process.
    keep_visits : bool, default True
        False keeps no visit rows, for long runs (summary-only mode).

    Raises
    ------
    ValueError
        If a value is out of range or both ``days`` and ``cases`` are given.
    """

    replications: int = 10
    seed: int = DEFAULT_SEED
    days: float | None = None
    cases: int | None = None
    warmup_days: float = 0.0
    start_date: dt.date = DEFAULT_START_DATE
    jobs: int | None = None
    keep_visits: bool = True

    def __post_init__(self):
        if self.days is None and self.cases is None:
            object.__setattr__(self, "days", DEFAULT_DAYS)
        _check_settings(self)


def _check_settings(settings: ExperimentSettings) -> None:
    if settings.days is not None and settings.cases is not None:
        raise ValueError(
            f"give either days ({settings.days}) or cases ({settings.cases}), not both"
        )
    checks = [
        ("replications", settings.replications, settings.replications >= 1),
        ("days", settings.days, settings.days is None or settings.days > 0),
        ("cases", settings.cases, settings.cases is None or settings.cases >= 1),
        ("warmup_days", settings.warmup_days, settings.warmup_days >= 0),
        ("jobs", settings.jobs, settings.jobs is None or settings.jobs >= 1),
        ("seed", settings.seed, settings.seed >= 0),
    ]
    for name, value, valid in checks:
        if not valid:
            raise ValueError(
                f"invalid {name}: {value!r}; use a positive number "
                "(zero is allowed for warmup_days and seed)"
            )


@dataclass
class ExperimentResult:
    """The trace tables of every replication of one model, concatenated.

    Each table has a ``replication`` column. ``run_minutes`` gives each
    replication's ``(warmup_at, end_at)`` in minutes.
    """

    settings: ExperimentSettings
    seed: int
    model_name: str
    time_unit: str
    visits: pd.DataFrame
    cases: pd.DataFrame
    pools: pd.DataFrame
    queues: pd.DataFrame
    run_minutes: dict[int, tuple[float, float]] = field(default_factory=dict)


def run_experiment(
    model: ProcessModel,
    settings: ExperimentSettings | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ExperimentResult:
    """Run every replication of ``model`` and concatenate the trace tables.

    Parameters
    ----------
    model : ProcessModel
        A validated model.
    settings : ExperimentSettings, optional
        Defaults to ``ExperimentSettings()``.
    progress : callable, optional
        Called as ``progress(done, total)`` after each replication.

    Returns
    -------
    ExperimentResult

    Raises
    ------
    SimulationError
        If a replication breaks an invariant of the engine.
    """
    settings = settings or ExperimentSettings()
    jobs = _job_count(settings)
    logger.info(
        "running %d replications of model '%s' in %d processes",
        settings.replications,
        model.name,
        jobs,
    )
    if jobs == 1:
        results = _run_sequential(model, settings, progress)
    else:
        results = _run_parallel(model, settings, jobs, progress)
    return _combine(model, settings, results)


def _job_count(settings: ExperimentSettings) -> int:
    jobs = settings.jobs or _usable_cores()
    return max(1, min(jobs, settings.replications))


def _usable_cores() -> int:
    # A container or taskset may allow fewer cores than the machine has.
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _run_sequential(model, settings, progress) -> list[ReplicationResult]:
    results = []
    for replication in range(settings.replications):
        results.append(simulate_replication(model, settings, replication))
        if progress is not None:
            progress(replication + 1, settings.replications)
    return results


def _run_parallel(model, settings, jobs, progress) -> list[ReplicationResult]:
    results = []
    with ProcessPoolExecutor(max_workers=jobs) as executor:
        futures = [
            executor.submit(simulate_replication, model, settings, replication)
            for replication in range(settings.replications)
        ]
        for done, future in enumerate(as_completed(futures), start=1):
            results.append(future.result())
            if progress is not None:
                progress(done, settings.replications)
    return sorted(results, key=lambda result: result.replication)


def _combine(model, settings, results: list[ReplicationResult]) -> ExperimentResult:
    def concat(name: str) -> pd.DataFrame:
        return pd.concat([getattr(r, name) for r in results], ignore_index=True)

    return ExperimentResult(
        settings=settings,
        seed=settings.seed,
        model_name=model.name,
        time_unit=model.time_unit,
        visits=concat("visits"),
        cases=concat("cases"),
        pools=concat("pools"),
        queues=concat("queues"),
        run_minutes={r.replication: (r.warmup_at, r.end_at) for r in results},
    )
