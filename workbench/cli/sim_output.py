"""Text tables and JSON data printed by ``workbench simulate`` and ``compare``."""

from __future__ import annotations

import math

import pandas as pd

from workbench.model import ProcessModel
from workbench.sim.compare import HEADLINE_METRICS, Comparison
from workbench.sim.serialize import json_safe, settings_dict
from workbench.sim.stats import Estimate

__all__ = [
    "simulation_dict",
    "simulation_text",
    "comparison_text",
    "format_number",
    "printed_metrics",
]

# Metrics printed by default besides HEADLINE_METRICS and per-pool utilization;
# per-step queue columns are printed only with --all-metrics.
_MORE_METRICS = (
    "lead_time_median_minutes",
    "queue_wait_time_mean_minutes",
    "off_hours_wait_time_mean_minutes",
    "external_wait_time_mean_minutes",
    "batching_wait_time_mean_minutes",
    "va_time_mean_minutes",
    "activity_ratio_process_percent",
    "touchpoints_per_case",
    "end_state_abandoned_percent",
    "end_state_in_progress_percent",
    "measured_cases",
)


def format_number(value: float) -> str:
    """Format a number for a text table.

    Whole numbers and values from 1,000 up get no decimals and thousands
    separators, values below 1 three significant digits, and NaN becomes "n/a".
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    size = abs(value)
    if float(value).is_integer() or size >= 1000:
        return f"{value:,.0f}"
    if size >= 100:
        return f"{value:.1f}"
    if size >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def _interval(low: float, high: float) -> str:
    if math.isnan(low) or math.isnan(high):
        return "n/a"
    return f"{format_number(low)} to {format_number(high)}"


def printed_metrics(columns: list[str], all_metrics: bool) -> list[str]:
    """Return the metrics a text table shows, headline metrics first."""
    if all_metrics:
        return list(columns)
    chosen = [m for m in HEADLINE_METRICS if m in columns]
    chosen += [m for m in _MORE_METRICS if m in columns]
    chosen += [m for m in columns if m.startswith("utilization_percent[")]
    return chosen


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [len(header) for header in headers]
    for row in rows:
        widths = [
            max(width, len(cell)) for width, cell in zip(widths, row, strict=True)
        ]
    lines = []
    for row in [headers, *rows]:
        cells = [row[0].ljust(widths[0])]
        cells += [
            cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines) + "\n"


def _run_length(settings) -> str:
    length = (
        f"{settings.cases:,} measured cases"
        if settings.cases is not None
        else f"{settings.days:g} measured days"
    )
    return (
        f"{settings.replications} replications of {length} after "
        f"{settings.warmup_days:g} warm-up days, seed {settings.seed}"
    )


def _warning_lines(warnings: list[str]) -> str:
    if not warnings:
        return ""
    return "\nWarnings:\n" + "".join(f"  - {text}\n" for text in warnings)


def simulation_text(
    model: ProcessModel,
    settings,
    summary: pd.DataFrame,
    warnings: list[str],
    all_metrics: bool = False,
) -> str:
    """Return the text printed by ``workbench simulate``."""
    by_metric = summary.set_index("metric")
    rows = []
    for metric in printed_metrics(list(by_metric.index), all_metrics):
        record = by_metric.loc[metric]
        rows.append(
            [
                metric,
                format_number(record["mean"]),
                _interval(record["ci_low"], record["ci_high"]),
                record["unit"],
            ]
        )
    head = f"{model.name}: {_run_length(settings)}\n\n"
    table = _table(["metric", "mean", "95% CI", "unit"], rows)
    return head + table + _warning_lines(warnings)


def simulation_dict(
    model: ProcessModel,
    settings,
    summary: pd.DataFrame,
    metrics: pd.DataFrame,
    warnings: list[str],
) -> dict:
    """Return the JSON data printed by ``workbench simulate --json``."""
    replications = metrics.reset_index().to_dict(orient="records")
    return json_safe(
        {
            "model": model.name,
            "time_unit": model.time_unit,
            "settings": settings_dict(settings),
            "metrics": summary.to_dict(orient="records"),
            "replications": replications,
            "warnings": list(warnings),
        }
    )


def _structure_text(comparison: Comparison) -> str:
    structure = comparison.structure
    if structure.empty:
        return ""
    names = comparison.scenarios
    headers = ["metric", *names]
    headers += [f"change ({name})" for name in names[1:]]
    rows = []
    for metric, values in structure.iterrows():
        row = [str(metric)] + [format_number(values[name]) for name in names]
        row += [format_number(values[name] - values[names[0]]) for name in names[1:]]
        rows.append(row)
    return "Structure (from the models, no simulation)\n" + _table(headers, rows)


def _difference_text(comparison: Comparison, scenario: str, all_metrics: bool) -> str:
    frame = comparison.differences
    frame = frame[frame["scenario"] == scenario].set_index("metric")
    rows = []
    for metric in printed_metrics(list(frame.index), all_metrics):
        row = frame.loc[metric]
        rows.append(
            [
                metric,
                f"{format_number(row['before_mean'])} "
                f"({_interval(row['before_ci_low'], row['before_ci_high'])})",
                f"{format_number(row['after_mean'])} "
                f"({_interval(row['after_ci_low'], row['after_ci_high'])})",
                format_number(row["change"]),
                _interval(row["change_ci_low"], row["change_ci_high"]),
                _percent(row),
            ]
        )
    headers = ["metric", "before (95% CI)", "after (95% CI)", "change"]
    headers += ["change 95% CI", "% change (95% CI)"]
    title = (
        f"Simulated: {scenario} against {comparison.scenarios[0]} "
        "(change = after - before, paired by replication)\n"
    )
    return title + _table(headers, rows)


def _percent(row: pd.Series) -> str:
    if math.isnan(row["percent_change"]):
        return "n/a"
    low, high = row["percent_change_ci_low"], row["percent_change_ci_high"]
    interval = "n/a" if math.isnan(low) else f"{low:+.1f}% to {high:+.1f}%"
    return f"{row['percent_change']:+.1f}% ({interval})"


def _estimate_cell(estimate: Estimate) -> list[str]:
    return [format_number(estimate.mean), _interval(estimate.ci_low, estimate.ci_high)]


def _savings_text(comparison: Comparison) -> str:
    parts = []
    for saving in comparison.savings:
        rows = [
            ["staff hours", *_estimate_cell(saving.staff_hours)],
            ["FTE", *_estimate_cell(saving.fte)],
            ["labour cost", *_estimate_cell(saving.labour_cost)],
            ["customer waiting hours", *_estimate_cell(saving.customer_waiting_hours)],
        ]
        title = (
            f"Yearly savings of {saving.scenario} against {saving.baseline} "
            "(before - after, so positive is a saving)\n"
        )
        assumptions = "".join(f"  - {text}\n" for text in saving.assumptions)
        table = _table(["saving per year", "mean", "95% CI"], rows)
        parts.append(title + table + "Assumptions:\n" + assumptions)
    return "\n".join(parts)


def comparison_text(comparison: Comparison, all_metrics: bool = False) -> str:
    """Return the text printed by ``workbench compare``."""
    head = (
        f"{len(comparison.scenarios)} scenarios, each with "
        f"{_run_length(comparison.settings)} (common random numbers)\n\n"
    )
    sections = [_structure_text(comparison)]
    sections += [
        _difference_text(comparison, name, all_metrics)
        for name in comparison.scenarios[1:]
    ]
    sections.append(_savings_text(comparison))
    body = "\n".join(section for section in sections if section)
    return head + body + _warning_lines(comparison.warnings)
