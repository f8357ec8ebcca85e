"""Before/after comparison of scenarios run with common random numbers.

:func:`compare_scenarios` runs every scenario with the same experiment settings and
seed, so replication ``i`` of each scenario draws from the same random sequences
wherever the models share stream and step names. Each metric difference then has
a paired 95% confidence interval (see :mod:`workbench.sim.stats`). The first
scenario is the baseline and every other scenario is compared with it.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.model import ProcessModel
from workbench.savings import (
    SavingsAssumptions,
    YearlySavings,
    yearly_case_volume,
    yearly_savings,
)
from workbench.sim.experiment import (
    ExperimentResult,
    ExperimentSettings,
    run_experiment,
)
from workbench.sim.metrics import metric_unit, replication_metrics, summarize_metrics
from workbench.sim.precision import HEADLINE_METRICS, scenario_warnings
from workbench.sim.serialize import json_safe, settings_dict
from workbench.sim.stats import (
    CONFIDENCE,
    TARGET_RELATIVE_HALF_WIDTH,
    mean_ci,
    paired_difference_ci,
    percent_change_ci,
    unpaired_difference_ci,
)

__all__ = [
    "HEADLINE_METRICS",
    "Comparison",
    "compare_scenarios",
    "scenario_names",
    "scenario_warnings",
]

DIFFERENCE_COLUMNS = (
    "scenario",
    "metric",
    "unit",
    "before_mean",
    "before_ci_low",
    "before_ci_high",
    "after_mean",
    "after_ci_low",
    "after_ci_high",
    "change",
    "change_ci_low",
    "change_ci_high",
    "unpaired_half_width",
    "percent_change",
    "percent_change_ci_low",
    "percent_change_ci_high",
)

Progress = Callable[[int, int], None]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Comparison:
    """The result of :func:`compare_scenarios`.

    Attributes
    ----------
    scenarios : list of str
        Scenario names; the first is the baseline.
    settings : ExperimentSettings
        The settings every scenario ran with.
    metrics : dict of str to pandas.DataFrame
        Replication metrics per scenario (one row per replication).
    summaries : dict of str to pandas.DataFrame
        Mean and confidence interval of every metric per scenario.
    differences : pandas.DataFrame
        One row per metric and non-baseline scenario, columns
        :data:`DIFFERENCE_COLUMNS`; ``change`` is after minus before.
    structure : pandas.DataFrame
        Structural metrics from the models (no simulation), one column per
        scenario, indexed by metric.
    savings : list of YearlySavings
        Yearly savings of each non-baseline scenario against the baseline.
    warnings : list of str
        Metrics whose interval is wider than the precision target, with the
        replications that would be enough, and other caveats.
    results : dict of str to ExperimentResult
        The experiment of each scenario with its trace tables, for charts and
        exports; :meth:`to_dict` leaves them out.
    """

    scenarios: list[str]
    settings: ExperimentSettings
    metrics: dict[str, pd.DataFrame]
    summaries: dict[str, pd.DataFrame]
    differences: pd.DataFrame
    structure: pd.DataFrame
    savings: list[YearlySavings]
    warnings: list[str] = field(default_factory=list)
    results: dict[str, ExperimentResult] = field(default_factory=dict, repr=False)

    def to_frame(self) -> pd.DataFrame:
        """Return the before/after table: one row per metric and scenario pair."""
        return self.differences.copy()

    def to_dict(self) -> dict:
        """Return the comparison as JSON-ready data (NaN becomes None).

        The layout is documented field by field in ``docs/simulation-output.md``.
        """
        return json_safe(
            {
                "scenarios": list(self.scenarios),
                "baseline": self.scenarios[0],
                "settings": settings_dict(self.settings),
                "structure": self.structure.to_dict(),
                "structure_changes": _structure_changes(self.structure),
                "metrics": {
                    name: summary.to_dict(orient="records")
                    for name, summary in self.summaries.items()
                },
                "differences": self.differences.to_dict(orient="records"),
                "savings": [saving.as_dict() for saving in self.savings],
                "warnings": list(self.warnings),
            }
        )


def _structure_changes(structure: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Return each non-baseline scenario's structural metrics minus the baseline's."""
    if structure.empty:
        return {}
    baseline = structure.iloc[:, 0]
    return {
        name: (structure[name] - baseline).to_dict() for name in structure.columns[1:]
    }


