"""Readable labels, units and number formats for comparison tables.

The comparison tables of :mod:`workbench.sim.compare` name metrics by id, such as
``lead_time_mean_minutes`` or ``utilization_percent[Counter clerks]``, and keep
times in minutes. This module turns them into the labels, units and rounded
numbers that a workshop audience reads. The raw tables stay unchanged for
downloads.
"""

from __future__ import annotations

import math
import re

import pandas as pd

__all__ = [
    "METRIC_LABELS",
    "STRUCTURE_LABELS",
    "DETAIL_PREFIXES",
    "metric_label",
    "structure_label",
    "label_metric_ids",
    "format_number",
    "round_significant",
    "format_interval",
    "format_percent_change",
    "time_unit_for",
    "readable_differences",
    "readable_structure",
]

#: Labels of the scenario-level metrics, in the order the tables list them.
METRIC_LABELS = {
    "lead_time_mean_minutes": "Lead time, mean",
    "lead_time_median_minutes": "Lead time, median",
    "lead_time_p90_minutes": "Lead time, 90th percentile",
    "waiting_time_mean_minutes": "Waiting time, mean",
    "queue_wait_time_mean_minutes": "Waiting in queue for staff, mean",
    "off_hours_wait_time_mean_minutes": "Waiting outside working hours, mean",
    "external_wait_time_mean_minutes": "External waiting, mean",
    "batching_wait_time_mean_minutes": "Waiting for a batch, mean",
    "process_time_mean_minutes": "Process time, mean",
    "va_time_mean_minutes": "Value-added time, mean",
    "activity_ratio_va_percent": "Activity ratio (VA time)",
    "activity_ratio_process_percent": "Activity ratio (process time)",
    "steps_per_case": "Steps per case",
    "handoffs_per_case": "Handoffs per case",
    "touchpoints_per_case": "Touchpoints per case",
    "staff_hours_per_case": "Staff time per case",
    "labour_cost_per_case": "Labour cost per case",
    "throughput_per_day": "Throughput (completed cases)",
    "wip_mean_cases": "Work in progress, mean",
    "measured_cases": "Measured cases per replication",
    "completed_cases": "Completed cases per replication",
}

#: Labels of the structural metrics that :mod:`workbench.structure` computes.
STRUCTURE_LABELS = {
    "steps": "Steps (task and wait)",
    "va_steps": "Value-added steps",
    "bva_steps": "Business-value-added steps",
    "nva_steps": "Non-value-added steps",
    "decisions": "Decisions",
    "lanes": "Lanes",
    "handoff_edges": "Handoff edges",
    "rework_loops": "Rework loops (%C&A below 100)",
    "routing_cycles": "Routing cycles",
    "touchpoint_steps": "Touchpoint steps",
    "rolled_pca_percent": "Rolled %C&A (percent)",
    "expected_steps_per_case": "Expected steps per case",
    "expected_handoffs_per_case": "Expected handoffs per case",
    "expected_touchpoints_per_case": "Expected touchpoints per case",
    "expected_decisions_per_case": "Expected decisions per case",
}

#: Id prefixes of the per-pool and per-step metrics.
DETAIL_PREFIXES = ("utilization_percent[", "queue_mean_cases[", "queue_max_cases[")

_BRACKETED = {
    "utilization_percent": "Utilization of {}",
    "queue_mean_cases": "Queue length at {}, mean",
    "queue_max_cases": "Queue length at {}, max",
}
_BRACKETED_ID = re.compile(r"^(?P<base>[a-z_]+)\[(?P<name>.*)\]$")
_END_STATE_ID = re.compile(r"^end_state_(?P<state>[a-z_]+)_percent$")

_UNIT_LABELS = {
    "percent": "%",
    "count per case": "per case",
    "staff hours per case": "hours per case",
}

#: Time units for display: name and minutes per unit, from the largest.
_TIME_UNITS = (("days", 1440.0), ("hours", 60.0), ("minutes", 1.0))

#: A time is shown in a unit once it reaches this many of that unit.
_MIN_UNITS_SHOWN = 2.0

