"""The content of a savings report, independent of its format.

:class:`ReportContent` contains every number, text and chart of one report. The HTML,
PDF and XLSX writers only lay it out, so all formats show the same numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from workbench.report.charts import StepTimes

__all__ = ["Row", "Saving", "ChangeShare", "ReportContent", "display_value"]


@dataclass(frozen=True)
class Row:
    """One metric of both scenarios with the change and its confidence interval.

    Attributes
    ----------
    metric : str
        The metric's key, as in the ``workbench compare --json`` output.
    label : str
        The metric as the report names it, such as ``Lead time, mean``.
    unit : str
        The unit of every number in the row, such as ``minutes``.
    before, after : float
        The means of both scenarios over the replications.
    change : float
        ``after - before``, the mean of the paired differences.
    ci_low, ci_high : float
        The 95% confidence interval of ``change``; NaN when not known.
    percent_change : float
        ``change`` as a percentage of ``before``; NaN when ``before`` is zero.
    """

    metric: str
    label: str
    unit: str
    before: float
    after: float
    change: float
    ci_low: float = math.nan
    ci_high: float = math.nan
    percent_change: float = math.nan


@dataclass(frozen=True)
class Saving:
    """One yearly saving of the redesign with its confidence interval.

    Attributes
    ----------
    metric : str
        The saving's key in the ``savings`` of ``workbench compare --json``.
    label, unit : str
        The saving as the report names it, and its unit.
    mean : float
        Before minus after per year, so a positive number is a saving.
    ci_low, ci_high : float
        Its 95% confidence interval; NaN when not known.
    """

    metric: str
    label: str
    unit: str
    mean: float
    ci_low: float = math.nan
    ci_high: float = math.nan


@dataclass(frozen=True)
class ChangeShare:
    """One change of the redesign with its share of each saving.

    Attributes
    ----------
    label, action, description : str
        The change's label, action and the element differences it applies.
    recorded : bool
        True when the after-model records the change in ``changes``.
    savings : dict of str to float
        Per metric key, how much applying this change lowered the metric, in the
        metric's unit (negative when the change raised it).
    shares : dict of str to float
        Per metric key, ``savings`` as a percentage of the whole redesign's saving;
        NaN when the redesign does not change the metric.
    """

    label: str
    action: str
    description: str
    recorded: bool
    savings: dict[str, float] = field(default_factory=dict)
    shares: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ReportContent:
    """Everything one savings report shows.

    Attributes
    ----------
    title : str
        The report's heading.
    before_name, after_name : str
        The names of both models.
    problem, scope : str
        The descriptions of the before and the after model.
    before_map_svg, after_map_svg : str
        Inline ``<svg>`` swimlane maps; empty when a map could not be drawn.
    headline : list of Row
        Steps, handoffs, lead time, customer waiting, staff hours and cost per case.
    cases_per_year : float
        The yearly case volume that the savings are scaled to.
    yearly : list of Saving
        Yearly staff hours, FTE, labour cost and customer waiting hours saved.
    timeline_before, timeline_after : list of StepTimes
        Process and waiting time per step, in minutes per case.
    lead_times_before, lead_times_after : list of float
        Lead times of the completed measured cases of all replications, in minutes.
    lead_time_percentiles : list of (float, float, float)
        Percentile, before and after lead time in minutes, from the same cases.
    changes : list of ChangeShare
        The change list in the order the changes were applied.
    share_metrics : list of Row
        The headline rows whose savings the change list divides among the changes.
    assumptions : list of (str, str)
        Each assumption's name and value as text.
    warnings : list of str
        Every warning of the comparison and of the report.
    """

    title: str
    before_name: str
    after_name: str
    problem: str
    scope: str
    before_map_svg: str
    after_map_svg: str
    headline: list[Row]
    cases_per_year: float
    yearly: list[Saving]
    timeline_before: list[StepTimes]
    timeline_after: list[StepTimes]
    lead_times_before: list[float]
    lead_times_after: list[float]
    lead_time_percentiles: list[tuple[float, float, float]]
    changes: list[ChangeShare]
    share_metrics: list[Row]
    assumptions: list[tuple[str, str]]
    warnings: list[str]


def display_value(value: float, digits: int = 3) -> str:
    """Format a number for a reader: about ``digits`` significant digits.

    NaN shows as ``n/a``. Numbers of 1,000 and more are rounded to whole units with
    thousands separators.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if value == 0:
        return "0"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(value))))
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
