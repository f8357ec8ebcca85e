"""Estimate a phone line's inputs from a call-centre log with one row per call.

The log format is the one of the Technion "Anonymous Bank" call-centre data. It is
a tab-separated file with the columns in :data:`REQUIRED_COLUMNS`, dates as
``yymmdd``, clock times as ``H:MM:SS`` and durations in whole seconds. A clock time
of ``0:00:00`` means that the stage did not happen. ``outcome`` is ``AGENT``
(served), ``HANG`` (the caller hung up) or ``PHANTOM`` (the call vanished from the
queue).

Every duration returned here is in seconds. Weekdays use the model's names
(``mon`` to ``sun``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.distributions import Lognormal
from workbench.errors import EventLogError
from workbench.model import WEEKDAYS

__all__ = [
    "REQUIRED_COLUMNS",
    "CallLogTargets",
    "PatienceEstimate",
    "read_call_log",
    "compute_targets",
    "arrivals_per_weekday_hour",
    "agents_per_weekday_hour",
    "fit_service_time",
    "estimate_patience",
    "kaplan_meier",
    "vru_time_quantiles",
    "vru_hang_up_share",
    "square_root_staffing",
]

REQUIRED_COLUMNS = (
    "date",
    "vru_entry",
    "vru_time",
    "q_time",
    "outcome",
    "ser_start",
    "ser_time",
    "server",
)

#: The ``server`` value of calls that no agent handled.
NO_SERVER = "NO_SERVER"

HOUR_SECONDS = 3600
DAY_SECONDS = 24 * HOUR_SECONDS


@dataclass(frozen=True)
class CallLogTargets:
    """Figures of a call log that a calibrated model must reproduce.

    Attributes
    ----------
    calls : int
        Every call in the log.
    queued_calls : int
        Calls that waited in the queue for an agent (``q_time > 0``).
    queued_share : float
        ``queued_calls / calls``.
    queued_hang_up_share : float
        Share of the queued calls that hung up before being served.
    mean_queued_served_wait : float
        Mean queue wait of the calls that queued and were then served, in seconds.
    mean_service_time : float
        Mean service time of served calls with a service time above zero, in seconds.
    """

    calls: int
    queued_calls: int
    queued_share: float
    queued_hang_up_share: float
    mean_queued_served_wait: float
    mean_service_time: float


@dataclass(frozen=True)
class PatienceEstimate:
    """Exponential patience of queued callers, estimated with censoring.

    Attributes
    ----------
    mean : float
        Mean patience in seconds: the total exposure divided by the hang-ups.
    hang_ups : int
        Queued callers who hung up, whose waits are observed patience.
    censored : int
        Queued callers who were served or vanished, whose waits are lower bounds.
    exposure : float
        Total queue wait of every queued caller, in seconds.
    """

    mean: float
    hang_ups: int
    censored: int
    exposure: float


def _clock_seconds(column: pd.Series) -> pd.Series:
    parts = column.str.split(":", expand=True).astype(int)
    return parts[0] * HOUR_SECONDS + parts[1] * 60 + parts[2]


def read_call_log(path: str | Path) -> pd.DataFrame:
    """Read a call log and add the columns the estimators use.

    Parameters
    ----------
    path : str or Path
        A tab-separated call log with the columns in :data:`REQUIRED_COLUMNS`.

    Returns
    -------
    pandas.DataFrame
        The log's columns plus ``day`` (the date), ``weekday`` (``mon`` to ``sun``),
        ``arrival_second`` and ``service_start_second`` (seconds after midnight).

    Raises
    ------
    EventLogError
        If the file is not found, misses a required column or has an unreadable date
        or clock time.
    """
    path = Path(path)
    try:
        calls = pd.read_csv(path, sep="\t", dtype={"date": str})
    except FileNotFoundError:
        raise EventLogError(f"{path}: call log not found, check the path") from None
    missing = [name for name in REQUIRED_COLUMNS if name not in calls.columns]
    if missing:
        raise EventLogError(
            f"{path}: the call log is missing the columns {missing}. Expected a "
            f"tab-separated file with {list(REQUIRED_COLUMNS)}"
        )
    try:
        calls["day"] = pd.to_datetime(calls["date"], format="%y%m%d")
        calls["arrival_second"] = _clock_seconds(calls["vru_entry"])
        calls["service_start_second"] = _clock_seconds(calls["ser_start"])
    except (ValueError, KeyError) as error:
        raise EventLogError(
            f"{path}: invalid date (yymmdd) or clock time (H:MM:SS): {error}"
        ) from None
    calls["weekday"] = [WEEKDAYS[day] for day in calls["day"].dt.day_of_week]
    return calls


def compute_targets(calls: pd.DataFrame) -> CallLogTargets:
    """Compute the queueing figures of a call log read by :func:`read_call_log`."""
    queued = calls[calls["q_time"] > 0]
    served_after_queue = queued[queued["outcome"] == "AGENT"]
    served = calls[(calls["outcome"] == "AGENT") & (calls["ser_time"] > 0)]
    return CallLogTargets(
        calls=len(calls),
        queued_calls=len(queued),
        queued_share=len(queued) / len(calls),
        queued_hang_up_share=float((queued["outcome"] == "HANG").mean()),
        mean_queued_served_wait=float(served_after_queue["q_time"].mean()),
        mean_service_time=float(served["ser_time"].mean()),
    )


def _days_per_weekday(calls: pd.DataFrame) -> pd.Series:
    """Count the calendar days of each weekday from the first to the last log date."""
    days = pd.date_range(calls["day"].min(), calls["day"].max(), freq="D")
    names = pd.Series([WEEKDAYS[day] for day in days.day_of_week])
    return names.value_counts().reindex(list(WEEKDAYS), fill_value=0)


def _per_weekday_hour(totals: pd.Series, calls: pd.DataFrame) -> pd.DataFrame:
    """Divide totals indexed by (weekday, hour) by the number of such days."""
    table = totals.unstack(fill_value=0).reindex(
        index=list(WEEKDAYS), columns=range(24), fill_value=0
    )
    days = _days_per_weekday(calls)
    return table.div(days.replace(0, np.nan), axis=0).fillna(0.0)


def arrivals_per_weekday_hour(calls: pd.DataFrame) -> pd.DataFrame:
    """Return the mean number of calls arriving in each hour of each weekday.

    A call arrives when it enters the VRU. The count of each weekday-hour is divided
    by the number of days of that weekday between the first and the last log date,
    so a weekday without calls counts as zero.

    Returns
    -------
    pandas.DataFrame
        Seven rows (``mon`` to ``sun``) and 24 columns (hours 0 to 23), in calls
        per hour.
    """
    hour = calls["arrival_second"] // HOUR_SECONDS
    totals = calls.groupby([calls["weekday"], hour]).size()
    return _per_weekday_hour(totals, calls)


def _agent_hours(calls: pd.DataFrame) -> pd.DataFrame:
    """List each (day, hour, agent) in which an agent served some part of a call."""
    served = calls[(calls["server"] != NO_SERVER) & (calls["ser_time"] > 0)]
    start = served["service_start_second"].to_numpy()
    # A call that arrived before midnight and was served after it is dated on the
    # day it arrived, so its service starts on the next day.
    start = np.where(
        start < served["arrival_second"].to_numpy(), start + DAY_SECONDS, start
    )
    end = start + served["ser_time"].to_numpy()
    first_hour = start // HOUR_SECONDS
    hours_spanned = (end - 1) // HOUR_SECONDS - first_hour + 1
    repeat = np.repeat(np.arange(len(served)), hours_spanned)
    offset = np.arange(len(repeat)) - np.repeat(
        np.cumsum(hours_spanned) - hours_spanned, hours_spanned
    )
    absolute_hour = first_hour[repeat] + offset
    # A call that runs past midnight counts in the next day's early hours.
    day = served["day"].to_numpy()[repeat] + pd.to_timedelta(
        absolute_hour // 24, unit="D"
    )
    return pd.DataFrame(
        {
            "day": day,
            "hour": absolute_hour % 24,
            "agent": served["server"].to_numpy()[repeat],
        }
    ).drop_duplicates()


def agents_per_weekday_hour(calls: pd.DataFrame) -> pd.DataFrame:
    """Return the mean number of distinct agents serving in each weekday-hour.

    An agent counts in an hour when any part of one of their calls falls in it.
    Calls without an agent (``server`` is ``NO_SERVER``) are left out. The total of
    each weekday-hour is divided by the number of days of that weekday in the log.

    Returns
    -------
    pandas.DataFrame
        Seven rows (``mon`` to ``sun``) and 24 columns (hours 0 to 23), in agents.
    """
    rows = _agent_hours(calls)
    rows["weekday"] = [
        WEEKDAYS[day] for day in pd.DatetimeIndex(rows["day"]).day_of_week
    ]
    totals = rows.groupby(["weekday", "hour"]).size()
    return _per_weekday_hour(totals, calls)


def fit_service_time(calls: pd.DataFrame) -> Lognormal:
    """Fit a lognormal service time to served calls by matching mean and sd.

    Only calls with outcome ``AGENT`` and a service time above zero count. The fit
    matches the sample mean and standard deviation, so the model's mean service
    time equals the log's. A maximum-likelihood fit on the logarithms would
    overstate the mean of a log with many very short calls.

    Returns
    -------
    Lognormal
        In seconds, with ``mean`` and ``sd`` rounded to 0.1 s.
    """
    times = calls.loc[
        (calls["outcome"] == "AGENT") & (calls["ser_time"] > 0), "ser_time"
    ]
    return Lognormal(
        dist="lognormal",
        mean=round(float(times.mean()), 1),
        sd=round(float(times.std()), 1),
    )


def estimate_patience(calls: pd.DataFrame) -> PatienceEstimate:
    """Estimate exponential patience of queued callers by maximum likelihood.

    Callers who hung up while queued reveal their patience: it equals their wait.
    Callers who were served, or whose call vanished (``PHANTOM``), were still
    patient when they left the queue, so their waits are right-censored. For an
    exponential distribution with censoring, the maximum-likelihood mean is the
    total queue wait of every queued caller divided by the number of hang-ups.

    Raises
    ------
    EventLogError
        If no queued caller hung up, so patience cannot be estimated.
    """
    queued = calls[calls["q_time"] > 0]
    hung_up = queued["outcome"] == "HANG"
    hang_ups = int(hung_up.sum())
    if hang_ups == 0:
        raise EventLogError(
            "no queued caller hung up, so patience cannot be estimated. "
            "Give the model a patience by hand"
        )
    exposure = float(queued["q_time"].sum())
    return PatienceEstimate(
        mean=exposure / hang_ups,
        hang_ups=hang_ups,
        censored=len(queued) - hang_ups,
        exposure=exposure,
    )


def kaplan_meier(waits: np.ndarray, hung_up: np.ndarray) -> pd.DataFrame:
    """Return the Kaplan-Meier survival curve of patience.

    Parameters
    ----------
    waits : numpy.ndarray
        Queue waits in seconds.
    hung_up : numpy.ndarray of bool
        True where the wait ended by hanging up (an observed patience), False
        where it was censored.

    Returns
    -------
    pandas.DataFrame
        Columns ``wait`` (each distinct observed patience, ascending) and
        ``survival`` (the estimated share of callers still patient after it).
    """
    waits = np.asarray(waits, dtype=float)
    hung_up = np.asarray(hung_up, dtype=bool)
    event_times, hang_ups = np.unique(waits[hung_up], return_counts=True)
    sorted_waits = np.sort(waits)
    at_risk = len(waits) - np.searchsorted(sorted_waits, event_times, side="left")
    survival = np.cumprod(1.0 - hang_ups / at_risk)
    return pd.DataFrame({"wait": event_times, "survival": survival})


def vru_time_quantiles(calls: pd.DataFrame, count: int = 50) -> list[float]:
    """Return ``count`` equally likely VRU times for an empirical distribution.

    The values are the quantiles at the midpoints of ``count`` equal probability
    bins of the VRU times of callers who went on to the agents' queue, rounded to
    whole seconds. Negative VRU times, which are clock errors, count as zero.
    """
    to_queue = calls[~_vru_hang_up(calls)]
    times = to_queue["vru_time"].clip(lower=0)
    levels = (np.arange(count) + 0.5) / count
    return [float(round(value)) for value in np.quantile(times, levels)]


def _vru_hang_up(calls: pd.DataFrame) -> pd.Series:
    return (calls["outcome"] == "HANG") & (calls["q_time"] == 0)


def vru_hang_up_share(calls: pd.DataFrame) -> float:
    """Return the share of callers who hung up before queueing for an agent.

    These calls have outcome ``HANG`` and no queue time: the caller left during
    the recorded messages of the VRU.
    """
    return float(_vru_hang_up(calls).mean())


def square_root_staffing(offered_load: pd.DataFrame, agent_hours: int) -> pd.DataFrame:
    """Spread a fixed number of agent hours over the weekday-hours by demand.

    Each weekday-hour with offered load ``R`` (in erlangs: calls per hour times
    the mean service time in hours) gets ``R + beta * sqrt(R)`` agents, the
    square-root staffing rule. ``beta`` is chosen so
    that the agents sum to ``agent_hours``, and the largest-remainder method rounds
    them to whole agents without changing the sum. An hour without load gets no
    agent.

    Parameters
    ----------
    offered_load : pandas.DataFrame
        Offered load per weekday (rows) and hour (columns), in erlangs.
    agent_hours : int
        The agent hours per week to spread.

    Returns
    -------
    pandas.DataFrame
        Whole agents per weekday-hour, summing to ``agent_hours``.

    Raises
    ------
    ValueError
        If there is no load, or ``agent_hours`` is below the total load, so the
        rule would put a negative number of agents in some hour.
    """
    load = offered_load.to_numpy(dtype=float)
    if load.sum() <= 0:
        raise ValueError(
            "the offered load is zero in every hour, so there is nothing to staff"
        )
    beta = (agent_hours - load.sum()) / np.sqrt(load).sum()
    if beta < 0:
        raise ValueError(
            f"{agent_hours} agent hours are fewer than the offered load of "
            f"{load.sum():.1f} erlang hours. Give at least that many agent hours"
        )
    exact = load + beta * np.sqrt(load)
    agents = np.floor(exact).astype(int)
    shortfall = agent_hours - agents.sum()
    largest_remainders = np.argsort(-(exact - agents), axis=None, kind="stable")
    agents.flat[largest_remainders[:shortfall]] += 1
    return pd.DataFrame(agents, index=offered_load.index, columns=offered_load.columns)
