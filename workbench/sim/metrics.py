"""LEAN metrics of simulated replications, computed from the trace tables.

:func:`replication_metrics` turns an experiment's trace tables (see
:mod:`workbench.sim.trace`) into one row per replication and one column per metric;
:func:`summarize` adds the mean and 95% confidence interval of each metric across
replications. Every metric name ends in its unit, and :func:`metric_unit` returns it.

Two populations of cases are used, both limited to measured cases (arrived after
the warm-up):

- *completed* cases reached an end state other than ``abandoned``. Lead time,
  waiting, process and VA time, the activity ratios, and steps, handoffs and
  touchpoints per case are means over completed cases.
- *finished* cases reached any end state, ``abandoned`` included, because callers
  who hang up still cost staff time in earlier steps. Staff hours and labour cost
  per case are means over finished cases.

End-state shares are over every measured case, so ``in_progress`` is one of them.
Throughput and WIP are rates and time averages over the measured period, so they
also count cases that arrived during the warm-up but were present after it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from workbench.sim.stats import CONFIDENCE, mean_ci, relative_half_width
from workbench.sim.trace import WAIT_CAUSES

__all__ = [
    "END_STATES",
    "UNFINISHED_WARNING_PERCENT",
    "MeasuredPeriod",
    "metric_unit",
    "metrics_from_tables",
    "replication_metrics",
    "summarize",
    "summarize_metrics",
    "unfinished_warning",
]

#: End states of the case table, ``in_progress`` meaning not finished at the end.
END_STATES = ("resolved", "withdrawn", "abandoned", "transferred_out", "in_progress")

#: :func:`unfinished_warning` warns when more measured cases than this share, in
#: percent, are still in progress at the end of the run.
UNFINISHED_WARNING_PERCENT = 5.0

_DAY_MINUTES = 1440.0

# Units by the suffix of a metric name; per-pool and per-step metrics append
# "[name]" to the base name, which metric_unit strips first.
_UNIT_SUFFIXES = (
    ("_minutes", "minutes"),
    ("_percent", "percent"),
    ("_per_day", "cases per day"),
    ("staff_hours_per_case", "staff hours per case"),
    ("labour_cost_per_case", "currency per case"),
    ("_per_case", "count per case"),
    ("_cases", "cases"),
)


@dataclass(frozen=True)
class MeasuredPeriod:
    """The measured part of one replication, in minutes since the simulation start.

    Attributes
    ----------
    start : float
        The end of the warm-up.
    end : float
        The end of the run.
    """

    start: float
    end: float

    @property
    def days(self) -> float:
        """The length of the period in days of 1,440 minutes."""
        return (self.end - self.start) / _DAY_MINUTES


def metric_unit(metric: str) -> str:
    """Return the unit of a metric named by :func:`metrics_from_tables`.

    Raises
    ------
    KeyError
        If the name does not end in a known unit.
    """
    base = metric.split("[", 1)[0]
    for suffix, unit in _UNIT_SUFFIXES:
        if base.endswith(suffix):
            return unit
    raise KeyError(f"no unit known for metric {metric!r}")


def _completed(cases: pd.DataFrame) -> pd.DataFrame:
    return cases[~cases["end_state"].isin(("in_progress", "abandoned"))]


def _finished(cases: pd.DataFrame) -> pd.DataFrame:
    return cases[cases["end_state"] != "in_progress"]


def _mean(series: pd.Series) -> float:
    return float(series.mean()) if len(series) else math.nan


def _ratio_percent(numerator: pd.Series, denominator: pd.Series) -> float:
    total = float(denominator.sum())
    return 100.0 * float(numerator.sum()) / total if total > 0 else math.nan


def _time_metrics(completed: pd.DataFrame) -> dict[str, float]:
    lead = completed["lead_time"]
    row = {
        "lead_time_mean_minutes": _mean(lead),
        "lead_time_median_minutes": float(lead.median()) if len(lead) else math.nan,
        "lead_time_p90_minutes": float(lead.quantile(0.9)) if len(lead) else math.nan,
    }
    waiting = sum(completed[f"{cause}_wait_time"] for cause in WAIT_CAUSES)
    for cause in WAIT_CAUSES:
        row[f"{cause}_wait_time_mean_minutes"] = _mean(completed[f"{cause}_wait_time"])
    row["waiting_time_mean_minutes"] = _mean(waiting)
    row["process_time_mean_minutes"] = _mean(completed["process_time"])
    row["va_time_mean_minutes"] = _mean(completed["va_time"])
    # Ratios of sums, so long cases weigh by their length as in a value-stream map.
    row["activity_ratio_va_percent"] = _ratio_percent(completed["va_time"], lead)
    row["activity_ratio_process_percent"] = _ratio_percent(
        completed["process_time"], lead
    )
    return row


def _count_metrics(measured: pd.DataFrame, completed: pd.DataFrame) -> dict:
    row = {
        "steps_per_case": _mean(completed["steps"]),
        "handoffs_per_case": _mean(completed["handoffs"]),
        "touchpoints_per_case": _mean(completed["touchpoints"]),
        "measured_cases": float(len(measured)),
        "completed_cases": float(len(completed)),
    }
    shares = measured["end_state"].value_counts()
    for state in END_STATES:
        count = float(shares.get(state, 0))
        share = 100.0 * count / len(measured) if len(measured) else math.nan
        row[f"end_state_{state}_percent"] = share
    return row


def _staff_metrics(finished: pd.DataFrame) -> dict[str, float]:
    return {
        "staff_hours_per_case": _mean(finished["staff_time"]) / 60.0,
        "labour_cost_per_case": _mean(finished["labour_cost"]),
    }


def _flow_metrics(cases: pd.DataFrame, period: MeasuredPeriod) -> dict[str, float]:
    """Throughput and time-average WIP over the measured period, all cases counted.

    NOTE: in a run by case count the period ends when the last case ends, so it
    includes a drain without arrivals and both values fall below steady state.
    """
    if period.end <= period.start:
        return {"throughput_per_day": math.nan, "wip_mean_cases": math.nan}
    ends = cases["end_at"]
    departed = _completed(cases)["end_at"]
    in_period = departed[(departed >= period.start) & (departed < period.end)]
    # Each case adds the part of [arrival, end) that overlaps the measured period;
    # a case still in progress stays until the end of the run.
    present_from = cases["arrival_at"].clip(lower=period.start)
    present_to = ends.fillna(period.end).clip(upper=period.end)
    overlap = (present_to - present_from).clip(lower=0.0)
    return {
        "throughput_per_day": len(in_period) / period.days,
        "wip_mean_cases": float(overlap.sum()) / (period.end - period.start),
    }


def _pool_metrics(pools: pd.DataFrame) -> dict[str, float]:
    return {
        f"utilization_percent[{row.pool}]": 100.0 * float(row.utilization)
        for row in pools.itertuples()
    }


def _queue_metrics(queues: pd.DataFrame) -> dict[str, float]:
    row: dict[str, float] = {}
    for record in queues.itertuples():
        row[f"queue_mean_cases[{record.step}]"] = float(record.mean_queue)
        row[f"queue_max_cases[{record.step}]"] = float(record.max_queue)
    return row


def _one_replication(
    cases: pd.DataFrame,
    pools: pd.DataFrame,
    queues: pd.DataFrame,
    period: MeasuredPeriod,
) -> dict[str, float]:
    measured = cases[~cases["in_warmup"].astype(bool)]
    completed = _completed(measured)
    row = _time_metrics(completed)
    row.update(_count_metrics(measured, completed))
    row.update(_flow_metrics(cases, period))
    row.update(_staff_metrics(_finished(measured)))
    row.update(_pool_metrics(pools))
    row.update(_queue_metrics(queues))
    return row


def _split(table: pd.DataFrame) -> dict[int, pd.DataFrame]:
    return {int(key): group for key, group in table.groupby("replication", sort=False)}


def metrics_from_tables(
    cases: pd.DataFrame,
    pools: pd.DataFrame,
    queues: pd.DataFrame,
    periods: dict[int, MeasuredPeriod],
) -> pd.DataFrame:
    """Compute the metrics of each replication from its trace tables.

    Parameters
    ----------
    cases, pools, queues : pandas.DataFrame
        Trace tables with the columns of :mod:`workbench.sim.trace`, for any number
        of replications (the ``replication`` column identifies each).
    periods : dict of int to MeasuredPeriod
        The measured period of each replication. Its keys define the rows, so a
        replication without any case still gets a row (with NaN time metrics).

    Returns
    -------
    pandas.DataFrame
        Indexed by replication, one column per metric. Names end in their unit
        (:func:`metric_unit`). Per-pool columns are ``utilization_percent[<pool>]``
        and per-step columns ``queue_mean_cases[<step>]`` and
        ``queue_max_cases[<step>]``, using the names of the model.
    """
    by_case = _split(cases)
    by_pool = _split(pools)
    by_queue = _split(queues)
    rows = {}
    for replication, period in sorted(periods.items()):
        rows[replication] = _one_replication(
            by_case.get(replication, cases.iloc[:0]),
            by_pool.get(replication, pools.iloc[:0]),
            by_queue.get(replication, queues.iloc[:0]),
            period,
        )
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "replication"
    return frame


def _periods_of(result) -> dict[int, MeasuredPeriod]:
    """Read the measured period of each replication from an experiment result."""
    return {
        int(replication): MeasuredPeriod(float(start), float(end))
        for replication, (start, end) in result.run_minutes.items()
    }


def replication_metrics(result) -> pd.DataFrame:
    """Compute one row of LEAN metrics per replication of an experiment.

    Parameters
    ----------
    result : workbench.sim.experiment.ExperimentResult
        A finished experiment; its ``cases``, ``pools`` and ``queues`` tables are
        read, and the visit table is not needed.

    Returns
    -------
    pandas.DataFrame
        See :func:`metrics_from_tables`.
    """
    return metrics_from_tables(
        result.cases, result.pools, result.queues, _periods_of(result)
    )


def summarize_metrics(
    metrics: pd.DataFrame,
    confidence: float = CONFIDENCE,
    columns: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Estimate the mean and confidence interval of each metric column.

    Parameters
    ----------
    metrics : pandas.DataFrame
        One row per replication, as returned by :func:`replication_metrics`.
    confidence : float, default 0.95
        The confidence level of the intervals.
    columns : iterable of str, optional
        The metrics to summarize; all columns by default.

    Returns
    -------
    pandas.DataFrame
        One row per metric with columns ``metric``, ``mean``, ``ci_low``,
        ``ci_high``, ``half_width``, ``relative_half_width``, ``n`` and ``unit``.
    """
    records = []
    for metric in columns if columns is not None else metrics.columns:
        estimate = mean_ci(metrics[metric].to_numpy(dtype=float), confidence)
        record = {"metric": metric, **estimate.as_dict()}
        record["relative_half_width"] = relative_half_width(estimate)
        record["unit"] = metric_unit(metric)
        records.append(record)
    order = ["metric", "mean", "ci_low", "ci_high", "half_width"]
    order += ["relative_half_width", "n", "unit"]
    return pd.DataFrame.from_records(records, columns=order)


