"""Arrival instants of a non-homogeneous Poisson stream.

The rate is piecewise constant (by clock hour, and by opening hours with
``open_hours_only``). Arrival instants come from inverting the cumulative rate:
each arrival adds one standard exponential draw to the integrated rate. The same
draws and the same rates therefore give the same instants, which keeps common
random numbers exact when two scenarios share a stream.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterator

from workbench.calendar import DAY_MINUTES, arrival_rate_segments
from workbench.model import ProcessModel

__all__ = ["MAX_EMPTY_DAYS", "arrival_instants"]

#: A stream stops after this many consecutive days with a zero rate.
MAX_EMPTY_DAYS = 400


def _day_segments(
    model: ProcessModel, stream_name: str, start_date: dt.date
) -> Iterator[tuple[float, float, float]]:
    day = 0
    empty_days = 0
    while empty_days < MAX_EMPTY_DAYS:
        date = start_date + dt.timedelta(days=day)
        offset = day * DAY_MINUTES
        segments = arrival_rate_segments(model, stream_name, date, DAY_MINUTES)
        if all(rate == 0 for _, _, rate in segments):
            empty_days += 1
        else:
            empty_days = 0
        for start, end, rate in segments:
            yield offset + start, offset + end, rate
        day += 1


def arrival_instants(
    model: ProcessModel,
    stream_name: str,
    start_date: dt.date,
    exponential: Callable[[], float],
    until: float = math.inf,
) -> Iterator[float]:
    """Yield the stream's arrival instants in minutes since the start, in order.

    Parameters
    ----------
    model : ProcessModel
    stream_name : str
        The arrival stream's name as written in the model.
    start_date : datetime.date
        The date of simulation time 0.
    exponential : callable
        Returns one standard exponential draw (mean 1) per call.
    until : float, default infinity
        The iterator ends before the first instant at or after ``until`` minutes.

    Notes
    -----
    The iterator ends only after :data:`MAX_EMPTY_DAYS` consecutive days with a zero
    rate; the caller stops reading at the end of the run.
    """
    segments = _day_segments(model, stream_name, start_date)
    start, end, rate = next(segments)
    at = 0.0
    while True:
        remaining = exponential()
        while rate * (end - at) < remaining:
            remaining -= rate * (end - at)
            try:
                start, end, rate = next(segments)
            except StopIteration:
                return
            at = start
            if at >= until:
                return
        at += remaining / rate
        if at >= until:
            return
        yield at
