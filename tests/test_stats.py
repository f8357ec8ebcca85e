"""Confidence intervals, paired differences and precision checks."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from workbench.sim.stats import (
    Estimate,
    mean_ci,
    paired_difference_ci,
    percent_change_ci,
    precision_warning,
    relative_half_width,
    replications_needed,
    unpaired_difference_ci,
)


def test_mean_ci_by_hand():
    values = [10.0, 12.0, 14.0]

    estimate = mean_ci(values)

    # mean 12, s = 2, t(0.975, 2) = 4.302653, half-width = 4.302653 * 2 / sqrt(3)
    assert estimate.mean == pytest.approx(12.0)
    assert estimate.half_width == pytest.approx(4.302653 * 2 / math.sqrt(3), rel=1e-6)
    assert estimate.ci_low == pytest.approx(12.0 - estimate.half_width)
    assert estimate.ci_high == pytest.approx(12.0 + estimate.half_width)
    assert estimate.n == 3


def test_mean_ci_matches_scipy_interval():
    values = np.random.default_rng(7).lognormal(3.0, 0.5, size=25)

    estimate = mean_ci(values, confidence=0.9)
    low, high = scipy_stats.t.interval(
        0.9, len(values) - 1, loc=values.mean(), scale=scipy_stats.sem(values)
    )

    assert estimate.ci_low == pytest.approx(low)
    assert estimate.ci_high == pytest.approx(high)


def test_mean_ci_leaves_out_nan():
    estimate = mean_ci([1.0, math.nan, 3.0])

    assert estimate.n == 2
    assert estimate.mean == pytest.approx(2.0)


def test_mean_ci_single_value_has_no_interval():
    estimate = mean_ci([5.0])

    assert estimate.mean == 5.0
    assert math.isnan(estimate.half_width)
    assert math.isnan(estimate.ci_low)


def test_mean_ci_empty_is_nan():
    estimate = mean_ci([math.nan])

    assert estimate.n == 0
    assert math.isnan(estimate.mean)


def test_mean_ci_rejects_bad_confidence():
    with pytest.raises(ValueError, match="confidence must be between 0 and 1"):
        mean_ci([1.0, 2.0], confidence=95)


def test_paired_difference_matches_ttest_rel():
    rng = np.random.default_rng(11)
    before = rng.normal(100, 20, size=12)
    after = before - 8 + rng.normal(0, 3, size=12)

    estimate = paired_difference_ci(before, after)
    reference = scipy_stats.ttest_rel(after, before).confidence_interval(0.95)

    assert estimate.mean == pytest.approx(float(np.mean(after - before)))
    assert estimate.ci_low == pytest.approx(reference.low)
    assert estimate.ci_high == pytest.approx(reference.high)


def test_paired_difference_drops_incomplete_pairs():
    estimate = paired_difference_ci(
        [1.0, 2.0, math.nan, 4.0], [2.0, math.nan, 5.0, 6.0]
    )

    assert estimate.n == 2
    assert estimate.mean == pytest.approx(1.5)


def test_paired_difference_rejects_unequal_lengths():
    with pytest.raises(ValueError, match="3 before and 2 after"):
        paired_difference_ci([1.0, 2.0, 3.0], [1.0, 2.0])


def test_unpaired_difference_matches_welch():
    rng = np.random.default_rng(3)
    before = rng.normal(50, 5, size=10)
    after = rng.normal(45, 12, size=10)

    estimate = unpaired_difference_ci(before, after)
    reference = scipy_stats.ttest_ind(after, before, equal_var=False)
    interval = reference.confidence_interval(0.95)

    assert estimate.ci_low == pytest.approx(interval.low)
    assert estimate.ci_high == pytest.approx(interval.high)


def test_paired_narrower_than_unpaired_when_correlated():
    rng = np.random.default_rng(5)
    shared = rng.normal(100, 25, size=10)
    before = shared + rng.normal(0, 2, size=10)
    after = 0.8 * shared + rng.normal(0, 2, size=10)

    paired = paired_difference_ci(before, after)
    unpaired = unpaired_difference_ci(before, after)

    assert paired.half_width < unpaired.half_width / 3


def test_percent_change_of_exact_ratio_has_zero_width():
    before = [10.0, 20.0, 40.0]
    after = [7.5, 15.0, 30.0]

    estimate = percent_change_ci(before, after)

    assert estimate.mean == pytest.approx(-25.0)
    assert estimate.half_width == pytest.approx(0.0, abs=1e-12)


def test_percent_change_delta_method_by_hand():
    before = np.array([10.0, 12.0, 14.0, 16.0])
    after = np.array([9.0, 9.0, 12.0, 12.0])

    estimate = percent_change_ci(before, after)

    ratio = after.mean() / before.mean()  # 42 / 52
    linearized = after - ratio * before
    expected_half_width = (
        100 * scipy_stats.t.ppf(0.975, 3) * linearized.std(ddof=1) / (2 * before.mean())
    )
    assert estimate.mean == pytest.approx(100 * (42 / 52 - 1))
    assert estimate.half_width == pytest.approx(expected_half_width)


def test_percent_change_from_zero_is_nan():
    estimate = percent_change_ci([0.0, 0.0], [1.0, 2.0])

    assert math.isnan(estimate.mean)
    assert math.isnan(estimate.half_width)


def test_relative_half_width_cases():
    assert relative_half_width(Estimate(10.0, 9.0, 11.0, 1.0, 5)) == pytest.approx(0.1)
    assert relative_half_width(Estimate(-10.0, -11.0, -9.0, 1.0, 5)) == 0.1
    assert relative_half_width(Estimate(0.0, 0.0, 0.0, 0.0, 5)) == 0.0
    assert math.isinf(relative_half_width(Estimate(0.0, -1.0, 1.0, 1.0, 5)))
    assert math.isnan(
        relative_half_width(Estimate(3.0, math.nan, math.nan, math.nan, 1))
    )


def test_replications_needed_is_smallest_count():
    values = np.random.default_rng(1).normal(100, 30, size=8)
    spread, mean = values.std(ddof=1), values.mean()

    needed = replications_needed(values, target=0.05)

    def half_width(count: int) -> float:
        return scipy_stats.t.ppf(0.975, count - 1) * spread / math.sqrt(count)

    assert half_width(needed) <= 0.05 * mean
    assert half_width(needed - 1) > 0.05 * mean


def test_replications_needed_edge_cases():
    assert replications_needed([5.0]) is None
    assert replications_needed([5.0, 5.0, 5.0]) == 2
    assert replications_needed([-1.0, 1.0]) is None
    with pytest.raises(ValueError, match="positive fraction"):
        replications_needed([1.0, 2.0], target=0)


def test_precision_warning_names_metric_and_count():
    values = [80.0, 120.0, 95.0, 130.0, 70.0]

    text = precision_warning("lead_time_mean_minutes", values, scenario="before")

    assert text is not None
    assert text.startswith("before: lead_time_mean_minutes:")
    assert "(target 10%) with 5 replications" in text
    assert f"about {replications_needed(values)} replications" in text


def test_precision_warning_silent_when_precise():
    assert precision_warning("x", [100.0, 101.0, 99.0, 100.5]) is None


@given(
    st.lists(
        st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
        min_size=2,
        max_size=30,
    )
)
def test_mean_ci_contains_mean(values):
    estimate = mean_ci(values)

    assert estimate.ci_low <= estimate.mean + 1e-6
    assert estimate.ci_high >= estimate.mean - 1e-6
    assert estimate.half_width >= 0


def test_mean_ci_coverage_near_nominal():
    rng = np.random.default_rng(2026)
    samples = rng.normal(10.0, 3.0, size=(4000, 6))

    covered = 0
    for row in samples:
        estimate = mean_ci(row)
        covered += estimate.ci_low <= 10.0 <= estimate.ci_high

    # With 4000 intervals the coverage has a standard error of about 0.0034.
    assert 0.94 - 0.015 <= covered / 4000 <= 0.96 + 0.015
