"""Gather the numbers, texts and maps of a savings report.

The headline and the yearly savings are read from the comparison of the after
model with the before model, the same numbers that ``workbench compare --json``
writes for the same settings and seed. The value-stream timeline and the lead-time
distribution come from the trace tables of the same two runs, so ``settings`` must
keep the visit rows (``keep_visits=True``, the default) for the timeline to show.
"""

from __future__ import annotations

import logging
import math
import re

import numpy as np
import pandas as pd

from workbench.model import ProcessModel
from workbench.report.attribution import SHARE_METRICS, Attribution, attribute_savings
from workbench.report.charts import StepTimes
from workbench.report.content import ReportContent, Row, Saving
from workbench.report.map_panels import draw_map_panels
from workbench.report.warnings import report_warnings
from workbench.savings import SavingsAssumptions
from workbench.sim.experiment import ExperimentSettings
from workbench.sim.trace import WAIT_CAUSES

__all__ = ["HEADLINE", "YEARLY", "PERCENTILES", "collect_report"]

logger = logging.getLogger(__name__)

#: Headline metrics: key in the comparison and label in the report.
HEADLINE = (
    ("steps_per_case", "Steps"),
    ("handoffs_per_case", "Handoffs"),
    ("lead_time_mean_minutes", "Lead time, mean"),
    ("waiting_time_mean_minutes", "Customer waiting time, mean"),
    ("staff_hours_per_case", "Staff time"),
    ("labour_cost_per_case", "Labour cost"),
)

#: Yearly savings: key in the comparison's savings, label and unit in the report.
YEARLY = (
    ("staff_hours", "Staff hours", "hours per year"),
    ("fte", "Staff (FTE)", "FTE"),
    ("labour_cost", "Labour cost", "currency per year"),
    ("customer_waiting_hours", "Customer waiting", "hours per year"),
)

_SCENARIO_SUFFIX = re.compile(r"\s*\((before|as-is|as is|current)\)\s*$", re.I)

#: Lead-time percentiles listed in the spreadsheet.
PERCENTILES = (10.0, 25.0, 50.0, 75.0, 90.0, 95.0)


def collect_report(
    before: ProcessModel,
    after: ProcessModel,
    settings: ExperimentSettings,
    assumptions: SavingsAssumptions | None = None,
    progress=None,
) -> ReportContent:
    """Simulate both models and the changes between them, and gather the report.

    Parameters
    ----------
    before, after : ProcessModel
        Validated models of the same process before and after the redesign.
    settings : ExperimentSettings
        Replications, seed and run length shared by every run.
    assumptions : SavingsAssumptions, optional
        Hours per FTE, yearly case volume and cost rate of the yearly savings.
    progress : callable, optional
        Called as ``progress(done, total)`` while the chain of models runs.

    Returns
    -------
    ReportContent

    Raises
    ------
    workbench.errors.SimulationError
        If a run breaks an invariant of the engine.
    """
    attribution = attribute_savings(before, after, settings, assumptions, progress)
    results = attribution.comparison.results
    traces = [results[attribution.before_name], results[attribution.after_name]]
    completed = [_completed_measured(trace.cases) for trace in traces]
    differences = _difference_rows(attribution)
    saving = attribution.comparison.savings[-1]
    maps, map_warnings = draw_map_panels(before, after)
    return ReportContent(
        title=f"{_process_name(before.name)}: before and after the redesign",
        before_name=before.name,
        after_name=after.name,
        problem=before.description.strip(),
        scope=after.description.strip(),
        before_map_svg=maps[0],
        after_map_svg=maps[1],
        headline=[_row(differences, key, label) for key, label in HEADLINE],
        cases_per_year=saving.cases_per_year,
        yearly=[_saving(saving, *entry) for entry in YEARLY],
        timeline_before=_timeline(before, traces[0].visits, completed[0]),
        timeline_after=_timeline(after, traces[1].visits, completed[1]),
        lead_times_before=completed[0]["lead_time"].tolist(),
        lead_times_after=completed[1]["lead_time"].tolist(),
        lead_time_percentiles=_percentiles(completed),
        changes=attribution.changes,
        share_metrics=[_row(differences, key, _label(key)) for key in SHARE_METRICS],
        assumptions=_assumptions(settings, saving) + _cost_rates(before, after),
        warnings=report_warnings(attribution, (before, after)) + map_warnings,
    )