def scenario_names(models: Sequence[ProcessModel]) -> list[str]:
    """Return a distinct name per model: its own name, numbered when repeated.

    Two models both called "Permit intake" become "Permit intake (1)" and
    "Permit intake (2)".
    """
    names = [model.name for model in models]
    counts = {name: names.count(name) for name in names}
    seen: dict[str, int] = {}
    result = []
    for name in names:
        if counts[name] == 1:
            result.append(name)
            continue
        seen[name] = seen.get(name, 0) + 1
        result.append(f"{name} ({seen[name]})")
    return result


def _structure_frame(models: Sequence[ProcessModel], names: list[str]) -> pd.DataFrame:
    try:
        from workbench.structure import structural_metrics
    except ModuleNotFoundError as error:
        if error.name != "workbench.structure":
            raise
        # The module is optional for a comparison, which then has no structure rows.
        logger.warning("module workbench.structure not found, so no structural metrics")
        return pd.DataFrame(columns=names).rename_axis("metric")
    columns = {}
    for name, model in zip(names, models, strict=True):
        values = structural_metrics(model).as_dict()
        columns[name] = {
            key: float(value)
            for key, value in values.items()
            if isinstance(value, int | float) and not isinstance(value, bool)
        }
    frame = pd.DataFrame(columns)
    frame.index.name = "metric"
    return frame


def _difference_row(
    scenario: str,
    metric: str,
    before: pd.DataFrame,
    after: pd.DataFrame,
    confidence: float,
) -> dict:
    nan = np.full(len(before), math.nan)
    first = before[metric].to_numpy(dtype=float) if metric in before else nan
    second = after[metric].to_numpy(dtype=float) if metric in after else nan
    first_estimate = mean_ci(first, confidence)
    second_estimate = mean_ci(second, confidence)
    change = paired_difference_ci(first, second, confidence)
    percent = percent_change_ci(first, second, confidence)
    return {
        "scenario": scenario,
        "metric": metric,
        "unit": metric_unit(metric),
        "before_mean": first_estimate.mean,
        "before_ci_low": first_estimate.ci_low,
        "before_ci_high": first_estimate.ci_high,
        "after_mean": second_estimate.mean,
        "after_ci_low": second_estimate.ci_low,
        "after_ci_high": second_estimate.ci_high,
        "change": change.mean,
        "change_ci_low": change.ci_low,
        "change_ci_high": change.ci_high,
        "unpaired_half_width": unpaired_difference_ci(
            first, second, confidence
        ).half_width,
        "percent_change": percent.mean,
        "percent_change_ci_low": percent.ci_low,
        "percent_change_ci_high": percent.ci_high,
    }


def _ordered_metrics(before: pd.DataFrame, after: pd.DataFrame) -> list[str]:
    """Headline metrics first, then every other column of either table once."""
    columns = list(before.columns) + [c for c in after.columns if c not in before]
    headline = [metric for metric in HEADLINE_METRICS if metric in columns]
    return headline + [metric for metric in columns if metric not in headline]


def _differences(
    names: list[str], metrics: dict[str, pd.DataFrame], confidence: float
) -> pd.DataFrame:
    baseline = metrics[names[0]]
    rows = []
    for name in names[1:]:
        for metric in _ordered_metrics(baseline, metrics[name]):
            rows.append(
                _difference_row(name, metric, baseline, metrics[name], confidence)
            )
    return pd.DataFrame.from_records(rows, columns=list(DIFFERENCE_COLUMNS))


