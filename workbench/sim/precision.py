"""Warnings about the precision and run length behind simulated metrics.

A metric whose 95% confidence interval is wider than a target fraction of its mean
gets a warning with the replications that would be enough. A run that ends with
many measured cases still in progress gets a warning too, because per-case means
then cover mostly short cases.
"""

from __future__ import annotations

import pandas as pd

from workbench.sim.metrics import unfinished_warning
from workbench.sim.stats import (
    CONFIDENCE,
    TARGET_RELATIVE_HALF_WIDTH,
    precision_warning,
)

__all__ = ["HEADLINE_METRICS", "scenario_warnings"]

#: Metrics checked for precision and shown first in comparison tables. Per-pool
#: utilization columns are checked too.
HEADLINE_METRICS = (
    "lead_time_mean_minutes",
    "lead_time_p90_minutes",
    "waiting_time_mean_minutes",
    "process_time_mean_minutes",
    "activity_ratio_va_percent",
    "steps_per_case",
    "handoffs_per_case",
    "staff_hours_per_case",
    "labour_cost_per_case",
    "throughput_per_day",
    "wip_mean_cases",
)


def scenario_warnings(
    metrics: pd.DataFrame,
    scenario: str | None = None,
    target: float = TARGET_RELATIVE_HALF_WIDTH,
    confidence: float = CONFIDENCE,
) -> list[str]:
    """Return the precision and unfinished-case warnings of one scenario.

    Parameters
    ----------
    metrics : pandas.DataFrame
        Replication metrics from :func:`workbench.sim.metrics.replication_metrics`.
    scenario : str, optional
        The scenario's name, used in the texts when given.
    target : float, default 0.10
        Largest acceptable half-width as a fraction of the mean. The headline
        metrics and each pool's utilization are checked.
    confidence : float, default 0.95
        The confidence level of the intervals.

    Returns
    -------
    list of str
        A single text when there are fewer than two replications. Otherwise one
        text per metric that misses ``target`` (see
        :func:`workbench.sim.stats.precision_warning`), and one when many measured
        cases were unfinished (see :func:`workbench.sim.metrics.unfinished_warning`).
    """
    where = f"{scenario}: " if scenario else ""
    if len(metrics) < 2:
        return [
            f"{where}{len(metrics)} replication gives no confidence intervals; "
            "run at least 2, and 10 or more for useful intervals"
        ]
    checked = [metric for metric in HEADLINE_METRICS if metric in metrics]
    checked += [metric for metric in metrics if metric.startswith("utilization_")]
    warnings = []
    for metric in checked:
        values = metrics[metric].to_numpy(dtype=float)
        text = precision_warning(metric, values, target, confidence, scenario)
        if text:
            warnings.append(text)
    unfinished = unfinished_warning(metrics, scenario)
    if unfinished:
        warnings.append(unfinished)
    return warnings
