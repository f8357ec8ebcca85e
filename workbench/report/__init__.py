"""Savings reports for managers: one HTML page, its PDF print, and a spreadsheet.

:func:`build_report` simulates a before and an after model, shares the saving among
the redesign's changes, and returns the report in one of :data:`FORMATS`.
"""

from __future__ import annotations

from workbench.model import ProcessModel
from workbench.savings import SavingsAssumptions
from workbench.sim.experiment import ExperimentSettings

__all__ = ["FORMATS", "build_report", "render_report"]

#: Report formats and their file suffixes.
FORMATS = {"html": ".html", "pdf": ".pdf", "xlsx": ".xlsx"}


def build_report(
    before: ProcessModel,
    after: ProcessModel,
    settings: ExperimentSettings,
    fmt: str,
    assumptions: SavingsAssumptions | None = None,
    progress=None,
) -> bytes:
    """Simulate both models and return the savings report as a file's bytes.

    Parameters
    ----------
    before, after : ProcessModel
        Validated models of the process before and after the redesign.
    settings : ExperimentSettings
        Replications, seed and run length, shared by every run.
    fmt : {"html", "pdf", "xlsx"}
        The format; HTML is UTF-8 text.
    assumptions : SavingsAssumptions, optional
        Hours per FTE (default 1,720), yearly case volume and cost per staff hour.
    progress : callable, optional
        Called as ``progress(done, total)`` after each replication.

    Returns
    -------
    bytes

    Raises
    ------
    ValueError
        If ``fmt`` is not one of :data:`FORMATS`.
    workbench.errors.ReportError
        If the PDF could not be printed.
    workbench.errors.SimulationError
        If a run breaks an invariant of the engine.
    """
    _check_format(fmt)
    from workbench.report.assemble import collect_report

    content = collect_report(before, after, settings, assumptions, progress)
    return render_report(content, fmt)


def render_report(content, fmt: str) -> bytes:
    """Lay out gathered report content in ``fmt`` (see :func:`build_report`)."""
    _check_format(fmt)
    from workbench.report.html import render_html

    if fmt == "xlsx":
        from workbench.report.xlsx import render_xlsx

        return render_xlsx(content)
    html = render_html(content)
    if fmt == "pdf":
        from workbench.report.pdf import html_to_pdf

        return html_to_pdf(html)
    return html.encode("utf-8")


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}; use one of {sorted(FORMATS)}")
