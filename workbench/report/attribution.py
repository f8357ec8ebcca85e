"""Each redesign change's share of the saving.

The changes are applied one at a time (see
:func:`workbench.report.applying.apply_in_order`), and every intermediate model
runs with the same settings and seed as the before and after models, so all of them
draw the same random numbers wherever they share structure. A change's saving on a
metric is the mean of the model before it minus the mean of the model after it, so
the savings of all changes add up to the whole redesign's saving.

The order matters: a change applied after another can save more or less than the
same change applied first (removing a queue saves more where the queue is long).
The shares are therefore those of the listed order only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from workbench.model import ProcessModel
from workbench.report.applying import apply_in_order
from workbench.report.changes import ReportChange, change_list
from workbench.report.content import ChangeShare
from workbench.savings import SavingsAssumptions
from workbench.sim.compare import Comparison, compare_scenarios, scenario_names

__all__ = ["SHARE_METRICS", "Attribution", "attribute_savings", "change_shares"]

#: Metrics whose saving the change list divides among the changes.
SHARE_METRICS = (
    "lead_time_mean_minutes",
    "waiting_time_mean_minutes",
    "staff_hours_per_case",
    "labour_cost_per_case",
)


@dataclass(frozen=True)
class Attribution:
    """The comparison of every model in the chain, and each change's share.

    Attributes
    ----------
    comparison : Comparison
        Every model of the chain compared with the before model: ``before``, one
        scenario per intermediate model, then ``after``.
    names : list of str
        The scenario names of the chain in order; the first and the last are the
        names of the before and after models in ``workbench compare``.
    changes : list of ChangeShare
        One entry per change, in the order applied.
    """

    comparison: Comparison
    names: list[str]
    changes: list[ChangeShare]

    @property
    def before_name(self) -> str:
        """The scenario name of the before model."""
        return self.names[0]

    @property
    def after_name(self) -> str:
        """The scenario name of the after model."""
        return self.names[-1]

    @property
    def intermediate_names(self) -> list[str]:
        """The scenario names of the models between before and after."""
        return self.names[1:-1]


def attribute_savings(
    before: ProcessModel,
    after: ProcessModel,
    settings,
    assumptions: SavingsAssumptions | None = None,
    progress=None,
) -> Attribution:
    """Compare ``before`` and ``after`` and share the saving among the changes.

    Parameters
    ----------
    before, after : ProcessModel
        Validated models of the same process.
    settings : workbench.sim.experiment.ExperimentSettings
        Shared by every model of the chain (common random numbers).
    assumptions : SavingsAssumptions, optional
        Hours per FTE, yearly volume and cost rate of the yearly savings.
    progress : callable, optional
        Called as ``progress(done, total)`` after each replication of the chain.

    Returns
    -------
    Attribution
        Its comparison's ``after`` scenario against ``before`` has the numbers of
        ``compare_scenarios([before, after], settings)`` with the same settings.

    Raises
    ------
    workbench.errors.SimulationError
        If a run breaks an invariant of the engine.
    """
    changes, models = apply_in_order(before, after, change_list(before, after))
    if len(models) < 2:
        models = [before, after]
    names = _chain_names(before, after, len(models) - 2)
    comparison = compare_scenarios(
        models, settings, progress, names=names, assumptions=assumptions
    )
    shares = change_shares(comparison, names, changes)
    return Attribution(comparison=comparison, names=names, changes=shares)


def _chain_names(before: ProcessModel, after: ProcessModel, middle: int) -> list[str]:
    first, last = scenario_names([before, after])
    steps = [f"{first} + changes 1 to {index}" for index in range(1, middle + 1)]
    return [first, *steps, last]


def change_shares(
    comparison: Comparison,
    names: Sequence[str],
    changes: Sequence[ReportChange],
    metrics: Sequence[str] = SHARE_METRICS,
) -> list[ChangeShare]:
    """Compute each change's saving and share from the chain's metric means.

    Change ``k`` (from 1) saves ``mean[k - 1] - mean[k]`` of each metric, where
    ``mean[k]`` is the metric's mean over the replications of ``names[k]``. Its
    share is that saving as a percentage of ``mean[0] - mean[-1]``, the whole
    saving; NaN when the whole saving is zero or unknown.
    """
    means = [_means(comparison, name, metrics) for name in names]
    result = []
    for index, change in enumerate(changes, start=1):
        savings, shares = {}, {}
        for metric in metrics:
            saving = means[index - 1][metric] - means[index][metric]
            total = means[0][metric] - means[-1][metric]
            savings[metric] = saving
            shares[metric] = 100.0 * saving / total if total else math.nan
        result.append(
            ChangeShare(
                label=change.label,
                action=change.action,
                description=change.describe(),
                recorded=change.recorded,
                savings=savings,
                shares=shares,
            )
        )
    return result


def _means(comparison: Comparison, name: str, metrics: Sequence[str]) -> dict:
    summary = comparison.summaries[name].set_index("metric")["mean"]
    return {metric: float(summary.get(metric, math.nan)) for metric in metrics}
