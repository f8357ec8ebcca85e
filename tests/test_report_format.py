"""Tests of the report's number formats, display units and SVG charts."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ElementTree

import pytest

from workbench.report.charts import StepTimes, distribution_svg, timeline_svg
from workbench.report.content import (
    ChangeShare,
    ReportContent,
    Row,
    Saving,
    display_value,
)
from workbench.report.html import display_row, render_html

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (math.nan, "n/a"),
        (0.0, "0"),
        (3.14159, "3.14"),
        (0.012345, "0.0123"),
        (-2.0, "-2"),
        (12.5, "12.5"),
        (999.4, "999"),
        (1234.5, "1,234"),
        (-35040.0, "-35,040"),
    ],
)
def test_display_value(value, text):
    assert display_value(value) == text


def test_display_row_minutes_to_hours():
    row = Row("lead_time_mean_minutes", "Lead time", "minutes", 240.0, 60.0, -180.0)

    shown = display_row(row)

    assert shown.unit == "hours"
    assert shown.before == 4.0
    assert shown.after == 1.0
    assert shown.change == -3.0


def test_display_row_minutes_to_days():
    row = Row("lead_time_mean_minutes", "Lead time", "minutes", 1440.0, 5760.0, 4320.0)

    shown = display_row(row)

    assert shown.unit == "days"
    assert shown.after == 4.0
    assert shown.change == 3.0


def test_display_row_keeps_short_minutes():
    row = Row("waiting_time_mean_minutes", "Waiting", "minutes", 120.0, 90.0, -30.0)

    assert display_row(row) == row


def test_display_row_shortens_units():
    row = Row("steps_per_case", "Steps", "count per case", 6.0, 4.0, -2.0)

    assert display_row(row).unit == ""
    assert display_row(row).before == 6.0


def test_timeline_escapes_step_names():
    names = ['Check <form> & "fee"', "Ünterschrift 署名"]
    before = [StepTimes(names[0], 5.0, 20.0), StepTimes(names[1], 2.0, 0.0)]
    after = [StepTimes(names[0], 5.0, 2.0)]

    svg = ElementTree.fromstring(timeline_svg(before, after))

    texts = [element.text for element in svg.iter(f"{SVG}text")]
    assert names[0] in texts
    assert names[1] in texts
    assert len(list(svg.iter(f"{SVG}rect"))) == 4 + 2 * 3


def test_timeline_bar_lengths_scale():
    before = [StepTimes("A", 10.0, 30.0)]
    after = [StepTimes("A", 10.0, 10.0)]

    svg = ElementTree.fromstring(timeline_svg(before, after))

    # Bars come before the legend: waiting, then process time, per scenario.
    bars = list(svg.iter(f"{SVG}rect"))[:4]
    widths = [float(r.get("width")) for r in bars]
    assert widths[0] == pytest.approx(3 * widths[1], rel=0.01)
    assert widths[2] == pytest.approx(widths[3], rel=0.01)
    assert widths[1] == pytest.approx(widths[3], rel=0.01)


def test_distribution_without_cases():
    svg = distribution_svg([], [math.nan])

    assert "No case finished in either scenario." in svg
    ElementTree.fromstring(svg)


def test_distribution_draws_both_scenarios():
    svg = ElementTree.fromstring(distribution_svg([10.0, 20.0, 30.0], [5.0, 6.0]))

    outlines = list(svg.iter(f"{SVG}polyline"))
    medians = [line for line in svg.iter(f"{SVG}line") if line.get("stroke-dasharray")]
    assert len(outlines) == 2
    assert len(medians) == 2


HOSTILE = "<script>alert('x')</script> & \"Zoning\""


def _hostile_content() -> ReportContent:
    row = Row("lead_time_mean_minutes", HOSTILE, "minutes", 100.0, 50.0, -50.0)
    change = ChangeShare(HOSTILE, "remove_step", HOSTILE, True, {}, {})
    return ReportContent(
        title=HOSTILE,
        before_name=HOSTILE,
        after_name="after",
        problem=HOSTILE,
        scope="",
        before_map_svg="",
        after_map_svg="",
        headline=[row],
        cases_per_year=1000.0,
        yearly=[Saving("fte", HOSTILE, "FTE", 1.5)],
        timeline_before=[StepTimes(HOSTILE, 1.0, 2.0)],
        timeline_after=[],
        lead_times_before=[10.0, 20.0],
        lead_times_after=[5.0],
        lead_time_percentiles=[(50.0, 15.0, 5.0)],
        changes=[change],
        share_metrics=[row],
        assumptions=[(HOSTILE, HOSTILE)],
        warnings=[HOSTILE],
    )


def test_html_escapes_user_text():
    html = render_html(_hostile_content())

    assert "<script>alert" not in html
    assert html.count("&lt;script&gt;alert(") >= 8
    assert html.count("<script>") == 1


def test_html_without_maps_says_so():
    html = render_html(_hostile_content())

    assert html.count("No map could be drawn; see the warnings.") == 2
    assert "The after model has no description." in html
