"""Labels, units and number formats of comparison tables."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from workbench.labels import (
    format_interval,
    format_number,
    format_percent_change,
    label_metric_ids,
    metric_label,
    readable_differences,
    readable_structure,
    time_unit_for,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (4711.904, "4,712"),
        (247.06, "247"),
        (13.03, "13.0"),
        (4.1177, "4.12"),
        (0.003260, "0.00326"),
        (-6.8448, "-6.84"),
        (16.0, "16.0"),
        (0.99996, "1.00"),
        (99.96, "100"),
        (-9.9996, "-10.0"),
        (0.0, "0"),
        (-0.0001, "-0.000100"),
        (math.nan, "–"),
        (None, "–"),
    ],
)
def test_format_number_significant_digits(value, expected):
    assert format_number(value) == expected


def test_format_interval_scales_all_three():
    assert format_interval(120.0, 60.0, 180.0, scale=60.0) == "2.00 [1.00, 3.00]"


def test_format_interval_without_bounds():
    assert format_interval(5.5, math.nan, math.nan) == "5.50"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12.34, "+12.3%"),
        (-52.53, "-52.5%"),
        (0.0029, "0.0%"),
        (-0.04, "0.0%"),
        (944.9, "+945%"),
        (-100.0, "-100%"),
        (1863.2, "+1,863%"),
        (math.nan, "–"),
    ],
)
def test_percent_change_format(value, expected):
    assert format_percent_change(value) == expected


def test_interval_decimals_follow_reference():
    text = format_interval(0.19, -0.1, 0.5, scale=1440.0, digits=4, reference=6537.6)

    assert text == "0.000 [0.000, 0.000]"


def test_small_change_keeps_mean_decimals():
    frame = pd.DataFrame([_row("steps_per_case", "count per case", 13.1, 12.06, -8.0)])

    table = readable_differences(frame)

    assert table.loc[0, "change (95% CI)"] == "-1.04 [-2.04, -0.04]"


@pytest.mark.parametrize(
    ("minutes", "unit"),
    [(95.0, "minutes"), (119.0, "minutes"), (120.0, "hours"), (2879.0, "hours"),
     (2880.0, "days"), (-4000.0, "days"), (math.nan, "minutes")],
)  # fmt: skip
def test_time_unit_for_thresholds(minutes, unit):
    assert time_unit_for(minutes)[0] == unit


@pytest.mark.parametrize(
    ("metric", "label"),
    [
        ("lead_time_mean_minutes", "Lead time, mean"),
        ("utilization_percent[Counter clerks]", "Utilization of Counter clerks"),
        ("queue_max_cases[Open mail]", "Queue length at Open mail, max"),
        ("end_state_transferred_out_percent", "Cases ending transferred out"),
        ("some_new_metric", "some_new_metric"),
    ],
)
def test_metric_label(metric, label):
    assert metric_label(metric) == label


def _row(metric, unit, before, after, percent):
    return {
        "metric": metric,
        "unit": unit,
        "before_mean": before,
        "before_ci_low": before - 1,
        "before_ci_high": before + 1,
        "after_mean": after,
        "after_ci_low": after - 1,
        "after_ci_high": after + 1,
        "change": after - before,
        "change_ci_low": after - before - 1,
        "change_ci_high": after - before + 1,
        "percent_change": percent,
    }


def test_readable_differences_converts_days():
    frame = pd.DataFrame(
        [
            _row("steps_per_case", "count per case", 13.0, 6.0, -53.8),
            _row("lead_time_mean_minutes", "minutes", 4320.0, 1440.0, -66.7),
        ]
    )

    table = readable_differences(frame).set_index("metric")

    lead = table.loc["Lead time, mean"]
    assert list(table.index) == ["Lead time, mean", "Steps per case"]
    assert lead["unit"] == "days"
    assert lead["before (95% CI)"] == "3.00 [3.00, 3.00]"
    assert lead["change (95% CI)"] == "-2.000 [-2.001, -1.999]"
    assert table.loc["Steps per case", "before (95% CI)"] == "13.0 [12.0, 14.0]"
    assert lead["% change"] == "-66.7%"


def test_readable_differences_missing_scenario():
    row = _row("utilization_percent[Records clerks]", "percent", 36.2, 0.0, 0.0)
    for column in ("after_mean", "after_ci_low", "after_ci_high", "change"):
        row[column] = math.nan
    row["percent_change"] = math.nan

    table = readable_differences(pd.DataFrame([row]))

    assert table.loc[0, "unit"] == "%"
    assert table.loc[0, "after (95% CI)"] == "–"
    assert table.loc[0, "change (95% CI)"] == "–"


def test_readable_structure_labels_rows():
    structure = pd.DataFrame(
        {"before": [16.0, 68.4], "after": [8.0, 84.778]},
        index=["steps", "rolled_pca_percent"],
    )

    table = readable_structure(structure)

    assert list(table.index) == ["Steps (task and wait)", "Rolled %C&A (percent)"]
    assert list(table["after"]) == ["8", "84.8"]


def test_label_metric_ids_in_warning():
    text = (
        "Permit (before): utilization_percent[Counter clerks]: the half-width is "
        "30% of the mean; lead_time_mean_minutes too, with 12% in_progress"
    )

    labelled = label_metric_ids(text)

    assert "'Utilization of Counter clerks'" in labelled
    assert "'Lead time, mean'" in labelled
    assert "in_progress" in labelled
    assert "utilization_percent" not in labelled
