"""Staff pools whose on-duty staff follow the calendar or the shifts.

A :class:`StaffPool` is a priority queue in front of a number of staff. The number
on duty changes at the times given by :func:`workbench.calendar.pool_capacity_segments`.
The shift-end policy is: when the number on duty drops below the number busy, each
busy member of staff finishes the case in hand, and the time past the end of the
shift is overtime. No new case starts until the number busy is below the number on
duty. A queue wait while zero staff are on duty counts as ``off_hours`` waiting.

Time-weighted statistics cover the measured period only, from the end of the
warm-up to the end of the run.
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
import itertools
import math

import simpy

from workbench.calendar import DAY_MINUTES, pool_capacity_segments
from workbench.model import ProcessModel

__all__ = ["StaffPool", "QueueStats", "run_shifts"]


class QueueStats:
    """Time-weighted number of cases waiting in one step's queue."""

    __slots__ = ("waiting", "area", "max", "last", "warmup", "measure_end")

    def __init__(self, warmup: float, measure_end: float = math.inf):
        self.waiting = 0
        self.area = 0.0
        self.max = 0
        self.last = 0.0
        self.warmup = warmup
        self.measure_end = measure_end

    def change(self, now: float, delta: int) -> None:
        """Add ``delta`` cases to the queue at time ``now``."""
        until = min(now, self.measure_end)
        start = max(self.last, self.warmup)
        if until > start:
            self.area += self.waiting * (until - start)
        self.last = now
        self.waiting += delta
        if self.warmup <= now < self.measure_end and self.waiting > self.max:
            self.max = self.waiting

    def mark_warmup_end(self, now: float) -> None:
        """Start the running maximum at the end of the warm-up."""
        self.change(now, 0)
        self.max = self.waiting

    def finish(self, now: float) -> None:
        """Close the time-weighted statistics at the end of the run."""
        self.change(now, 0)


class StaffPool:
    """Staff on duty, busy staff and the priority queue of waiting requests.

    Parameters
    ----------
    name : str
        The pool's name as written in the model.
    warmup : float
        End of the warm-up in minutes; statistics start there.
    measure_end : float, default infinity
        End of the measured period in minutes; statistics stop there.
    """

    def __init__(self, name: str, warmup: float, measure_end: float = math.inf):
        self.name = name
        self.on_duty = 0
        self.busy = 0
        self.max_busy = 0
        self.busy_area = 0.0
        self.duty_area = 0.0
        self.overtime_area = 0.0
        #: Cases started while no member of staff was free; must stay zero.
        self.starts_above_duty = 0
        self.warmup = warmup
        self.measure_end = measure_end
        self._last = 0.0
        self._waiting: list[list] = []
        self._sequence = itertools.count()
        self.change_times: list[float] = [0.0]
        self.change_staff: list[int] = [0]

    def _advance(self, now: float) -> None:
        start = self._last if self._last > self.warmup else self.warmup
        until = now if now < self.measure_end else self.measure_end
        if until > start:
            elapsed = until - start
            busy, on_duty = self.busy, self.on_duty
            self.busy_area += busy * elapsed
            if busy > on_duty:
                self.duty_area += busy * elapsed
                self.overtime_area += (busy - on_duty) * elapsed
            else:
                self.duty_area += on_duty * elapsed
        self._last = now

    def try_acquire(self, now: float) -> bool:
        """Take a member of staff at once if one is free and no request is queued."""
        busy = self.busy
        if busy >= self.on_duty or self._waiting:
            return False
        self._advance(now)
        busy += 1
        self.busy = busy
        if busy > self.max_busy and self.warmup <= now < self.measure_end:
            self.max_busy = busy
        return True

    def _start_one(self, now: float) -> None:
        if self.busy >= self.on_duty:
            self.starts_above_duty += 1
        self.busy += 1
        if self.warmup <= now < self.measure_end and self.busy > self.max_busy:
            self.max_busy = self.busy

    def enqueue(self, env: simpy.Environment, priority: int) -> list:
        """Queue a request and return its ticket ``[priority, order, event, live]``.

        The event succeeds with True when a member of staff takes the case, or
        with False when the case abandons (see :meth:`abandon`).
        """
        ticket = [priority, next(self._sequence), env.event(), True]
        heapq.heappush(self._waiting, ticket)
        return ticket

    def abandon(self, ticket: list) -> None:
        """Withdraw a queued request whose case lost patience; it gets no staff.

        The request's event succeeds with False. A request already served is left
        as it is.
        """
        if ticket[3] and not ticket[2].triggered:
            ticket[3] = False
            ticket[2].succeed(False)

    def release(self, now: float) -> None:
        """Free a member of staff and start the next waiting case if possible."""
        self._advance(now)
        self.busy -= 1
        if self._waiting:
            self._serve_waiting(now)

    def set_on_duty(self, now: float, staff: int) -> None:
        """Set the number of staff on duty from ``now``."""
        self._advance(now)
        self.on_duty = staff
        self.change_times.append(now)
        self.change_staff.append(staff)
        self._serve_waiting(now)

    def _serve_waiting(self, now: float) -> None:
        waiting = self._waiting
        while waiting and self.busy < self.on_duty:
            ticket = heapq.heappop(waiting)
            if ticket[3]:
                self._start_one(now)
                ticket[2].succeed(True)

    def off_duty_minutes(self, t0: float, t1: float) -> float:
        """Return the minutes of ``[t0, t1]`` with zero staff on duty."""
        times, staff = self.change_times, self.change_staff
        index = bisect.bisect_right(times, t0) - 1
        total = 0.0
        for position in range(index, len(times)):
            start = max(times[position], t0)
            end = times[position + 1] if position + 1 < len(times) else t1
            if start >= t1:
                break
            if staff[position] == 0:
                total += min(end, t1) - start
        return total

    def mark_warmup_end(self, now: float) -> None:
        """Reset the running maximum at the end of the warm-up."""
        self._advance(now)
        self.max_busy = self.busy

    def finish(self, now: float) -> None:
        """Close the time-weighted statistics at the end of the run."""
        self._advance(now)


def run_shifts(
    env: simpy.Environment,
    model: ProcessModel,
    pool: StaffPool,
    start_date: dt.date,
):
    """Process that sets the pool's staff on duty day after day, without end."""
    for day in itertools.count():
        date = start_date + dt.timedelta(days=day)
        offset = day * DAY_MINUTES
        for start, _, staff in pool_capacity_segments(
            model, pool.name, date, DAY_MINUTES
        ):
            at = offset + start
            if at > env.now:
                yield env.timeout(at - env.now)
            if staff != pool.on_duty:
                pool.set_on_duty(env.now, staff)
        if env.now < offset + DAY_MINUTES:
            yield env.timeout(offset + DAY_MINUTES - env.now)
