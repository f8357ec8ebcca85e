"""The tables that show a process model: steps, routing, pools and arrival streams.

:mod:`workbench.tables` turns edited tables back into a model and re-exports the
functions here.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from workbench.model import ProcessModel
from workbench.table_files import STEP_COLUMNS

__all__ = [
    "STEP_COLUMNS",
    "ROUTING_COLUMNS",
    "POOL_COLUMNS",
    "STREAM_COLUMNS",
    "model_tables",
    "steps_frame",
    "routing_frame",
    "pools_frame",
    "streams_frame",
    "three_point",
]

ROUTING_COLUMNS = ("step", "route", "to", "probability", "label", "join")
POOL_COLUMNS = ("name", "capacity", "cost_per_hour")
STREAM_COLUMNS = (
    "name",
    "channel",
    "start",
    "rate_per_hour",
    "rate_per_day",
    "mean_interarrival",
    "open_hours_only",
    "priority",
    "backlog",
)


def model_tables(model: ProcessModel) -> dict[str, pd.DataFrame]:
    """Return the tables of ``model`` keyed steps, routing, pools and streams."""
    return dict(
        steps=steps_frame(model),
        routing=routing_frame(model),
        pools=pools_frame(model),
        streams=streams_frame(model),
    )


def steps_frame(model: ProcessModel) -> pd.DataFrame:
    """Return one row per step, with the columns in :data:`STEP_COLUMNS`.

    The time columns show a three-point view of the duration: a fixed time fills
    all three, a uniform time shows its midpoint as most likely, and a time without
    bounds (exponential, normal, lognormal) shows only its mean as most likely.
    """
    rows = []
    for step in model.steps:
        low, likely, high = three_point(step.duration)
        rows.append(
            {
                "name": step.name,
                "kind": step.kind,
                "lane": step.lane or "",
                "value_class": step.value_class,
                "pool": step.pool or "",
                "time_min": low,
                "time_likely": likely,
                "time_max": high,
                "pca": step.pca,
                "next": step.next or "",
                "end": step.end or "",
                "rework_to": step.rework_to or "",
                "touchpoint": step.touchpoint,
                "wait_for": step.wait_for or "",
            }
        )
    return pd.DataFrame(rows, columns=list(STEP_COLUMNS))


def three_point(duration: Any) -> tuple[float, float, float]:
    """Return ``(min, most likely, max)`` of a duration as the steps table shows it.

    NaN marks a value the distribution does not have, such as the bounds of an
    exponential time. A missing duration gives three NaN.
    """
    nan = math.nan
    if duration is None:
        return nan, nan, nan
    kind = duration.dist
    if kind == "fixed":
        return duration.value, duration.value, duration.value
    if kind == "triangular":
        return duration.min, duration.mode, duration.max
    if kind == "uniform":
        return duration.low, (duration.low + duration.high) / 2.0, duration.high
    if kind == "empirical":
        samples = sorted(duration.samples)
        return samples[0], float(pd.Series(samples).median()), samples[-1]
    return nan, duration.mean, nan


def routing_frame(model: ProcessModel) -> pd.DataFrame:
    """Return one row per decision branch or parallel branch (:data:`ROUTING_COLUMNS`).

    ``route`` is ``branch`` for a decision branch, with its probability, or
    ``parallel`` for a branch of a parallel split, with the split's join step.
    """
    rows = []
    for step in model.steps:
        for branch in step.branches or []:
            rows.append(
                {
                    "step": step.name,
                    "route": "branch",
                    "to": branch.to,
                    "probability": branch.probability,
                    "label": branch.label,
                    "join": "",
                }
            )
        if step.parallel is not None:
            for target in step.parallel.branches:
                rows.append(
                    {
                        "step": step.name,
                        "route": "parallel",
                        "to": target,
                        "probability": math.nan,
                        "label": "",
                        "join": step.parallel.join,
                    }
                )
    return pd.DataFrame(rows, columns=list(ROUTING_COLUMNS))


def pools_frame(model: ProcessModel) -> pd.DataFrame:
    """Return one row per staff pool (:data:`POOL_COLUMNS`)."""
    rows = [
        {"name": p.name, "capacity": p.capacity, "cost_per_hour": p.cost_per_hour}
        for p in model.pools
    ]
    return pd.DataFrame(rows, columns=list(POOL_COLUMNS))


def streams_frame(model: ProcessModel) -> pd.DataFrame:
    """Return one row per arrival stream (:data:`STREAM_COLUMNS`).

    Rates that the stream does not use are NaN.
    """
    rows = []
    for stream in model.arrivals:
        row = stream.model_dump(include=set(STREAM_COLUMNS))
        for rate in ("rate_per_hour", "rate_per_day", "mean_interarrival"):
            if row[rate] is None:
                row[rate] = math.nan
        rows.append(row)
    return pd.DataFrame(rows, columns=list(STREAM_COLUMNS))
