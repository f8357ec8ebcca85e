"""Run one replication of a process model with SimPy.

:func:`simulate_replication` builds the staff pools, step plans, arrival streams and
batches of a model, runs them, checks the run's invariants and returns the four
trace tables of :mod:`workbench.sim.trace`. Simulation time is in minutes since
midnight at the start of the experiment's start date. Durations in the model's time
unit are converted to minutes once, when the samplers are built.

In a run by days the measured period is the ``days`` after the warm-up. Arrivals
go on after it, so the load stays the same, and the run continues until every case
that arrived before its end has ended, at most :data:`_FOLLOW_UP_DAYS_MIN` days or
``days`` days more, whichever is longer. Cases arriving after the measured period
are simulated but left out of the tables, so lead times are not cut short by the end
of the run. When ``cases`` is set, the run ends once that many cases have arrived
after the warm-up and every case has ended. Cases that arrive during the warm-up are
flagged ``in_warmup``. Time-weighted pool and queue statistics cover the measured
period only.
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
import simpy

from workbench.calendar import DAY_MINUTES, mean_arrival_rate_per_minute
from workbench.errors import SimulationError
from workbench.model import ProcessModel
from workbench.sim.arrivals import arrival_instants
from workbench.sim.batching import BatchGate
from workbench.sim.cases import Case, CaseRunner, StepPlan
from workbench.sim.rows import TraceRecorder
from workbench.sim.staffing import QueueStats, StaffPool, run_shifts
from workbench.sim.streams import RandomStreams
from workbench.sim.trace import POOL_COLUMNS, QUEUE_COLUMNS

if TYPE_CHECKING:
    from workbench.sim.experiment import ExperimentSettings

__all__ = ["ReplicationResult", "simulate_replication"]

logger = logging.getLogger(__name__)

#: In a run by case count, the run stops at this multiple of the expected time to
#: receive the cases, even if some cases are still in progress.
_CASE_RUN_TIME_FACTOR = 20.0

#: In a run by days, the shortest follow-up after the measured period, in days.
_FOLLOW_UP_DAYS_MIN = 28.0

#: Tolerance of the invariant checks, in staff minutes.
_TOLERANCE = 1e-6


@dataclass
class ReplicationResult:
    """The trace tables and run length of one replication.

    ``visits`` is empty in summary-only mode (``keep_visits=False``).
    ``warmup_at`` and ``end_at`` bound the measured period, in minutes.
    """

    replication: int
    visits: pd.DataFrame
    cases: pd.DataFrame
    pools: pd.DataFrame
    queues: pd.DataFrame
    warmup_at: float
    end_at: float


def simulate_replication(
    model: ProcessModel, settings: ExperimentSettings, replication: int
) -> ReplicationResult:
    """Simulate one replication of ``model``.

    Parameters
    ----------
    model : ProcessModel
        A model that passed :func:`workbench.validation.validate`; references are
        not checked again here.
    settings : ExperimentSettings
        Run length, warm-up, start date, root seed and ``keep_visits``.
    replication : int
        The replication number, from 0; it selects the random streams.

    Returns
    -------
    ReplicationResult

    Raises
    ------
    SimulationError
        If the run breaks an invariant: cases lost, staff busy above on-duty staff
        outside overtime, or utilization outside [0, 1].
    """
    run = _Run(model, settings, replication)
    run.execute()
    result = run.result()
    _check_invariants(run, result)
    return _without_follow_up_arrivals(result)


class _Run:
    """The state of one replication while it is built and run."""

    def __init__(self, model: ProcessModel, settings, replication: int):
        self.model = model
        self.settings = settings
        self.replication = replication
        self.env = simpy.Environment()
        self.streams = RandomStreams(settings.seed, replication)
        self.warmup_at = settings.warmup_days * DAY_MINUTES
        self.arrived = 0
        self.measured_arrivals = 0
        self.arrivals_closed = False
        self._on_arrivals_closed = lambda: None
        self._case_ids = itertools.count()
        self.open_measured = 0
        if settings.cases is None:
            self.measure_end = (settings.warmup_days + settings.days) * DAY_MINUTES
            follow_up = max(settings.days, _FOLLOW_UP_DAYS_MIN) * DAY_MINUTES
            self.end_at = self.measure_end + follow_up
        else:
            self.end_at = self._case_run_time_limit()
            self.measure_end = self.end_at
        self.pools = {
            p.name: StaffPool(p.name, self.warmup_at, self.measure_end)
            for p in model.pools
        }
        self.plans = {
            step.name: self._plan(step, index) for index, step in enumerate(model.steps)
        }
        self.stream_indexes = {s.name: i for i, s in enumerate(model.arrivals)}
        self.recorder = TraceRecorder(replication, model.steps, model.arrivals)
        self.runner = CaseRunner(
            self.env,
            self.plans,
            model.calendar,
            settings.start_date,
            self.recorder,
            settings.keep_visits,
        )

    def _plan(self, step, index: int) -> StepPlan:
        scale = self.model.minutes_per_unit
        pool = self.pools.get(step.pool) if step.pool else None
        cost = self.model.pool(step.pool).cost_per_hour if pool is not None else 0.0
        plan = StepPlan(step, index, pool, cost)
        streams = self.streams
        plan.duration = streams.sampler(f"duration/{step.name}", step.duration, scale)
        if step.patience is not None and pool is not None:
            plan.patience = streams.sampler(
                f"patience/{step.name}", step.patience, scale
            )
        if plan.rework_probability > 0 and step.kind != "decision":
            plan.rework_draw = streams.uniforms(f"rework/{step.name}")
        if step.branches:
            plan.route_draw = streams.uniforms(f"route/{step.name}")
        if pool is not None:
            plan.queue = QueueStats(self.warmup_at, self.measure_end)
        if step.batch is not None:
            plan.batch = BatchGate(self.env, step.batch)
        return plan

    def execute(self) -> None:
        """Start every process and run the simulation to its end."""
        env = self.env
        start_date = self.settings.start_date
        for pool in self.pools.values():
            env.process(run_shifts(env, self.model, pool, start_date))
        for step in self.model.steps:
            gate = self.plans[step.name].batch
            if gate is not None and step.batch.meets:
                env.process(
                    gate.run_meetings(step.batch, self.model.calendar, start_date)
                )
        if self.warmup_at > 0:
            env.process(self._end_warmup())
        for stream in self.model.arrivals:
            for _ in range(stream.backlog):
                self._new_case(stream, 0.0)
            self._start_arrivals(stream)
        env.run(until=self._end_event())
        if self.settings.cases is not None and self.runner.active:
            logger.warning(
                "replication %d of model '%s' stopped at minute %.0f, the time limit "
                "of a run by case count, with %d cases still in progress",
                self.replication,
                self.model.name,
                env.now,
                len(self.runner.active),
            )
        for pool in self.pools.values():
            pool.finish(env.now)
        for plan in self.plans.values():
            if plan.queue is not None:
                plan.queue.finish(env.now)

    def _end_event(self):
        env = self.env
        if self.settings.cases is None:
            return self._follow_up_end()
        done = env.event()

        def succeed_when_done() -> None:
            if self.arrivals_closed and not self.runner.active and not done.triggered:
                done.succeed()

        self.runner.on_empty = succeed_when_done
        self._on_arrivals_closed = succeed_when_done
        return done | env.timeout(self.end_at)

    def _follow_up_end(self):
        """Return an event for the end of a run by days.

        It fires once the measured period is over and every case that arrived in
        it or before it has ended, or at the end of the follow-up.
        """
        env = self.env
        done = env.event()
        measure_end = self.measure_end

        def count_end(case) -> None:
            if case.arrival_at < measure_end:
                self.open_measured -= 1
                if self.open_measured == 0 and env.now >= measure_end:
                    if not done.triggered:
                        done.succeed()

        def close_measured_period():
            yield env.timeout(measure_end)
            if self.open_measured == 0 and not done.triggered:
                done.succeed()

        self.runner.on_finish = count_end
        env.process(close_measured_period())
        return done | env.timeout(self.end_at)

    def _case_run_time_limit(self) -> float:
        rate = sum(
            mean_arrival_rate_per_minute(self.model, s.name)
            for s in self.model.arrivals
        )
        if rate <= 0:
            raise SimulationError(
                f"model '{self.model.name}' has no arrivals in a typical week, so a "
                "run by case count never ends; give the streams a positive rate or "
                "run by days"
            )
        expected = self.settings.cases / rate
        return self.warmup_at + _CASE_RUN_TIME_FACTOR * expected + 30 * DAY_MINUTES

    def _end_warmup(self):
        yield self.env.timeout(self.warmup_at)
        for pool in self.pools.values():
            pool.mark_warmup_end(self.env.now)
        for plan in self.plans.values():
            if plan.queue is not None:
                plan.queue.mark_warmup_end(self.env.now)

    def _start_arrivals(self, stream) -> None:
        # Each arrival is a timeout whose callback creates the case and schedules
        # the next arrival. A callback costs less than resuming a generator.
        env = self.env
        exponential = self.streams.sampler(
            f"arrivals/{stream.name}", _STANDARD_EXPONENTIAL
        )
        instants = arrival_instants(
            self.model, stream.name, self.settings.start_date, exponential, self.end_at
        )

        def schedule_next() -> None:
            at = next(instants, None)
            if at is not None:
                env.timeout(at - env.now).callbacks.append(arrive)

        def arrive(_event) -> None:
            if not self.arrivals_closed:
                self._new_case(stream, env.now)
                schedule_next()

        schedule_next()

    def _new_case(self, stream, at: float) -> None:
        in_warmup = at < self.warmup_at
        case = Case(
            next(self._case_ids),
            self.stream_indexes[stream.name],
            stream.priority,
            at,
            in_warmup,
        )
        self.arrived += 1
        if at < self.measure_end:
            self.open_measured += 1
        self.runner.start(case, stream.start)
        if in_warmup or self.settings.cases is None:
            return
        self.measured_arrivals += 1
        if self.measured_arrivals >= self.settings.cases:
            self.arrivals_closed = True
            self._on_arrivals_closed()

    def result(self) -> ReplicationResult:
        """Build the trace tables of the finished run."""
        self.runner.record_in_progress()
        visits, cases = self.recorder.tables()
        return ReplicationResult(
            replication=self.replication,
            visits=visits,
            cases=cases,
            pools=self._pool_table(),
            queues=self._queue_table(),
            warmup_at=self.warmup_at,
            end_at=min(self.env.now, self.measure_end),
        )

    def _measured_minutes(self) -> float:
        return max(min(self.env.now, self.measure_end) - self.warmup_at, 0.0)

    def _pool_table(self) -> pd.DataFrame:
        length = self._measured_minutes()
        rows = []
        for pool in self.pools.values():
            duty = pool.duty_area
            utilization = pool.busy_area / duty if duty > 0 else 0.0
            mean_busy = pool.busy_area / length if length > 0 else 0.0
            rows.append(
                (self.replication, pool.name, duty, pool.busy_area, pool.overtime_area,
                 utilization, mean_busy, pool.max_busy)
            )  # fmt: skip
        return pd.DataFrame(rows, columns=list(POOL_COLUMNS))

    def _queue_table(self) -> pd.DataFrame:
        length = self._measured_minutes()
        rows = []
        for plan in self.plans.values():
            queue = plan.queue
            if queue is None:
                continue
            mean = queue.area / length if length > 0 else 0.0
            rows.append((self.replication, plan.name, plan.pool.name, mean, queue.max))
        return pd.DataFrame(rows, columns=list(QUEUE_COLUMNS))


class _StandardExponential:
    """A unit-mean exponential distribution for :meth:`RandomStreams.sampler`."""

    dist = "exponential"
    mean = 1.0


_STANDARD_EXPONENTIAL = _StandardExponential()


def _without_follow_up_arrivals(result: ReplicationResult) -> ReplicationResult:
    """Drop the cases, and their visits, that arrived after the measured period."""
    cases = result.cases
    late = cases["arrival_at"] >= result.end_at
    if not late.any():
        return result
    result.cases = cases.loc[~late].reset_index(drop=True)
    visits = result.visits
    if len(visits):
        late_ids = cases.loc[late, "case_id"]
        result.visits = visits.loc[~visits["case_id"].isin(late_ids)].reset_index(
            drop=True
        )
    return result


def _check_invariants(run: _Run, result: ReplicationResult) -> None:
    ended = run.runner.ended
    in_progress = len(run.runner.active)
    total = ended["completed"] + ended["abandoned"] + in_progress
    if run.arrived != total or len(result.cases) != run.arrived:
        raise SimulationError(
            f"replication {run.replication}: {run.arrived} cases arrived but "
            f"{ended['completed']} completed, {ended['abandoned']} abandoned and "
            f"{in_progress} are in progress ({len(result.cases)} case rows)"
        )
    for pool in run.pools.values():
        _check_pool(run.replication, pool)


def _check_pool(replication: int, pool: StaffPool) -> None:
    if pool.starts_above_duty:
        raise SimulationError(
            f"replication {replication}, pool '{pool.name}': {pool.starts_above_duty} "
            "cases started while no member of staff on duty was free"
        )
    if pool.busy_area > pool.duty_area + _TOLERANCE:
        raise SimulationError(
            f"replication {replication}, pool '{pool.name}': busy time "
            f"{pool.busy_area:.3f} staff minutes exceeds on-duty time "
            f"{pool.duty_area:.3f}, so utilization would exceed 1"
        )
    if pool.busy_area < -_TOLERANCE or pool.busy < 0:
        raise SimulationError(
            f"replication {replication}, pool '{pool.name}': negative busy staff "
            f"({pool.busy}) or busy time ({pool.busy_area:.3f})"
        )