def _volume_warnings(names: list[str], models: Sequence[ProcessModel]) -> list[str]:
    baseline = yearly_case_volume(models[0])
    warnings = []
    for name, model in zip(names[1:], models[1:], strict=True):
        volume = yearly_case_volume(model)
        if not math.isclose(volume, baseline, rel_tol=1e-6):
            warnings.append(
                f"{name}: its arrival rates give {volume:,.0f} cases per year against "
                f"{baseline:,.0f} in {names[0]}; savings use the baseline volume, so "
                "check that the redesign really changes demand"
            )
    return warnings


def _run_all(
    models: Sequence[ProcessModel],
    settings: ExperimentSettings,
    progress: Progress | None,
) -> list[ExperimentResult]:
    total = len(models) * settings.replications
    results = []
    for index, model in enumerate(models):
        offset = index * settings.replications
        callback = None
        if progress is not None:

            def callback(done: int, _total: int, offset: int = offset) -> None:
                progress(offset + done, total)

        results.append(run_experiment(model, settings, progress=callback))
    return results


def _checked_names(
    models: Sequence[ProcessModel], names: Sequence[str] | None
) -> list[str]:
    if len(models) < 2:
        raise ValueError(
            f"a comparison needs at least two scenarios, received {len(models)}"
        )
    names = list(names) if names is not None else scenario_names(models)
    if len(names) != len(models) or len(set(names)) != len(names):
        raise ValueError(
            f"give one distinct name per scenario, received {names} "
            f"for {len(models)} scenarios"
        )
    return names


def _savings(
    names: list[str],
    metrics: dict[str, pd.DataFrame],
    baseline_model: ProcessModel,
    assumptions: SavingsAssumptions | None,
    confidence: float,
) -> list[YearlySavings]:
    baseline = metrics[names[0]]
    return [
        yearly_savings(
            baseline,
            metrics[name],
            baseline_model,
            assumptions,
            confidence,
            (names[0], name),
        )
        for name in names[1:]
    ]


def compare_scenarios(
    models: Sequence[ProcessModel],
    settings: ExperimentSettings,
    progress: Progress | None = None,
    *,
    names: Sequence[str] | None = None,
    assumptions: SavingsAssumptions | None = None,
    target: float = TARGET_RELATIVE_HALF_WIDTH,
    confidence: float = CONFIDENCE,
) -> Comparison:
    """Simulate every scenario with the same settings and seed, and compare them.

    Parameters
    ----------
    models : sequence of ProcessModel
        Two or more scenarios; the first is the baseline (the before-scenario).
    settings : workbench.sim.experiment.ExperimentSettings
        Replications, seed, run length and warm-up, shared by every scenario so
        that replications pair up (common random numbers).
    progress : callable, optional
        Called as ``progress(done, total)`` after each replication, counting the
        replications of all scenarios together.
    names : sequence of str, optional
        Scenario names; by default :func:`scenario_names` of the models.
    assumptions : SavingsAssumptions, optional
        Hours per FTE (default 1,720), yearly case volume and cost rate for the
        savings.
    target : float, default 0.10
        Largest acceptable confidence interval half-width as a fraction of the
        mean; wider headline metrics get a warning.
    confidence : float, default 0.95
        The confidence level of every interval.

    Returns
    -------
    Comparison

    Raises
    ------
    ValueError
        If fewer than two models are given, or the names do not match them.
    workbench.errors.SimulationError
        If a run breaks an invariant of the engine.
    """
    names = _checked_names(models, names)
    results = _run_all(models, settings, progress)
    metrics = {
        name: replication_metrics(result)
        for name, result in zip(names, results, strict=True)
    }
    warnings = []
    for name in names:
        warnings += scenario_warnings(metrics[name], name, target, confidence)
    if assumptions is None or assumptions.cases_per_year is None:
        warnings += _volume_warnings(names, models)
    return Comparison(
        scenarios=names,
        settings=settings,
        metrics=metrics,
        summaries={
            name: summarize_metrics(frame, confidence)
            for name, frame in metrics.items()
        },
        differences=_differences(names, metrics, confidence),
        structure=_structure_frame(models, names),
        savings=_savings(names, metrics, models[0], assumptions, confidence),
        warnings=warnings,
        results=dict(zip(names, results, strict=True)),
    )
