"""Measurements of an event table that calibration turns into model numbers.

All durations here are in minutes. Local clock times (for arrival profiles and the
working calendar) are read in a time zone that the caller gives.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.eventlog.timestamps import resolve_timezone
from workbench.model import WEEKDAYS

__all__ = [
    "MAX_EMPIRICAL_SAMPLES",
    "case_arrivals",
    "lead_times",
    "max_overlap",
    "activity_gaps",
    "session_breaks",
    "empirical_samples",
    "weekly_arrival_profile",
    "working_hours",
]

#: Largest number of values written into one empirical distribution. Longer samples
#: are replaced by this many evenly spaced quantiles, which keep the shape and mean.
MAX_EMPIRICAL_SAMPLES = 400


def case_arrivals(events: pd.DataFrame) -> pd.Series:
    """Return each case's arrival: its first start, or first completion, in UTC."""
    first = events["start_at"].fillna(events["end_at"])
    return first.groupby(events["case_id"], sort=False).min()


def lead_times(events: pd.DataFrame) -> pd.Series:
    """Return each case's lead time in minutes: arrival to last completion."""
    last = events.groupby("case_id", sort=False)["end_at"].max()
    return (last - case_arrivals(events)).dt.total_seconds() / 60.0


def max_overlap(starts: pd.Series, ends: pd.Series) -> int:
    """Return the largest number of intervals in progress at once.

    Intervals without a start are left out. An interval that ends at the instant
    another starts does not overlap it.
    """
    known = starts.notna()
    changes = pd.concat(
        [
            pd.DataFrame({"at": starts[known], "step": 1}),
            pd.DataFrame({"at": ends[known], "step": -1}),
        ]
    )
    if changes.empty:
        return 0
    # Ends sort before starts at the same instant.
    changes = changes.sort_values(["at", "step"], kind="mergesort")
    return int(changes["step"].cumsum().max())


def activity_gaps(events: pd.DataFrame) -> pd.DataFrame:
    """Measure, per event, the time from the previous completion in the case.

    Returns
    -------
    pandas.DataFrame
        The event table with three more columns. ``gap`` is the minutes from the
        previous completion in the case to this event's start, or to its
        completion when the start is unknown. ``process`` is the minutes from
        start to completion, NaN when the start is unknown. ``first`` marks the
        case's first event, whose gap is NaN.
    """
    previous = events.groupby("case_id", sort=False)["end_at"].shift()
    begun = events["start_at"].fillna(events["end_at"])
    table = events.copy()
    # Overlapping activities give a negative gap; it counts as no waiting.
    table["gap"] = ((begun - previous).dt.total_seconds() / 60.0).clip(lower=0)
    table["process"] = (events["end_at"] - events["start_at"]).dt.total_seconds() / 60
    table["first"] = previous.isna()
    return table


def session_breaks(gaps: pd.DataFrame, break_minutes: float) -> pd.Series:
    """Return each case's total time in gaps longer than ``break_minutes``.

    Such a gap means that the case waited between two sessions of work (overnight,
    for another party, in a pile). The time is summed per case, in minutes.
    """
    long = gaps["gap"].where(gaps["gap"] > break_minutes, 0.0).fillna(0.0)
    return long.groupby(gaps["case_id"], sort=False).sum()


def empirical_samples(
    values: pd.Series | np.ndarray, scale: float = 1.0
) -> list[float]:
    """Return ``values / scale`` as a sorted list for an empirical distribution.

    Up to :data:`MAX_EMPIRICAL_SAMPLES` values are kept as they are; longer samples
    become that many quantiles at the midpoints of equal-probability slices. Values
    are rounded to 4 significant digits.
    """
    array = np.sort(np.asarray(values, dtype=float)) / scale
    if len(array) > MAX_EMPIRICAL_SAMPLES:
        levels = (np.arange(MAX_EMPIRICAL_SAMPLES) + 0.5) / MAX_EMPIRICAL_SAMPLES
        array = np.quantile(array, levels, method="linear")
    return [float(f"{value:.4g}") for value in array]


def _local(instants: pd.Series, timezone: str) -> pd.Series:
    zone = resolve_timezone(timezone)
    return instants.dt.tz_convert(zone)


def weekly_arrival_profile(
    arrivals: pd.Series, timezone: str
) -> tuple[float, dict[str, list[float]]]:
    """Measure the arrival rate per hour of the week.

    Parameters
    ----------
    arrivals : pandas.Series
        Arrival instants in UTC.
    timezone : str
        The zone whose clock sets the hour and weekday.

    Returns
    -------
    rate_per_hour : float
        Cases per hour over the whole span from the first to the last arrival.
    profile : dict of str to list of float
        24 weights per weekday: the rate in that hour of the week divided by
        ``rate_per_hour``, so the weights average 1 over the week.
    """
    local = _local(arrivals, timezone)
    start = local.min().floor("h")
    end = local.max().floor("h") + pd.Timedelta(hours=1)
    hours = pd.date_range(start, end, freq="h", inclusive="left")
    exposure = pd.Series(1, index=hours).groupby([hours.day_of_week, hours.hour]).sum()
    counts = local.groupby([local.dt.day_of_week, local.dt.hour]).size()
    rate_per_hour = len(arrivals) / max(len(hours), 1)
    profile = {}
    for day_index, day in enumerate(WEEKDAYS):
        weights = []
        for hour in range(24):
            seen = exposure.get((day_index, hour), 0)
            count = counts.get((day_index, hour), 0)
            rate = count / seen if seen else 0.0
            weights.append(round(rate / rate_per_hour, 4))
        profile[day] = weights
    return rate_per_hour, profile


def working_hours(
    instants: pd.Series, timezone: str, min_day_share: float = 0.02
) -> dict[str, str]:
    """Estimate opening hours per weekday from when events happen.

    A weekday with less than ``min_day_share`` of the events is closed. An open
    day runs from the 1st to the 99th percentile of its local event times, widened
    to whole half hours.
    """
    local = _local(instants, timezone)
    minutes = local.dt.hour * 60 + local.dt.minute + local.dt.second / 60
    hours = {}
    for day_index, day in enumerate(WEEKDAYS):
        on_day = minutes[local.dt.day_of_week == day_index]
        if len(on_day) < min_day_share * len(local) or on_day.empty:
            continue
        start = int(np.floor(on_day.quantile(0.01) / 30) * 30)
        end = int(min(np.ceil(on_day.quantile(0.99) / 30) * 30, 1440))
        if end <= start:
            end = min(start + 30, 1440)
        hours[day] = (
            f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"
        )
    return hours
