"""Scenario comparison with the real engine: common random numbers, savings, JSON."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from workbench.loading import parse_model
from workbench.savings import (
    HOURS_PER_FTE,
    SavingsAssumptions,
    yearly_case_volume,
    yearly_savings,
)
from workbench.sim.compare import compare_scenarios, scenario_names
from workbench.sim.experiment import ExperimentSettings
from workbench.sim.stats import paired_difference_ci, unpaired_difference_ci

COUNTER = """
name: {name}
time_unit: minutes
lanes:
  - name: Front desk
  - name: Back office
pools:
  - name: Clerks
    capacity: {capacity}
    cost_per_hour: 40
arrivals:
  - name: Walk-in
    start: Check form
    rate_per_hour: 5
steps:
  - name: Check form
    lane: Front desk
    pool: Clerks
    value_class: BVA
    duration: {{dist: exponential, mean: 10}}
    next: Review
  - name: Review
    lane: Back office
    pool: Clerks
    value_class: VA
    duration: {{dist: exponential, mean: 8}}
    end: resolved
"""

# The same counter with the review merged into the check: one step, no handoff.
MERGED = """
name: Counter merged
time_unit: minutes
lanes:
  - name: Front desk
pools:
  - name: Clerks
    capacity: 2
    cost_per_hour: 40
arrivals:
  - name: Walk-in
    start: Check form
    rate_per_hour: 5
steps:
  - name: Check form
    lane: Front desk
    pool: Clerks
    value_class: VA
    duration: {dist: exponential, mean: 10}
    end: resolved