def summarize(result, confidence: float = CONFIDENCE) -> pd.DataFrame:
    """Compute every metric of an experiment with its mean and confidence interval.

    Equivalent to ``summarize_metrics(replication_metrics(result), confidence)``.
    """
    return summarize_metrics(replication_metrics(result), confidence)


def unfinished_warning(
    metrics: pd.DataFrame,
    scenario: str | None = None,
    limit: float = UNFINISHED_WARNING_PERCENT,
) -> str | None:
    """Return a warning when many measured cases were unfinished at the end.

    Lead times and per-case means cover finished cases only, so when long cases
    are still in progress at the end of a run, these means lean towards short
    cases.

    Parameters
    ----------
    metrics : pandas.DataFrame
        Replication metrics from :func:`replication_metrics`.
    scenario : str, optional
        The scenario's name, used in the text when given.
    limit : float, default 5.0
        The largest acceptable mean share of measured cases in progress, in
        percent.

    Returns
    -------
    str or None
        None when the mean share is at most ``limit`` or unknown.
    """
    share = float(metrics["end_state_in_progress_percent"].mean())
    if math.isnan(share) or share <= limit:
        return None
    where = f"{scenario}: " if scenario else ""
    return (
        f"{where}{share:.1f}% of measured cases were still in progress when the run "
        f"ended (limit {limit:g}%), so lead times and per-case means lean towards "
        "short cases; run more days or run by --cases"
    )
