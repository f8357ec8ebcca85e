"""Cases moving through the steps of a process, one SimPy process per case.

:class:`StepPlan` is a step resolved once before the run into what the engine
needs (samplers, pool, routing). :class:`CaseRunner` runs a case along its path:
tasks (queueing for staff, abandoning, working), external waits, decisions, rework,
parallel branches and batches, and records one visit row per step visit and one
case row per case.
"""

from __future__ import annotations

import datetime as dt
import math

import simpy

from workbench.calendar import add_working_minutes
from workbench.errors import SimulationError
from workbench.model import Calendar, Step
from workbench.sim.batching import BatchGate
from workbench.sim.rows import END_STATE_INDEX, TraceRecorder
from workbench.sim.staffing import QueueStats, StaffPool
from workbench.sim.streams import Sampler

__all__ = ["Case", "StepPlan", "CaseRunner"]


class Case:
    """The running totals of one case, in minutes.

    NOTE: times of parallel branches add up, so for a case with parallel work the
    sum of process and waiting times can exceed its lead time.
    """

    __slots__ = (
        "case_id",
        "stream_index",
        "priority",
        "arrival_at",
        "in_warmup",
        "process_time",
        "va_time",
        "queue_wait",
        "off_hours_wait",
        "external_wait",
        "batching_wait",
        "steps",
        "handoffs",
        "touchpoints",
        "staff_time",
        "labour_cost",
    )

    def __init__(self, case_id, stream_index, priority, arrival_at, in_warmup):
        self.case_id = case_id
        self.stream_index = stream_index
        self.priority = priority
        self.arrival_at = arrival_at
        self.in_warmup = in_warmup
        self.process_time = 0.0
        self.va_time = 0.0
        self.queue_wait = 0.0
        self.off_hours_wait = 0.0
        self.external_wait = 0.0
        self.batching_wait = 0.0
        self.steps = 0
        self.handoffs = 0
        self.touchpoints = 0
        self.staff_time = 0.0
        self.labour_cost = 0.0

    def row(self, end_at: float, end_state: str) -> tuple:
        """Return the case's row, with the fields of ``CASE_ROW_FIELDS``."""
        return (
            self.case_id,
            self.stream_index,
            self.arrival_at,
            end_at,
            END_STATE_INDEX[end_state],
            end_at - self.arrival_at,
            self.process_time,
            self.va_time,
            self.queue_wait,
            self.off_hours_wait,
            self.external_wait,
            self.batching_wait,
            self.steps,
            self.handoffs,
            self.touchpoints,
            self.staff_time,
            self.labour_cost,
            self.in_warmup,
        )


class StepPlan:
    """A step resolved for the run: samplers in minutes, its pool and its routes."""

    def __init__(
        self, step: Step, index: int, pool: StaffPool | None, cost_per_hour: float
    ):
        self.name = step.name
        self.index = index
        self.kind = step.kind
        self.lane = step.lane
        self.pool = pool
        self.is_va = step.value_class == "VA"
        self.touchpoint = step.touchpoint
        self.cost_per_minute = cost_per_hour / 60.0

        self.rework_probability = 1.0 - step.pca / 100.0
        self.rework_to = step.rework_to or step.name
        self.working_hours_only = step.working_hours_only
        self.next = step.next
        self.end = step.end
        self.branch_targets = [b.to for b in step.branches or []]
        self.branch_cumulative = _cumulative(
            [b.probability for b in step.branches or []]
        )
        self.parallel = step.parallel

        # Set by the engine once the random streams and queues exist.
        self.duration: Sampler | None = None
        self.patience: Sampler | None = None
        self.rework_draw: Sampler | None = None
        self.route_draw: Sampler | None = None
        self.queue: QueueStats | None = None
        self.batch: BatchGate | None = None

    def choose_branch(self) -> str:
        """Return the target of a branch drawn by the branch probabilities."""
        draw = self.route_draw()
        for target, bound in zip(
            self.branch_targets, self.branch_cumulative, strict=True
        ):
            if draw < bound:
                return target
        return self.branch_targets[-1]


