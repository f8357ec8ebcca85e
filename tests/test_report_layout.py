"""Tests of the printed layout of the one-page report: paper sizes, maps and units.

The report of the bundled permit intake pair runs through the real engine, real
graphviz and headless chromium.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ElementTree

import pytest
from conftest import MODELS

from workbench.report.assemble import collect_report
from workbench.report.charts import StepTimes, timeline_svg, timeline_unit
from workbench.report.content import Row
from workbench.report.html import TIMELINE_WIDTH, display_row, render_html
from workbench.report.pdf import CHROMIUM, html_to_pdf
from workbench.sim.experiment import ExperimentSettings
from workbench.validation import load_and_validate

SETTINGS = ExperimentSettings(replications=2, days=7, jobs=1, seed=11)
SVG = "{http://www.w3.org/2000/svg}"
# Printable width of landscape paper with 8 mm margins, in points.
PRINTABLE_WIDTH = {"letter": 792 - 2 * 8 * 72 / 25.4, "A4": 841.89 - 2 * 8 * 72 / 25.4}
_VIEW_BOX = re.compile(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ([\d.]+)"')


@pytest.fixture(scope="module")
def permit_report():
    before, _ = load_and_validate(MODELS / "permit_intake" / "before.yaml")
    after, _ = load_and_validate(MODELS / "permit_intake" / "after.yaml")
    content = collect_report(before, after, SETTINGS)
    return content, render_html(content)


def _pdf_text_boxes(pdf: bytes, tmp_path) -> tuple[str, list[float]]:
    """Return pdfinfo's output and the right edge of every word, in points."""
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(
        ["pdfinfo", str(path)], capture_output=True, text=True, check=True
    ).stdout
    boxes = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    right_edges = [float(edge) for edge in re.findall(r'xMax="([\d.]+)"', boxes)]
    return info, right_edges


@pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="chromium is missing")
@pytest.mark.parametrize("paper", ["letter", "A4"])
def test_pdf_fills_sheet_width(permit_report, paper, tmp_path):
    content, html = permit_report
    html = html.replace("size: landscape;", f"size: {paper} landscape;", 1)

    info, right_edges = _pdf_text_boxes(html_to_pdf(html), tmp_path)

    assert re.search(r"^Pages:\s+1$", info, re.MULTILINE), info
    assert f"({paper})" in info, info
    # The header's right-aligned text ends at the right margin, 8 mm from the edge.
    margin = 8 * 72 / 25.4
    assert max(right_edges) > margin + 0.97 * PRINTABLE_WIDTH[paper]


def test_maps_share_view_box_size(permit_report):
    content, html = permit_report

    sizes = [
        _VIEW_BOX.search(svg).groups()
        for svg in (content.before_map_svg, content.after_map_svg)
    ]

    assert sizes[0] == sizes[1]
    assert 'preserveAspectRatio="xMidYMin meet"' in content.before_map_svg


def test_timeline_heading_names_axis_unit(permit_report):
    content, html = permit_report
    unit = timeline_unit(content.timeline_before, content.timeline_after)
    svg_text = timeline_svg(
        content.timeline_before, content.timeline_after, width=TIMELINE_WIDTH
    )

    texts = [
        element.text for element in ElementTree.fromstring(svg_text).iter(f"{SVG}text")
    ]

    assert f"Value-stream timeline, {unit} per case" in html
    assert unit in texts


@pytest.mark.parametrize(
    ("minutes", "unit"),
    [(30.0, "minutes"), (179.0, "minutes"), (180.0, "hours"), (3 * 1440.0, "days")],
)
def test_timeline_unit_by_longest_bar(minutes, unit):
    before = [StepTimes("Review", minutes / 2, minutes / 2)]
    after = [StepTimes("Review", 1.0, 1.0)]

    assert timeline_unit(before, after) == unit


def test_labour_cost_row_has_unit():
    row = Row("labour_cost_per_case", "Labour cost", "currency per case", 202, 143, -59)

    assert display_row(row).unit == "currency"
