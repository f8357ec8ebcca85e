"""Working calendar, staff on duty and arrival rates over simulation time.

Simulation time is in minutes since midnight at the start of ``start_date``. A model
without a calendar is open around the clock, every day. Holidays close everything:
the calendar, every pool (shifts included) and ``open_hours_only`` arrivals.

Piecewise-constant functions of time are lists of ``(start, end, value)`` segments
that cover ``[0, horizon]`` without gaps, in time order, with neighbouring segments
of equal value merged.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math

from workbench.model import WEEKDAYS, Calendar, ProcessModel, parse_hours

__all__ = [
    "DAY_MINUTES",
    "WEEK_MINUTES",
    "TYPICAL_WEEK_START",
    "is_open",
    "open_window",
    "pool_capacity_segments",
    "mean_pool_capacity",
    "base_rate_per_minute",
    "arrival_rate_segments",
    "mean_arrival_rate_per_minute",
    "add_working_minutes",
    "off_duty_minutes",
]

DAY_MINUTES = 1440.0
WEEK_MINUTES = 7 * DAY_MINUTES

#: A Monday, used as the first day of "a typical week" (holidays are ignored there).
TYPICAL_WEEK_START = dt.date(2026, 1, 5)

#: ``add_working_minutes`` raises when this many days pass without an open minute.
_MAX_CLOSED_DAYS = 366

Segment = tuple[float, float, float]


def _day_date(start_date: dt.date, day: int) -> dt.date:
    return start_date + dt.timedelta(days=day)


def _weekday(start_date: dt.date, day: int) -> str:
    return WEEKDAYS[(start_date.weekday() + day) % 7]


def open_window(
    calendar: Calendar | None, start_date: dt.date, day: int
) -> tuple[float, float] | None:
    """Return the open window of simulation day ``day`` in minutes after its midnight.

    Parameters
    ----------
    calendar : Calendar or None
        None means open all day, every day.
    start_date : datetime.date
        The date of simulation day 0.
    day : int
        Days since ``start_date``.

    Returns
    -------
    tuple of float or None
        ``(open, close)`` minutes after midnight, or None when the day is closed
        (a weekday without hours, or a holiday).
    """
    if calendar is None:
        return 0.0, DAY_MINUTES
    if _day_date(start_date, day) in calendar.holidays:
        return None
    hours = calendar.hours.get(_weekday(start_date, day))
    if hours is None:
        return None
    return parse_hours(hours)


def is_open(calendar: Calendar | None, at_minutes: float, start_date: dt.date) -> bool:
    """Return whether the calendar is open at simulation time ``at_minutes``.

    The open window includes its opening minute and excludes its closing minute.
    """
    day = math.floor(at_minutes / DAY_MINUTES)
    window = open_window(calendar, start_date, day)
    if window is None:
        return False
    minute = at_minutes - day * DAY_MINUTES
    return window[0] <= minute < window[1]


def _merge(segments: list[Segment]) -> list[Segment]:
    merged: list[Segment] = []
    for start, end, value in segments:
        if end <= start:
            continue
        if merged and merged[-1][2] == value and merged[-1][1] == start:
            merged[-1] = (merged[-1][0], end, value)
        else:
            merged.append((start, end, value))
    return merged


def _day_segments(windows: list[Segment]) -> list[Segment]:
    """Sum overlapping ``(start, end, value)`` windows of one day into segments."""
    cuts = sorted(
        {0.0, DAY_MINUTES, *(w[0] for w in windows), *(w[1] for w in windows)}
    )
    segments = []
    for start, end in itertools.pairwise(cuts):
        total = sum(
            value for w_start, w_end, value in windows if w_start <= start < w_end
        )
        segments.append((start, end, total))
    return segments


def _pool_day_windows(
    model: ProcessModel, pool_name: str, start_date: dt.date, day: int, holidays: bool
) -> list[Segment]:
    pool = model.pool(pool_name)
    calendar = model.calendar
    if holidays and calendar is not None:
        if _day_date(start_date, day) in calendar.holidays:
            return []
    if not pool.shifts:
        window = open_window(
            calendar if holidays else _without_holidays(calendar), start_date, day
        )
        return [] if window is None else [(window[0], window[1], pool.capacity)]
    weekday = _weekday(start_date, day)
    windows = []
    for shift in pool.shifts:
        if weekday in shift.days:
            start, end = parse_hours(shift.hours)
            windows.append((start, end, shift.capacity))
    return windows


def _without_holidays(calendar: Calendar | None) -> Calendar | None:
    if calendar is None or not calendar.holidays:
        return calendar
    return calendar.model_copy(update={"holidays": []})


def _over_days(day_function, horizon_minutes: float) -> list[Segment]:
    segments: list[Segment] = []
    days = max(1, math.ceil(horizon_minutes / DAY_MINUTES))
    for day in range(days):
        offset = day * DAY_MINUTES
        for start, end, value in day_function(day):
            segments.append((offset + start, min(offset + end, horizon_minutes), value))
    return _merge(segments)


def pool_capacity_segments(
    model: ProcessModel,
    pool_name: str,
    start_date: dt.date,
    horizon_minutes: float,
    holidays: bool = True,
) -> list[tuple[float, float, int]]:
    """Return the staff on duty in a pool as piecewise-constant segments.

    Without shifts, ``capacity`` staff are on duty while the calendar is open. With
    shifts, each shift adds its capacity on its days and hours, whatever the calendar
    hours, and overlapping shifts add up. Holidays close the pool either way.

    Parameters
    ----------
    model : ProcessModel
    pool_name : str
        The pool's name as written in the model.
    start_date : datetime.date
        The date of simulation time 0.
    horizon_minutes : float
        The segments cover ``[0, horizon_minutes]``.
    holidays : bool, default True
        False ignores the calendar's holidays (for a typical week).

    Returns
    -------
    list of (start, end, staff)
        Minutes since the start and the number of staff on duty.

    Raises
    ------
    KeyError
        If the model has no pool called ``pool_name``.
    """
    model.pool(pool_name)

    def day_segments(day: int) -> list[Segment]:
        windows = _pool_day_windows(model, pool_name, start_date, day, holidays)
        return [(s, e, int(v)) for s, e, v in _day_segments(windows)]

    return _over_days(day_segments, horizon_minutes)


def _time_average(segments: list[Segment], length: float) -> float:
    return sum((end - start) * value for start, end, value in segments) / length


def mean_pool_capacity(model: ProcessModel, pool_name: str) -> float:
    """Return the mean number of staff on duty in a pool over a typical week.

    The week starts on a Monday and ignores holidays. Raises ``KeyError`` if the
    model has no pool called ``pool_name``.
    """
    segments = pool_capacity_segments(
        model, pool_name, TYPICAL_WEEK_START, WEEK_MINUTES, holidays=False
    )
    return _time_average(segments, WEEK_MINUTES)


def base_rate_per_minute(model: ProcessModel, stream_name: str) -> float:
    """Return a stream's base arrival rate in cases per minute, before profiles.

    ``rate_per_day`` is spread over the 1,440 minutes of a day, so a stream with
    ``open_hours_only`` receives only the open hours' share of it.
    """
    stream = _stream(model, stream_name)
    if stream.rate_per_hour is not None:
        return stream.rate_per_hour / 60.0
    if stream.rate_per_day is not None:
        return stream.rate_per_day / DAY_MINUTES
    return 1.0 / (stream.mean_interarrival * model.minutes_per_unit)


def _stream(model: ProcessModel, stream_name: str):
    for stream in model.arrivals:
        if stream.name == stream_name:
            return stream
    raise KeyError(stream_name)


def _hour_weights(stream, weekday: str) -> list[float]:
    """Return the 24 hourly rate multipliers of one weekday.

    A weekday missing from ``weekday_profile`` or ``weekly_profile`` has weight 1.
    """
    if stream.weekly_profile is not None:
        return list(stream.weekly_profile.get(weekday, [1.0] * 24))
    day_weight = (stream.weekday_profile or {}).get(weekday, 1.0)
    hours = stream.hour_profile or [1.0] * 24
    return [day_weight * weight for weight in hours]


def _rate_day_segments(
    model: ProcessModel, stream, start_date: dt.date, day: int, holidays: bool
) -> list[Segment]:
    base = base_rate_per_minute(model, stream.name)
    weights = _hour_weights(stream, _weekday(start_date, day))
    segments = [(h * 60.0, (h + 1) * 60.0, base * w) for h, w in enumerate(weights)]
    if not stream.open_hours_only:
        return segments
    calendar = model.calendar if holidays else _without_holidays(model.calendar)
    window = open_window(calendar, start_date, day)
    if window is None:
        return [(0.0, DAY_MINUTES, 0.0)]
    clipped = [(0.0, window[0], 0.0)]
    for start, end, rate in segments:
        clipped.append((max(start, window[0]), min(end, window[1]), rate))
    clipped.append((window[1], DAY_MINUTES, 0.0))
    return clipped


def arrival_rate_segments(
    model: ProcessModel,
    stream_name: str,
    start_date: dt.date,
    horizon_minutes: float,
    holidays: bool = True,
) -> list[Segment]:
    """Return a stream's arrival rate as piecewise-constant segments.

    The rate is the base rate times the hour and weekday weights, constant within
    each clock hour. With ``open_hours_only`` the rate is zero while the calendar
    is closed, holidays included.

    Parameters
    ----------
    model : ProcessModel
    stream_name : str
        The arrival stream's name as written in the model.
    start_date : datetime.date
        The date of simulation time 0.
    horizon_minutes : float
        The segments cover ``[0, horizon_minutes]``.
    holidays : bool, default True
        False ignores the calendar's holidays (for a typical week).

    Returns
    -------
    list of (start, end, rate)
        Minutes since the start and the rate in cases per minute.

    Raises
    ------
    KeyError
        If the model has no stream called ``stream_name``.
    """
    stream = _stream(model, stream_name)

    def day_segments(day: int) -> list[Segment]:
        return _rate_day_segments(model, stream, start_date, day, holidays)

    return _over_days(day_segments, horizon_minutes)


def mean_arrival_rate_per_minute(model: ProcessModel, stream_name: str) -> float:
    """Return a stream's mean arrival rate in cases per minute over a typical week.

    The week starts on a Monday and ignores holidays. Raises ``KeyError`` if the
    model has no stream called ``stream_name``.
    """
    segments = arrival_rate_segments(
        model, stream_name, TYPICAL_WEEK_START, WEEK_MINUTES, holidays=False
    )
    return _time_average(segments, WEEK_MINUTES)


def add_working_minutes(
    calendar: Calendar | None,
    start_date: dt.date,
    at_minutes: float,
    duration_minutes: float,
) -> float:
    """Return the instant when ``duration_minutes`` of open calendar time have passed.

    The count starts at ``at_minutes`` and advances only while the calendar is open,
    so a wait that starts on Friday afternoon may end on Monday.

    Raises
    ------
    ValueError
        If the calendar stays closed for more than a year from ``at_minutes``, so
        the duration can never elapse.
    """
    if calendar is None or duration_minutes <= 0:
        return at_minutes + max(duration_minutes, 0.0)
    remaining = duration_minutes
    day = math.floor(at_minutes / DAY_MINUTES)
    closed_days = 0
    while True:
        window = open_window(calendar, start_date, day)
        if window is None:
            closed_days += 1
            if closed_days > _MAX_CLOSED_DAYS:
                raise ValueError(
                    f"the calendar has no open hours in the {_MAX_CLOSED_DAYS} days "
                    f"after minute {at_minutes:g}; give it opening hours"
                )
        else:
            closed_days = 0
            offset = day * DAY_MINUTES
            start = max(at_minutes, offset + window[0])
            end = offset + window[1]
            if end - start >= remaining:
                return start + remaining
            remaining -= max(0.0, end - start)
        day += 1


def off_duty_minutes(
    segments: list[tuple[float, float, int]], t0: float, t1: float
) -> float:
    """Return how many minutes of ``[t0, t1]`` the segments show zero staff on duty.

    Time beyond the last segment counts as on duty.
    """
    if t1 <= t0 or not segments:
        return 0.0
    starts = [segment[0] for segment in segments]
    index = max(0, bisect.bisect_right(starts, t0) - 1)
    total = 0.0
    for start, end, staff in segments[index:]:
        if start >= t1:
            break
        if staff == 0:
            total += max(0.0, min(end, t1) - max(start, t0))
    return total