def _cumulative(probabilities: list[float]) -> list[float]:
    total = 0.0
    bounds = []
    for probability in probabilities:
        total += probability
        bounds.append(total)
    return bounds


class CaseRunner:
    """Runs cases through the step plans and records their visits and ends.

    Parameters
    ----------
    env : simpy.Environment
    plans : dict of str to StepPlan
    calendar : Calendar or None
        Drives ``working_hours_only`` waits.
    start_date : datetime.date
        The date of simulation time 0.
    recorder : TraceRecorder
        Receives the visit and case rows.
    keep_visits : bool
        False keeps no visit rows (summary-only mode).
    """

    def __init__(
        self,
        env: simpy.Environment,
        plans: dict[str, StepPlan],
        calendar: Calendar | None,
        start_date: dt.date,
        recorder: TraceRecorder,
        keep_visits: bool,
    ):
        self.env = env
        self.plans = plans
        self.calendar = calendar
        self.start_date = start_date
        self.recorder = recorder
        self.keep_visits = keep_visits
        self.active: dict[int, Case] = {}
        self.ended = {"completed": 0, "abandoned": 0}
        self.on_empty = None
        #: Called with each case as it ends, after it has left ``active``.
        self.on_finish = None

    def start(self, case: Case, step_name: str) -> None:
        """Start ``case`` at the step ``step_name``."""
        self.active[case.case_id] = case
        self.env.process(self._run_path(case, step_name, None, None))

    def _finish(self, case: Case, end_state: str) -> None:
        recorder = self.recorder
        recorder.case_rows.append(case.row(self.env.now, end_state))
        recorder.move_full_chunks()
        active = self.active
        del active[case.case_id]
        if end_state == "abandoned":
            self.ended["abandoned"] += 1
        else:
            self.ended["completed"] += 1
        if self.on_finish is not None:
            self.on_finish(case)
        if not active and self.on_empty is not None:
            self.on_empty()

    def _run_path(self, case: Case, name: str, stop_at: str | None, last_lane):
        """Run the case from step ``name`` until it reaches ``stop_at`` or ends.

        ``last_lane`` is the lane of the previous task or wait step, or a tuple of
        lanes after a parallel join. Returns ``(last_lane, end_state)`` with
        ``end_state`` None when the path reached ``stop_at``.
        """
        # The start of a visit is written out here, not in a helper generator,
        # because each nested generator adds to the cost of every event.
        plans = self.plans
        while name != stop_at:
            step = plans[name]
            if step.kind == "decision":
                self._record_decision(case, step)
            else:
                last_lane = self._count_handoff(case, step, last_lane)
                arrival_at = self.env.now
                batching = 0.0
                if step.batch is not None:
                    yield step.batch.join()
                    batching = self.env.now - arrival_at
                case.steps += 1
                if step.touchpoint:
                    case.touchpoints += 1
                if step.kind == "wait":
                    abandoned = False
                    yield from self._external_wait(case, step, arrival_at, batching)
                else:
                    abandoned = yield from self._task(case, step, arrival_at, batching)
                if abandoned:
                    self._finish(case, "abandoned")
                    return last_lane, "abandoned"
                draw = step.rework_draw
                if draw is not None and draw() < step.rework_probability:
                    name = step.rework_to
                    continue
            if step.end is not None:
                self._finish(case, step.end)
                return last_lane, step.end
            if step.parallel is not None:
                last_lane = yield from self._run_parallel(case, step, last_lane)
                name = step.parallel.join
            elif step.next is not None:
                name = step.next
            else:
                name = step.choose_branch()
        return last_lane, None

    def _count_handoff(self, case: Case, step: StepPlan, last_lane):
        lane = step.lane
        if isinstance(last_lane, tuple):
            case.handoffs += sum(1 for previous in last_lane if previous != lane)
        elif last_lane is not None and last_lane != lane:
            case.handoffs += 1
        return lane

    def _run_parallel(self, case: Case, step: StepPlan, last_lane):
        join = step.parallel.join
        branches = [
            self.env.process(self._run_path(case, first, join, last_lane))
            for first in step.parallel.branches
        ]
        yield self.env.all_of(branches)
        lanes = []
        for branch, first in zip(branches, step.parallel.branches, strict=True):
            branch_lane, end_state = branch.value
            if end_state is not None:
                raise SimulationError(
                    f"the parallel branch starting at step '{first}' ended the case "
                    f"as '{end_state}' before reaching the join step '{join}'; a "
                    "branch must lead to its join"
                )
            lanes.append(branch_lane)
        return tuple(lanes)

    def _record_decision(self, case: Case, step: StepPlan) -> None:
        if self.keep_visits:
            now = self.env.now
            self._record_visit(
                case, step, now, now, now, 0.0, 0.0, 0.0, 0.0, 0.0, False
            )

    def _record_visit(self, case, step, arrival_at, start_at, end_at, *times_flag):
        self.recorder.visit_rows.append(
            (case.case_id, case.stream_index, step.index, arrival_at, start_at, end_at)
            + times_flag
            + (case.in_warmup,)
        )

    def _external_wait(self, case, step, arrival_at, batching):
        env = self.env
        start_at = env.now
        duration = step.duration()
        if step.working_hours_only:
            end = add_working_minutes(
                self.calendar, self.start_date, start_at, duration
            )
            duration = end - start_at
        yield env.timeout(duration)
        case.external_wait += duration
        case.batching_wait += batching
        if self.keep_visits:
            self._record_visit(
                case, step, arrival_at, start_at, env.now,
                0.0, 0.0, duration, batching, 0.0, False,
            )  # fmt: skip

    def _task(self, case, step, arrival_at, batching):
        env = self.env
        pool = step.pool
        queued_at = start_at = env.now
        queue = off_hours = 0.0
        if pool is not None and not pool.try_acquire(queued_at):
            served = yield from self._queue(case, step, pool)
            start_at = env.now
            queue, off_hours = self._split_wait(pool, queued_at, start_at)
            if not served:
                self._record_abandonment(
                    case, step, arrival_at, queue, off_hours, batching
                )
                return True

        duration = step.duration()
        yield env.timeout(duration)
        end_at = env.now

        if pool is not None:
            pool.release(end_at)
            case.staff_time += duration
            case.labour_cost += duration * step.cost_per_minute
        case.queue_wait += queue
        case.off_hours_wait += off_hours
        case.batching_wait += batching
        case.process_time += duration
        if step.is_va:
            case.va_time += duration

        if self.keep_visits:
            self._record_visit(
                case, step, arrival_at, start_at, end_at,
                queue, off_hours, 0.0, batching, duration, False,
            )  # fmt: skip
        return False

    def _queue(self, case: Case, step: StepPlan, pool: StaffPool):
        """Wait for staff; return False if the case abandoned first.

        Patience runs in elapsed time, whether or not staff are on duty.
        """
        env = self.env
        ticket = pool.enqueue(env, case.priority)
        step.queue.change(env.now, 1)
        if step.patience is not None:
            # A timer callback costs less than a condition event on both events.
            timer = env.timeout(step.patience())
            timer.callbacks.append(lambda _: pool.abandon(ticket))
        served = yield ticket[2]
        step.queue.change(env.now, -1)
        return served

    def _record_abandonment(self, case, step, arrival_at, queue, off_hours, batching):
        now = self.env.now
        case.queue_wait += queue
        case.off_hours_wait += off_hours
        case.batching_wait += batching
        if self.keep_visits:
            self._record_visit(
                case, step, arrival_at, now, now,
                queue, off_hours, 0.0, batching, 0.0, True,
            )  # fmt: skip

    @staticmethod
    def _split_wait(pool, queued_at: float, start_at: float) -> tuple[float, float]:
        waited = start_at - queued_at
        if waited <= 0.0:
            return 0.0, 0.0
        off_hours = pool.off_duty_minutes(queued_at, start_at)
        return waited - off_hours, off_hours

    def record_in_progress(self) -> None:
        """Record a case row for every case still in progress at the end of the run."""
        rows = self.recorder.case_rows
        for case in self.active.values():
            rows.append(case.row(math.nan, "in_progress"))