_MISSING = "–"


def metric_label(metric: str) -> str:
    """Return the readable label of a comparison metric id.

    Unknown ids are returned unchanged, so a new metric still shows.
    """
    if metric in METRIC_LABELS:
        return METRIC_LABELS[metric]
    bracketed = _BRACKETED_ID.match(metric)
    if bracketed and bracketed["base"] in _BRACKETED:
        return _BRACKETED[bracketed["base"]].format(bracketed["name"])
    if metric == "end_state_in_progress_percent":
        return "Cases in progress at the end"
    end_state = _END_STATE_ID.match(metric)
    if end_state:
        return f"Cases ending {end_state['state'].replace('_', ' ')}"
    return metric


_METRIC_ID = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+(?:\[[^\]]*\])?")


def label_metric_ids(text: str) -> str:
    """Replace the metric ids in ``text``, such as a precision warning, by labels.

    Words that are not metric ids, such as ``in_progress``, are left as they are.
    """

    def replace(match: re.Match) -> str:
        label = metric_label(match[0])
        return match[0] if label == match[0] else f"'{label}'"

    return _METRIC_ID.sub(replace, text)


def structure_label(metric: str) -> str:
    """Return the readable label of a structural metric id, or the id if unknown."""
    return STRUCTURE_LABELS.get(metric, metric)


def format_number(value: float, digits: int = 3, reference: float | None = None) -> str:
    """Format ``value`` with ``digits`` significant digits and thousands separators.

    Values with ``digits`` or more digits before the decimal point show without
    decimals, so no digit shows as a misleading zero. With ``reference``, the
    number of decimals is the one that gives ``reference`` its ``digits``
    significant digits, so a mean and its interval bounds line up. NaN and None
    become an en dash.
    """
    if _is_missing(value):
        return _MISSING
    value = float(value)
    basis = value if _is_missing(reference) or reference == 0 else float(reference)
    if abs(basis) >= 10 ** (digits - 1) or basis == 0:
        decimals = 0
    else:
        decimals = digits - 1 - math.floor(math.log10(abs(basis)))
        # Rounding can carry into a new digit, as 0.99996 becomes 1.000.
        if abs(round(basis, decimals)) >= 10 ** (digits - decimals):
            decimals = max(decimals - 1, 0)
    text = f"{value:,.{decimals}f}"
    return (
        text[1:] if text.startswith("-") and float(text.replace(",", "")) == 0 else text
    )


def round_significant(value: float, digits: int = 3) -> float:
    """Round ``value`` as :func:`format_number` shows it, keeping it a number."""
    if _is_missing(value) or value == 0:
        return value
    if abs(value) >= 10 ** (digits - 1):
        return float(round(value))
    return round(float(value), digits - 1 - math.floor(math.log10(abs(value))))


def format_interval(
    mean: float,
    low: float,
    high: float,
    scale: float = 1.0,
    digits: int = 3,
    reference: float | None = None,
) -> str:
    """Format a mean and its confidence interval as ``mean [low, high]``.

    All three values are divided by ``scale`` first, such as 60 to turn
    minutes into hours, and get the decimals that give ``reference`` (default
    the mean, in the same unit as the mean) ``digits`` significant digits. A
    missing interval leaves only the mean.
    """
    basis = _scaled(mean if reference is None else reference, scale)
    text = format_number(_scaled(mean, scale), digits, basis)
    if _is_missing(mean) or _is_missing(low) or _is_missing(high):
        return text
    low_text = format_number(_scaled(low, scale), digits, basis)
    high_text = format_number(_scaled(high, scale), digits, basis)
    return f"{text} [{low_text}, {high_text}]"


def format_percent_change(value: float) -> str:
    """Format a percent change with its sign and one decimal below 100 percent.

    Examples: ``-88.9%``, ``+0.3%``, ``+945%``.
    """
    if _is_missing(value):
        return _MISSING
    decimals = 0 if abs(value) >= 100 else 1
    text = f"{value:+,.{decimals}f}%"
    return text[1:] if float(text[1:-1].replace(",", "")) == 0 else text


