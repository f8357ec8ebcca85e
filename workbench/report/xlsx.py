"""The report as a spreadsheet: one sheet per table, units in the column headers.

Numbers are written as numbers, unrounded, so a reader can recompute from them;
NaN (a value not known) is written as an empty cell.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from workbench.report.content import ReportContent, Row

__all__ = ["SHEETS", "render_xlsx"]

#: Sheet names in their order in the workbook.
SHEETS = (
    "Headline",
    "Per year",
    "Changes",
    "Timeline",
    "Lead times",
    "Assumptions",
    "Warnings",
)

_MAX_COLUMN_WIDTH = 60


def render_xlsx(content: ReportContent) -> bytes:
    """Write ``content`` as an XLSX workbook with the sheets of :data:`SHEETS`.

    Returns
    -------
    bytes
        The workbook file.
    """
    workbook = Workbook()
    workbook.remove(workbook.active)
    _add_sheet(workbook, "Headline", *_row_table(content.headline))
    _add_sheet(workbook, "Per year", *_saving_table(content))
    _add_sheet(workbook, "Changes", *_change_table(content))
    _add_sheet(workbook, "Timeline", *_timeline_table(content))
    _add_sheet(workbook, "Lead times", *_lead_time_table(content))
    _add_sheet(workbook, "Assumptions", ["Assumption", "Value"], content.assumptions)
    warnings = [[text] for text in content.warnings]
    _add_sheet(workbook, "Warnings", ["Warning"], warnings)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _row_table(rows: Sequence[Row]) -> tuple[list[str], list[list]]:
    header = [
        "Metric",
        "Key",
        "Unit",
        "Before",
        "After",
        "Change (after - before)",
        "Change 95% CI low",
        "Change 95% CI high",
        "Change (%)",
    ]
    body = [
        [r.label, r.metric, r.unit, r.before, r.after, r.change, r.ci_low, r.ci_high]
        + [r.percent_change]
        for r in rows
    ]
    return header, body


def _saving_table(content: ReportContent) -> tuple[list[str], list[list]]:
    header = [
        "Saving",
        "Key",
        "Unit",
        "Saved per year (before - after)",
        "95% CI low",
        "95% CI high",
        "Cases per year",
    ]
    body = [
        [s.label, s.metric, s.unit, s.mean, s.ci_low, s.ci_high, content.cases_per_year]
        for s in content.yearly
    ]
    return header, body


def _change_table(content: ReportContent) -> tuple[list[str], list[list]]:
    header = ["Order", "Change", "Action", "Recorded in the after model", "Differences"]
    for row in content.share_metrics:
        header += [f"{row.label}: saving ({row.unit})", f"{row.label}: share (%)"]
    body = []
    for order, change in enumerate(content.changes, start=1):
        line = [order, change.label, change.action, change.recorded, change.description]
        for row in content.share_metrics:
            line += [change.savings.get(row.metric), change.shares.get(row.metric)]
        body.append(line)
    return header, body


def _timeline_table(content: ReportContent) -> tuple[list[str], list[list]]:
    header = [
        "Scenario",
        "Step",
        "Process time (minutes per case)",
        "Waiting time (minutes per case)",
    ]
    body = [
        [scenario, row.step, row.process_minutes, row.waiting_minutes]
        for scenario, rows in (
            ("before", content.timeline_before),
            ("after", content.timeline_after),
        )
        for row in rows
    ]
    return header, body


def _lead_time_table(content: ReportContent) -> tuple[list[str], list[list]]:
    header = ["Percentile", "Before lead time (minutes)", "After lead time (minutes)"]
    return header, [list(row) for row in content.lead_time_percentiles]


def _add_sheet(
    workbook: Workbook, title: str, header: list[str], rows: Iterable
) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_cell_value(value) for value in row])
    sheet.freeze_panes = "A2"
    for index, text in enumerate(header, start=1):
        width = min(max(len(text), 10) + 2, _MAX_COLUMN_WIDTH)
        sheet.column_dimensions[get_column_letter(index)].width = width


def _cell_value(value: object) -> object:
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
