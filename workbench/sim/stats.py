"""Confidence intervals across replications, paired differences and precision checks.

Every interval is a Student t interval over independent replications: replication
``i`` gives one value of a metric, and the values of ``n`` replications give the mean
and its confidence interval with ``n - 1`` degrees of freedom. Two scenarios run with
the same seed share random streams replication by replication (common random
numbers), so their difference is estimated from the per-replication differences
(a paired t interval), which is usually much narrower than an unpaired interval.

NaN values (a replication where the metric is undefined, such as the lead time
when no case finished) are left out, and ``n`` counts the values used.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as scipy_stats

__all__ = [
    "CONFIDENCE",
    "TARGET_RELATIVE_HALF_WIDTH",
    "MAX_REPLICATIONS_SUGGESTED",
    "Estimate",
    "mean_ci",
    "paired_difference_ci",
    "unpaired_difference_ci",
    "percent_change_ci",
    "relative_half_width",
    "replications_needed",
    "precision_warning",
]

#: Confidence level of every interval unless a caller passes another one.
CONFIDENCE = 0.95

#: Largest acceptable half-width of a confidence interval, as a fraction of its mean.
TARGET_RELATIVE_HALF_WIDTH = 0.10

#: :func:`replications_needed` stops searching at this count and returns it.
MAX_REPLICATIONS_SUGGESTED = 100_000


@dataclass(frozen=True)
class Estimate:
    """A mean with its confidence interval.

    Attributes
    ----------
    mean : float
        The mean over replications (NaN when no value was usable).
    ci_low, ci_high : float
        The bounds of the confidence interval (NaN when ``n < 2``).
    half_width : float
        Half the width of the interval (NaN when ``n < 2``).
    n : int
        The number of replications used.
    """

    mean: float
    ci_low: float
    ci_high: float
    half_width: float
    n: int

    @property
    def relative_half_width(self) -> float:
        """The half-width as a fraction of ``|mean|``."""
        return relative_half_width(self)

    def as_dict(self) -> dict[str, float | int]:
        """Return the fields as a plain dictionary (for JSON)."""
        return {
            "mean": self.mean,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "half_width": self.half_width,
            "n": self.n,
        }


def _clean(values: Sequence[float] | np.ndarray) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    return array[~np.isnan(array)]


def _t_quantile(confidence: float, freedom: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(
            f"confidence must be between 0 and 1 (exclusive), received {confidence}"
        )
    return float(scipy_stats.t.ppf(0.5 + confidence / 2, freedom))


def _estimate(
    mean: float, standard_error: float, n: int, confidence: float
) -> Estimate:
    if n < 2:
        return Estimate(mean, math.nan, math.nan, math.nan, n)
    half_width = _t_quantile(confidence, n - 1) * standard_error
    return Estimate(mean, mean - half_width, mean + half_width, half_width, n)


def mean_ci(
    values: Sequence[float] | np.ndarray, confidence: float = CONFIDENCE
) -> Estimate:
    """Estimate the mean of ``values`` with a Student t confidence interval.

    Parameters
    ----------
    values : sequence of float
        One value per replication; NaN values are left out.
    confidence : float, default 0.95
        The confidence level of the interval.

    Returns
    -------
    Estimate
        The mean ± t(confidence, n - 1) · s / √n, where s is the sample standard
        deviation. With one value the bounds are NaN; with none the mean is NaN too.

    Raises
    ------
    ValueError
        If ``confidence`` is not strictly between 0 and 1.
    """
    data = _clean(values)
    n = data.size
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan, math.nan, 0)
    mean = float(data.mean())
    standard_error = float(data.std(ddof=1)) / math.sqrt(n) if n > 1 else math.nan
    return _estimate(mean, standard_error, n, confidence)


def _paired(
    before: Sequence[float] | np.ndarray, after: Sequence[float] | np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    first = np.asarray(before, dtype=float)
    second = np.asarray(after, dtype=float)
    if first.shape != second.shape:
        raise ValueError(
            "paired values need one value per replication in both scenarios, "
            f"received {first.size} before and {second.size} after"
        )
    usable = ~(np.isnan(first) | np.isnan(second))
    return first[usable], second[usable]


def paired_difference_ci(
    before: Sequence[float] | np.ndarray,
    after: Sequence[float] | np.ndarray,
    confidence: float = CONFIDENCE,
) -> Estimate:
    """Estimate ``after - before`` from values paired by replication index.

    Replication ``i`` of both scenarios ran with the same random streams, so the
    interval is the Student t interval of the differences ``after[i] - before[i]``.
    A pair with a NaN on either side is left out.

    Raises
    ------
    ValueError
        If the two sequences differ in length, or ``confidence`` is out of range.
    """
    first, second = _paired(before, after)
    return mean_ci(second - first, confidence)


def unpaired_difference_ci(
    before: Sequence[float] | np.ndarray,
    after: Sequence[float] | np.ndarray,
    confidence: float = CONFIDENCE,
) -> Estimate:
    """Estimate ``mean(after) - mean(before)`` treating the scenarios as independent.

    Uses Welch's t interval (unequal variances, Welch-Satterthwaite degrees of
    freedom). This is the interval without common random numbers; compare its
    width with :func:`paired_difference_ci` to see what the pairing gained.
    ``n`` is the smaller of the two sample sizes.
    """
    first, second = _clean(before), _clean(after)
    n = min(first.size, second.size)
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan, math.nan, 0)
    difference = float(second.mean() - first.mean())
    if n < 2:
        return Estimate(difference, math.nan, math.nan, math.nan, n)
    var_first = first.var(ddof=1) / first.size
    var_second = second.var(ddof=1) / second.size
    standard_error = math.sqrt(var_first + var_second)
    if standard_error == 0:
        return Estimate(difference, difference, difference, 0.0, n)
    freedom = (var_first + var_second) ** 2 / (
        var_first**2 / (first.size - 1) + var_second**2 / (second.size - 1)
    )
    half_width = _t_quantile(confidence, freedom) * standard_error
    return Estimate(
        difference, difference - half_width, difference + half_width, half_width, n
    )


def percent_change_ci(
    before: Sequence[float] | np.ndarray,
    after: Sequence[float] | np.ndarray,
    confidence: float = CONFIDENCE,
) -> Estimate:
    """Estimate the percentage change ``100 · (mean(after) / mean(before) - 1)``.

    The interval comes from the delta method for a ratio of paired means: with
    ``R = mean(after) / mean(before)`` and ``z[i] = after[i] - R · before[i]``, the
    standard error of ``R`` is ``s(z) / (√n · |mean(before)|)``, and the interval
    uses the Student t quantile with ``n - 1`` degrees of freedom.

    Returns
    -------
    Estimate
        In percent. All fields are NaN when the mean before is zero, because a
        change from zero has no percentage.

    Raises
    ------
    ValueError
        If the two sequences differ in length, or ``confidence`` is out of range.
    """
    first, second = _paired(before, after)
    n = first.size
    if n == 0 or first.mean() == 0:
        return Estimate(math.nan, math.nan, math.nan, math.nan, n)
    ratio = float(second.mean() / first.mean())
    change = 100.0 * (ratio - 1.0)
    if n < 2:
        return Estimate(change, math.nan, math.nan, math.nan, n)
    linearized = second - ratio * first
    standard_error = (
        100.0 * float(linearized.std(ddof=1)) / (math.sqrt(n) * abs(first.mean()))
    )
    return _estimate(change, standard_error, n, confidence)


def relative_half_width(estimate: Estimate) -> float:
    """Return the half-width of ``estimate`` divided by ``|mean|``.

    Returns 0 when both are zero (a metric that is exactly zero in every
    replication is precise), infinity when only the mean is zero, and NaN when
    the half-width is unknown (fewer than two replications).
    """
    if math.isnan(estimate.half_width):
        return math.nan
    if estimate.mean == 0:
        return 0.0 if estimate.half_width == 0 else math.inf
    return estimate.half_width / abs(estimate.mean)


def replications_needed(
    values: Sequence[float] | np.ndarray,
    target: float = TARGET_RELATIVE_HALF_WIDTH,
    confidence: float = CONFIDENCE,
) -> int | None:
    """Estimate how many replications give a relative half-width of ``target``.

    Returns the smallest ``m >= 2`` with ``t(confidence, m - 1) · s / √m <=
    target · |mean|``, where the mean and standard deviation ``s`` come from the
    replications run so far. This is an estimate, because ``s`` and the mean are
    themselves estimates; run the suggested count and check again.

    Parameters
    ----------
    values : sequence of float
        One value per replication run so far (at least two usable values).
    target : float, default 0.10
        The largest acceptable half-width as a fraction of the mean.
    confidence : float, default 0.95
        The confidence level of the interval.

    Returns
    -------
    int or None
        The count (at most :data:`MAX_REPLICATIONS_SUGGESTED`), or None when it
        cannot be estimated: fewer than two values, or a mean of zero with some
        spread.

    Raises
    ------
    ValueError
        If ``target`` is not positive or ``confidence`` is out of range.
    """
    if target <= 0:
        raise ValueError(f"target must be a positive fraction, received {target}")
    data = _clean(values)
    if data.size < 2:
        return None
    spread = float(data.std(ddof=1))
    allowed = target * abs(float(data.mean()))
    if spread == 0:
        return 2
    if allowed == 0:
        return None
    normal_quantile = scipy_stats.norm.ppf(0.5 + confidence / 2)
    count = max(2, math.ceil((normal_quantile * spread / allowed) ** 2))
    while count < MAX_REPLICATIONS_SUGGESTED:
        if _t_quantile(confidence, count - 1) * spread / math.sqrt(count) <= allowed:
            return count
        count += 1
    return MAX_REPLICATIONS_SUGGESTED


def precision_warning(
    metric: str,
    values: Sequence[float] | np.ndarray,
    target: float = TARGET_RELATIVE_HALF_WIDTH,
    confidence: float = CONFIDENCE,
    scenario: str | None = None,
) -> str | None:
    """Return a warning when the interval of ``metric`` is wider than ``target``.

    Parameters
    ----------
    metric : str
        The metric's name, used in the text.
    values : sequence of float
        One value per replication.
    target : float, default 0.10
        The largest acceptable half-width as a fraction of the mean.
    confidence : float, default 0.95
        The confidence level of the interval.
    scenario : str, optional
        The scenario's name, used in the text when given.

    Returns
    -------
    str or None
        None when the relative half-width is at most ``target`` or cannot be
        computed. Otherwise a sentence that names the metric and gives the
        half-width in percent of the mean and the estimated replication count.
    """
    estimate = mean_ci(values, confidence)
    relative = relative_half_width(estimate)
    if math.isnan(relative) or relative <= target:
        return None
    where = f"{scenario}: " if scenario else ""
    width = (
        "unbounded" if math.isinf(relative) else f"{100 * relative:.1f}% of the mean"
    )
    needed = replications_needed(values, target, confidence)
    if needed is None:
        advice = "the mean is zero, so no replication count reaches a relative target"
    else:
        advice = f"about {needed} replications would be enough"
    return (
        f"{where}{metric}: the {100 * confidence:g}% confidence interval half-width is "
        f"{width} (target {100 * target:g}%) with {estimate.n} replications; {advice}"
    )