def _process_name(name: str) -> str:
    """Return a scenario name without a trailing ``(before)``, ``(as-is)`` or such."""
    return _SCENARIO_SUFFIX.sub("", name) or name


def _difference_rows(attribution: Attribution) -> pd.DataFrame:
    differences = attribution.comparison.differences
    rows = differences[differences["scenario"] == attribution.after_name]
    return rows.set_index("metric")


def _label(metric: str) -> str:
    return dict(HEADLINE).get(metric, metric)


def _row(differences: pd.DataFrame, metric: str, label: str) -> Row:
    if metric not in differences.index:
        return Row(metric, label, "", math.nan, math.nan, math.nan)
    record = differences.loc[metric]
    return Row(
        metric=metric,
        label=label,
        unit=str(record["unit"]),
        before=float(record["before_mean"]),
        after=float(record["after_mean"]),
        change=float(record["change"]),
        ci_low=float(record["change_ci_low"]),
        ci_high=float(record["change_ci_high"]),
        percent_change=float(record["percent_change"]),
    )


def _saving(saving, key: str, label: str, unit: str) -> Saving:
    estimate = getattr(saving, key)
    return Saving(key, label, unit, estimate.mean, estimate.ci_low, estimate.ci_high)


def _completed_measured(cases: pd.DataFrame) -> pd.DataFrame:
    """Select the cases that arrived after the warm-up and completed."""
    measured = cases[~cases["in_warmup"].astype(bool)]
    return measured[~measured["end_state"].isin(("in_progress", "abandoned"))]


def _timeline(
    model: ProcessModel, visits: pd.DataFrame, completed: pd.DataFrame
) -> list[StepTimes]:
    """Compute the mean process and waiting minutes per completed case by step."""
    if visits.empty or completed.empty:
        return []
    keys = ["replication", "case_id"]
    own = visits.merge(completed[keys], on=keys)
    own = own[own["kind"] != "decision"]
    waiting = sum(own[f"{cause}_wait_time"] for cause in WAIT_CAUSES)
    totals = own.assign(waiting=waiting).groupby("step")[["process_time", "waiting"]]
    sums = totals.sum() / len(completed)
    order = [step.name for step in model.steps if step.name in sums.index]
    return [
        StepTimes(
            name, float(sums.at[name, "process_time"]), float(sums.at[name, "waiting"])
        )
        for name in order
    ]


def _percentiles(completed: list[pd.DataFrame]) -> list[tuple[float, float, float]]:
    rows = []
    for percentile in PERCENTILES:
        values = [_percentile(frame["lead_time"], percentile) for frame in completed]
        rows.append((percentile, *values))
    return rows


def _percentile(values: pd.Series, percentile: float) -> float:
    return float(np.percentile(values, percentile)) if len(values) else math.nan


def _assumptions(settings: ExperimentSettings, saving) -> list[tuple[str, str]]:
    length = (
        f"{settings.days:g} days"
        if settings.days is not None
        else f"{settings.cases} cases"
    )
    rows = [
        ("Replications", f"{settings.replications}"),
        ("Seed", f"{settings.seed}"),
        (
            "Run",
            f"{length} measured after a warm-up of {settings.warmup_days:g} days, "
            f"starting {settings.start_date:%A %Y-%m-%d}",
        ),
        (
            "Intervals",
            "95% Student t intervals over replications; both scenarios use the "
            "same random numbers, so changes use paired intervals",
        ),
    ]
    rows += [("Savings", text) for text in saving.assumptions]
    return rows


def _cost_rates(before: ProcessModel, after: ProcessModel) -> list[tuple[str, str]]:
    """Return each scenario's pool cost rates, per staff hour, as assumption rows."""
    rows = []
    for label, model in (("Cost rates, before", before), ("Cost rates, after", after)):
        rates = ", ".join(f"{pool.name} {pool.cost_per_hour:g}" for pool in model.pools)
        rows.append((label, f"{rates or 'no staff pools'} per staff hour"))
    return rows