"""

SETTINGS = ExperimentSettings(replications=12, days=5, jobs=1)

# 5 cases per hour around the clock for 365 days.
CASES_PER_YEAR = 5 * 24 * 365


@pytest.fixture(scope="module")
def staffing_comparison():
    before = parse_model(COUNTER.format(name="Counter", capacity=2))
    after = parse_model(COUNTER.format(name="Counter", capacity=3))
    return compare_scenarios([before, after], SETTINGS)


@pytest.fixture(scope="module")
def merge_comparison():
    before = parse_model(COUNTER.format(name="Counter", capacity=2))
    return compare_scenarios([before, parse_model(MERGED)], SETTINGS)


def test_scenario_names_number_repeats(staffing_comparison):
    assert staffing_comparison.scenarios == ["Counter (1)", "Counter (2)"]


def test_scenario_names_keep_distinct_names():
    models = [parse_model(COUNTER.format(name=n, capacity=2)) for n in ("A", "B")]

    assert scenario_names(models) == ["A", "B"]


def test_same_arrivals_in_both_scenarios(staffing_comparison):
    first, second = staffing_comparison.results.values()

    arrivals_before = first.cases[["replication", "arrival_at"]].to_numpy()
    arrivals_after = second.cases[["replication", "arrival_at"]].to_numpy()

    assert np.array_equal(arrivals_before, arrivals_after)


def test_paired_interval_narrower_than_unpaired(staffing_comparison):
    before, after = staffing_comparison.metrics.values()
    metric = "lead_time_mean_minutes"

    paired = paired_difference_ci(before[metric], after[metric])
    unpaired = unpaired_difference_ci(before[metric], after[metric])

    assert paired.half_width < unpaired.half_width
    row = staffing_comparison.to_frame().set_index("metric").loc[metric]
    assert row["change_ci_high"] - row["change"] == pytest.approx(paired.half_width)
    assert row["unpaired_half_width"] == pytest.approx(unpaired.half_width)


def test_more_staff_cuts_waiting(staffing_comparison):
    frame = staffing_comparison.to_frame().set_index("metric")

    waiting = frame.loc["waiting_time_mean_minutes"]

    assert waiting["change_ci_high"] < 0
    assert waiting["percent_change"] < 0
    assert waiting["after_mean"] < waiting["before_mean"]


def test_difference_rows_follow_replications(staffing_comparison):
    before, after = staffing_comparison.metrics.values()
    frame = staffing_comparison.to_frame().set_index("metric")
    metric = "utilization_percent[Clerks]"

    expected_change = float((after[metric] - before[metric]).mean())

    assert frame.loc[metric, "change"] == pytest.approx(expected_change)
    assert frame.loc[metric, "before_mean"] == pytest.approx(before[metric].mean())


def test_yearly_volume_from_arrival_rate():
    model = parse_model(MERGED)

    assert yearly_case_volume(model) == pytest.approx(CASES_PER_YEAR)


def test_merge_saves_review_staff_time(merge_comparison):
    saving = merge_comparison.savings[0]

    # The review took 8 minutes on average, so the merge saves 8/60 h per case.
    expected_hours = 8 / 60 * CASES_PER_YEAR
    assert saving.cases_per_year == pytest.approx(CASES_PER_YEAR)
    assert saving.staff_hours.ci_low < expected_hours < saving.staff_hours.ci_high
    assert saving.fte.mean == pytest.approx(saving.staff_hours.mean / HOURS_PER_FTE)
    assert saving.labour_cost.mean == pytest.approx(
        40 * saving.staff_hours.mean, rel=0.02
    )


def test_savings_follow_assumptions(merge_comparison):
    before, after = merge_comparison.metrics.values()
    assumptions = SavingsAssumptions(
        hours_per_fte=1600, cases_per_year=1000, cost_per_hour=50
    )

    saving = yearly_savings(before, after, parse_model(MERGED), assumptions)

    per_case = (before["staff_hours_per_case"] - after["staff_hours_per_case"]).mean()
    assert saving.staff_hours.mean == pytest.approx(1000 * per_case)
    assert saving.fte.mean == pytest.approx(1000 * per_case / 1600)
    assert saving.labour_cost.mean == pytest.approx(50 * 1000 * per_case)
    assert any("given by the user" in text for text in saving.assumptions)
    assert any("1,600 working hours per FTE" in text for text in saving.assumptions)


def test_savings_assumptions_reject_bad_values():
    with pytest.raises(ValueError, match="hours per FTE must be positive"):
        SavingsAssumptions(hours_per_fte=0)
    with pytest.raises(ValueError, match="cases per year must not be negative"):
        SavingsAssumptions(cases_per_year=-1)


def test_merge_changes_structure(merge_comparison):
    pytest.importorskip("workbench.structure")

    changes = merge_comparison.to_dict()["structure_changes"]["Counter merged"]

    assert list(merge_comparison.structure.columns) == merge_comparison.scenarios
    assert changes["steps"] == -1
    assert changes["expected_handoffs_per_case"] == pytest.approx(-1)


def test_precision_warnings_name_scenario_and_metric():
    models = [
        parse_model(COUNTER.format(name="Counter", capacity=2)),
        parse_model(MERGED),
    ]

    comparison = compare_scenarios(
        models, ExperimentSettings(replications=3, days=1, jobs=1)
    )

    assert comparison.warnings
    assert any(
        text.startswith("Counter: lead_time_mean_minutes:")
        for text in comparison.warnings
    )
    assert all("replications" in text for text in comparison.warnings)


def test_to_dict_is_strict_json(merge_comparison):
    text = json.dumps(merge_comparison.to_dict(), allow_nan=False)

    data = json.loads(text)
    assert data["baseline"] == "Counter"
    assert data["scenarios"] == ["Counter", "Counter merged"]
    assert data["settings"]["replications"] == 12
    assert len(data["savings"]) == 1
    metrics = {row["metric"] for row in data["metrics"]["Counter merged"]}
    assert "lead_time_mean_minutes" in metrics


def test_progress_counts_all_scenarios():
    calls = []
    models = [parse_model(COUNTER.format(name=n, capacity=2)) for n in ("A", "B")]

    compare_scenarios(
        models,
        ExperimentSettings(replications=2, days=1, jobs=1),
        lambda done, total: calls.append((done, total)),
    )

    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_compare_needs_two_scenarios():
    with pytest.raises(ValueError, match="at least two scenarios, received 1"):
        compare_scenarios([parse_model(MERGED)], SETTINGS)


def test_changed_volume_is_warned():
    before = parse_model(MERGED)
    after = parse_model(MERGED.replace("rate_per_hour: 5", "rate_per_hour: 4"))

    comparison = compare_scenarios(
        [before, after], ExperimentSettings(replications=2, days=1, jobs=1)
    )

    assert any("cases per year" in text for text in comparison.warnings)
    assert not math.isnan(comparison.savings[0].cases_per_year)


def test_removed_pool_has_no_after_values():
    before = parse_model(MERGED)
    after = parse_model(MERGED.replace("Clerks", "Agents"))

    comparison = compare_scenarios(
        [before, after], ExperimentSettings(replications=2, days=1, jobs=1)
    )

    frame = comparison.to_frame().set_index("metric")
    removed = frame.loc["utilization_percent[Clerks]"]
    added = frame.loc["utilization_percent[Agents]"]
    assert removed["before_mean"] > 0
    assert math.isnan(removed["after_mean"])
    assert math.isnan(removed["change"])
    assert math.isnan(added["before_mean"])
    assert added["after_mean"] > 0


def test_single_replication_is_warned():
    models = [parse_model(COUNTER.format(name=n, capacity=2)) for n in ("A", "B")]

    comparison = compare_scenarios(
        models, ExperimentSettings(replications=1, days=1, jobs=1)
    )

    assert comparison.warnings[0].startswith("A: 1 replication gives no confidence")
    assert len(comparison.warnings) == 2
