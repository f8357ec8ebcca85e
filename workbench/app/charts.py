"""Plotly charts and tables of a before/after comparison.

The tables are in minutes. The charts show times in minutes, hours or days,
whichever :func:`workbench.labels.time_unit_for` picks for the largest bar or the
90th percentile, and name the unit on the axis.
"""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from workbench.labels import time_unit_for
from workbench.sim.trace import WAIT_CAUSES

__all__ = [
    "completed_cases",
    "distribution_figure",
    "value_stream_frame",
    "value_stream_figure",
    "utilization_frame",
    "utilization_figure",
    "step_load",
]

_WAIT_COLUMNS = [f"{cause}_wait_time" for cause in WAIT_CAUSES]


def completed_cases(comparison) -> pd.DataFrame:
    """Return the measured, completed cases of all scenarios, tagged by ``scenario``.

    Completed means an end state other than ``abandoned`` or ``in_progress``, as in
    :mod:`workbench.sim.metrics`.
    """
    frames = []
    for name in comparison.scenarios:
        cases = comparison.results[name].cases
        done = cases[
            ~cases["in_warmup"] & ~cases["end_state"].isin(["abandoned", "in_progress"])
        ].copy()
        done["waiting_time"] = done[_WAIT_COLUMNS].sum(axis=1)
        done["scenario"] = name
        frames.append(done)
    return pd.concat(frames, ignore_index=True)


def distribution_figure(comparison, column: str, title: str) -> go.Figure:
    """Return overlaid histograms of a case column (minutes) for each scenario.

    The unit of the x axis suits the 90th percentile of all scenarios' values.
    """
    cases = completed_cases(comparison)
    unit, scale = time_unit_for(cases[column].quantile(0.9) if len(cases) else 0.0)
    cases[column] = cases[column] / scale
    figure = px.histogram(
        cases,
        x=column,
        color="scenario",
        barmode="overlay",
        histnorm="percent",
        opacity=0.6,
        labels={column: f"{title} ({unit})"},
    )
    figure.update_layout(yaxis_title="percent of cases", title=title)
    return figure


def value_stream_frame(comparison, step_order: list[str] | None = None) -> pd.DataFrame:
    """Return process and waiting minutes per completed case at each step.

    One row per scenario and task or wait step, with ``process_time`` and
    ``waiting_time`` summed over the visits of completed cases and divided by
    the number of completed cases. Steps follow ``step_order`` when given (steps
    missing from it come last), else the order in which they were first visited.
    """
    completed = completed_cases(comparison)
    rows = []
    for name in comparison.scenarios:
        done = completed.loc[completed["scenario"] == name, ["replication", "case_id"]]
        visits = comparison.results[name].visits.merge(
            done, on=["replication", "case_id"]
        )
        visits = visits[visits["kind"] != "decision"]
        visits = visits.assign(waiting_time=visits[_WAIT_COLUMNS].sum(axis=1))
        totals = visits.groupby("step")[["process_time", "waiting_time"]].sum()
        count = max(len(done), 1)
        for step in _ordered_steps(visits, step_order):
            rows.append(
                {
                    "scenario": name,
                    "step": step,
                    "process_time": totals.loc[step, "process_time"] / count,
                    "waiting_time": totals.loc[step, "waiting_time"] / count,
                }
            )
    return pd.DataFrame(
        rows, columns=["scenario", "step", "process_time", "waiting_time"]
    )


def _ordered_steps(visits: pd.DataFrame, step_order: list[str] | None) -> list[str]:
    visited = list(visits.sort_values("arrival_at")["step"].drop_duplicates())
    if not step_order:
        return visited
    rank = {step: index for index, step in enumerate(step_order)}
    return sorted(visited, key=lambda step: rank.get(step, len(rank)))


def value_stream_figure(comparison, step_order: list[str] | None = None) -> go.Figure:
    """Return a value-stream timeline: process and waiting minutes per step.

    See :func:`value_stream_frame` for ``step_order``.
    """
    frame = value_stream_frame(comparison, step_order)
    largest = frame[["process_time", "waiting_time"]].max().max() if len(frame) else 0
    unit, scale = time_unit_for(largest)
    long = frame.melt(
        id_vars=["scenario", "step"],
        value_vars=["process_time", "waiting_time"],
        var_name="time",
        value_name=unit,
    )
    long[unit] = long[unit] / scale
    long["time"] = long["time"].map(
        {"process_time": "process time", "waiting_time": "waiting time"}
    )
    figure = px.bar(
        long,
        x=unit,
        y="step",
        color="time",
        facet_col="scenario",
        orientation="h",
        color_discrete_map={"process time": "#2a9d8f", "waiting time": "#e76f51"},
    )
    figure.update_yaxes(autorange="reversed")
    figure.for_each_annotation(
        lambda note: note.update(text=note.text.split("=", 1)[-1])
    )
    figure.update_layout(
        title=f"Value stream: {unit} per completed case at each step",
        legend_title_text="",
    )
    return figure


def utilization_frame(comparison) -> pd.DataFrame:
    """Return the mean utilization (percent) of each pool in each scenario."""
    rows = []
    for name, metrics in comparison.metrics.items():
        for column in metrics.columns:
            if column.startswith("utilization_percent["):
                pool = column.removeprefix("utilization_percent[").removesuffix("]")
                rows.append(
                    {
                        "scenario": name,
                        "pool": pool,
                        "utilization_percent": metrics[column].mean(),
                    }
                )
    return pd.DataFrame(rows, columns=["scenario", "pool", "utilization_percent"])


def utilization_figure(comparison) -> go.Figure:
    """Return a bar chart of mean utilization per pool and scenario."""
    figure = px.bar(
        utilization_frame(comparison),
        x="pool",
        y="utilization_percent",
        color="scenario",
        barmode="group",
        range_y=[0, 100],
        labels={"utilization_percent": "utilization (percent)", "pool": "staff pool"},
    )
    figure.update_layout(title="Utilization per staff pool (percent)")
    return figure


def step_load(comparison, scenario: str, model, measure: str) -> dict[str, float]:
    """Return a value per step of ``model`` for shading the map by load.

    ``measure`` is ``utilization`` (mean utilization of the step's pool, percent)
    or ``queue`` (the step's time-weighted mean queue length, cases). Steps without
    a pool, or without a queue, get no value.
    """
    metrics = comparison.metrics[scenario].mean(numeric_only=True)
    if measure == "utilization":
        values = {
            step.name: metrics.get(f"utilization_percent[{step.pool}]")
            for step in model.steps
            if step.pool
        }
    else:
        values = {
            step.name: metrics.get(f"queue_mean_cases[{step.name}]")
            for step in model.steps
        }
    return {name: float(v) for name, v in values.items() if v is not None and v > 0}
