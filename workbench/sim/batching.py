"""Batches: cases held before a step until a batch is released.

A size rule releases a batch as soon as ``size`` cases wait. A meeting rule releases
the waiting cases, at most ``max_size`` of them, at fixed times of the week. A
meeting that falls on a holiday does not take place, so its cases wait for the next
one.
"""

from __future__ import annotations

import datetime as dt
import itertools

import simpy

from workbench.calendar import DAY_MINUTES, WEEK_MINUTES
from workbench.model import WEEKDAYS, Batch, Calendar, parse_hours

__all__ = ["BatchGate", "meeting_offsets"]


def meeting_offsets(batch: Batch, start_date: dt.date) -> list[float]:
    """Return the meeting instants of the first simulated week, in minutes, sorted."""
    first_weekday = start_date.weekday()
    offsets = []
    for weekday, clock in batch.meets or []:
        days = (WEEKDAYS.index(weekday) - first_weekday) % 7
        minute, _ = parse_hours(f"{clock}-24:00")
        offsets.append(days * DAY_MINUTES + minute)
    return sorted(offsets)


class BatchGate:
    """The cases waiting for one step's batch to be released."""

    def __init__(self, env: simpy.Environment, batch: Batch):
        self.env = env
        self.size = batch.size
        self.max_size = batch.max_size
        self._waiting: list[simpy.Event] = []

    def join(self) -> simpy.Event:
        """Add a case; return the event that succeeds when its batch is released."""
        event = self.env.event()
        self._waiting.append(event)
        if self.size is not None and len(self._waiting) >= self.size:
            self.release(self.size)
        return event

    def release(self, limit: int | None) -> None:
        """Release the first ``limit`` waiting cases, or all of them if None."""
        count = len(self._waiting) if limit is None else limit
        released, self._waiting = self._waiting[:count], self._waiting[count:]
        for event in released:
            event.succeed()

    def run_meetings(
        self, batch: Batch, calendar: Calendar | None, start_date: dt.date
    ):
        """Process that releases the waiting cases at each meeting, week after week."""
        holidays = set(calendar.holidays) if calendar is not None else set()
        offsets = meeting_offsets(batch, start_date)
        for week in itertools.count():
            for offset in offsets:
                at = week * WEEK_MINUTES + offset
                yield self.env.timeout(at - self.env.now)
                date = start_date + dt.timedelta(days=int(at // DAY_MINUTES))
                if date not in holidays:
                    self.release(self.max_size)