def time_unit_for(minutes: float) -> tuple[str, float]:
    """Return the unit name and minutes per unit that suit a time in minutes.

    The largest of days (24 hours), hours and minutes in which ``minutes``
    reaches 2 units is chosen, so 4,712 minutes show as 3.27 days and 95
    minutes stay minutes.
    """
    if _is_missing(minutes):
        return "minutes", 1.0
    for name, size in _TIME_UNITS:
        if abs(minutes) >= _MIN_UNITS_SHOWN * size:
            return name, size
    return "minutes", 1.0


def readable_differences(frame: pd.DataFrame) -> pd.DataFrame:
    """Turn a before/after table into labelled, rounded text columns.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows of one scenario pair from ``Comparison.to_frame()``, with the
        columns ``metric``, ``unit``, ``before_mean``, ``before_ci_low``,
        ``before_ci_high``, the same for ``after`` and ``change``, and
        ``percent_change``. Times are in minutes.

    Returns
    -------
    pandas.DataFrame
        Columns ``metric``, ``unit``, ``before (95% CI)``, ``after (95% CI)``,
        ``change (95% CI)`` and ``% change``, all text. Times move to hours or
        days when the larger of the two means reaches two of that unit, and the
        ``unit`` column names the unit used. Rows follow :data:`METRIC_LABELS`
        first, then the rest in their given order.
    """
    rows = [_readable_row(record) for record in _ordered(frame).to_dict("records")]
    return pd.DataFrame(rows, columns=_READABLE_COLUMNS)


_READABLE_COLUMNS = [
    "metric",
    "unit",
    "before (95% CI)",
    "after (95% CI)",
    "change (95% CI)",
    "% change",
]


def _ordered(frame: pd.DataFrame) -> pd.DataFrame:
    rank = {metric: index for index, metric in enumerate(METRIC_LABELS)}
    order = frame["metric"].map(lambda metric: rank.get(metric, len(rank)))
    return frame.assign(_order=order).sort_values("_order", kind="stable")


def _readable_row(record: dict) -> dict:
    unit, scale = _display_unit(record)
    row = {"metric": metric_label(record["metric"]), "unit": unit}
    for part in ("before", "after"):
        row[f"{part} (95% CI)"] = format_interval(
            record[f"{part}_mean"],
            record[f"{part}_ci_low"],
            record[f"{part}_ci_high"],
            scale,
        )
    # The change gets one decimal more than the larger mean, so a change near
    # zero reads as 0.000 rather than as a long tiny number.
    row["change (95% CI)"] = format_interval(
        record["change"],
        record["change_ci_low"],
        record["change_ci_high"],
        scale,
        digits=4,
        reference=_larger_mean(record),
    )
    row["% change"] = format_percent_change(record["percent_change"])
    return row


def _display_unit(record: dict) -> tuple[str, float]:
    unit = str(record["unit"])
    if unit != "minutes":
        return _UNIT_LABELS.get(unit, unit), 1.0
    return time_unit_for(_larger_mean(record))


def _larger_mean(record: dict) -> float:
    return max(
        (
            abs(record[column])
            for column in ("before_mean", "after_mean")
            if not _is_missing(record[column])
        ),
        default=math.nan,
    )


def readable_structure(structure: pd.DataFrame) -> pd.DataFrame:
    """Label and round a structure table (metrics by row, scenarios by column).

    Returns the same layout with readable row labels and values as text: whole
    numbers such as step counts without decimals, others with three significant
    digits.
    """
    table = structure.map(_format_structure_value)
    table.index = [structure_label(metric) for metric in structure.index]
    table.index.name = "structure"
    return table


def _format_structure_value(value: float) -> str:
    if not _is_missing(value) and float(value).is_integer():
        return f"{value:,.0f}"
    return format_number(value)


def _scaled(value: float, scale: float) -> float:
    return math.nan if _is_missing(value) else float(value) / scale


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))
