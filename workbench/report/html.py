"""The one-page HTML report: a jinja2 template with inline CSS, SVG and script.

The page loads nothing from the network: its Content-Security-Policy allows no
source but the page itself, the maps and charts are inline SVG, and the only script
shrinks the page to fit one landscape A4 or Letter sheet when printed.
"""

from __future__ import annotations

import dataclasses
import math
import re
from pathlib import Path

import jinja2
from markupsafe import Markup

from workbench.report.charts import distribution_svg, timeline_svg, timeline_unit
from workbench.report.content import ReportContent, Row, display_value

__all__ = ["render_html", "display_row"]

_TEMPLATES = Path(__file__).with_name("templates")

# Graphviz writes an XML declaration, a DOCTYPE and comments before the <svg>
# element; none of them may appear inside an HTML page.
_SVG_PREAMBLE = re.compile(r"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<!--.*?-->", re.DOTALL)
# Shorter names of the comparison's units, because the table heading already
# contains "per case".
_UNIT_NAMES = {
    "count per case": "",
    "staff hours per case": "hours",
    "currency per case": "currency",
}

#: Width of the timeline's drawing in SVG units, in which its labels are 9 high.
TIMELINE_WIDTH = 420

_SVG_SIZE = re.compile(r'(<svg\b[^>]*?)\s(?:width|height)="[^"]*"', re.DOTALL)


def render_html(content: ReportContent) -> str:
    """Render ``content`` as one self-contained HTML page.

    Returns
    -------
    str
        The page, UTF-8 text that needs no other file.
    """
    template = _environment().get_template("report.html")
    # A wider drawing than the default keeps the timeline of a long process low on
    # the page; its labels print at about 6 pt in the report's column.
    timeline = timeline_svg(
        content.timeline_before, content.timeline_after, width=TIMELINE_WIDTH
    )
    distribution = distribution_svg(content.lead_times_before, content.lead_times_after)
    return template.render(
        c=content,
        timeline=Markup(timeline),
        timeline_unit=timeline_unit(content.timeline_before, content.timeline_after),
        distribution=Markup(distribution),
    )


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.filters.update(
        num=display_value,
        signed=_signed,
        percent=_percent,
        ci=_ci_text,
        change_text=_change_text,
        direction=_direction,
        safe_svg=_inline_svg,
        displayed=display_row,
    )
    return environment


def display_row(row: Row) -> Row:
    """Return ``row`` in the unit the page shows it in.

    Times of 180 minutes and more show in hours, and times of 3 days and more in
    24-hour days. The percentage change stays as it is.
    """
    unit = _UNIT_NAMES.get(row.unit, row.unit)
    if row.unit != "minutes":
        return dataclasses.replace(row, unit=unit)
    largest = max(abs(row.before), abs(row.after))
    if largest >= 3 * 1440:
        return _scaled_row(row, 1440.0, "days")
    if largest >= 180:
        return _scaled_row(row, 60.0, "hours")
    return row


def _scaled_row(row: Row, divisor: float, unit: str) -> Row:
    return dataclasses.replace(
        row,
        unit=unit,
        before=row.before / divisor,
        after=row.after / divisor,
        change=row.change / divisor,
        ci_low=row.ci_low / divisor,
        ci_high=row.ci_high / divisor,
    )


def _signed(value: float, digits: int = 3) -> str:
    text = display_value(value, digits)
    return f"+{text}" if value == value and value > 0 else text


def _percent(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "n/a"
    # round() returns an int, so a small negative share shows as 0%, not -0%.
    return f"{round(value)}%"


def _ci_text(row: Row) -> str:
    if math.isnan(row.ci_low) or math.isnan(row.ci_high):
        return "n/a"
    return f"{_signed(row.ci_low)} to {_signed(row.ci_high)}"


def _change_text(row: Row) -> str:
    text = _signed(row.change)
    if not math.isnan(row.percent_change):
        text += f" ({_signed(row.percent_change, 2)}%)"
    return text


def _direction(row: Row) -> str:
    """Return ``better`` or ``worse`` when the whole interval lies on one side of 0.

    Every metric of the report is better when lower.
    """
    if row.ci_high < 0:
        return "better"
    if row.ci_low > 0:
        return "worse"
    return ""


def _inline_svg(svg: str) -> Markup:
    """Prepare an SVG document from graphviz for inlining in the page.

    The width and height attributes are removed so that the drawing scales to its
    box; the ``viewBox`` keeps its proportions.
    """
    if not svg:
        return Markup("<p>No map could be drawn; see the warnings.</p>")
    svg = _SVG_PREAMBLE.sub("", svg).strip()
    for _ in range(2):
        svg = _SVG_SIZE.sub(r"\1", svg, count=1)
    # The SVG comes from graphviz, which escapes every label it writes.
    return Markup(svg)
