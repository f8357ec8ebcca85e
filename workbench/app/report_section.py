"""A download of the savings report, for the compare page.

The report simulates one more scenario per redesign change, so it is built only on
request. Built reports are kept in the session by the comparison's run key, the
format and the savings assumptions, so a rerun of the page does not lose them.
"""

from __future__ import annotations

import logging

import streamlit as st

from workbench.errors import ReportError
from workbench.report import FORMATS, build_report
from workbench.savings import SavingsAssumptions

__all__ = ["MIME_TYPES", "report_section"]

logger = logging.getLogger(__name__)

#: Media type of each report format, for the download.
MIME_TYPES = {
    "html": "text/html",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

#: Built reports kept per session; older ones are dropped.
MAX_KEPT_REPORTS = 4


def report_section(
    before,
    after,
    settings,
    run_key: str,
    assumptions: SavingsAssumptions | None = None,
) -> None:
    """Show a button that builds the savings report, then its download button.

    Parameters
    ----------
    before, after : ProcessModel
        The models of the comparison shown on the page.
    settings : ExperimentSettings
        The settings the comparison ran with, so that the report's numbers equal
        the page's.
    run_key : str
        The comparison's content hash; a report is offered only for its own run.
    assumptions : SavingsAssumptions, optional
        The yearly-savings assumptions the page shows.
    """
    st.subheader("Savings report")
    st.caption(
        "One page for managers: maps, headline numbers, yearly savings and each "
        "change's share of the saving. Building it simulates each change in turn."
    )
    fmt = st.radio("Format", list(FORMATS), horizontal=True, key="report_format")
    reports = st.session_state.setdefault("reports", {})
    key = (run_key, fmt, assumptions)
    if st.button("Build the report", key="report_build"):
        reports[key] = _build(before, after, settings, fmt, assumptions)
        while len(reports) > MAX_KEPT_REPORTS:
            reports.pop(next(iter(reports)))
    data = reports.get(key)
    if data is not None:
        st.download_button(
            f"Download the report ({fmt.upper()})",
            data,
            file_name=f"savings-report{FORMATS[fmt]}",
            mime=MIME_TYPES[fmt],
            key="report_download",
        )


def _build(before, after, settings, fmt: str, assumptions) -> bytes | None:
    bar = st.progress(0.0, text="Simulating each change")

    def progress(done: int, total: int) -> None:
        bar.progress(min(done / total, 1.0), text=f"Replication {done} of {total}")

    try:
        return build_report(before, after, settings, fmt, assumptions, progress)
    except ReportError as error:
        logger.warning("the %s report failed: %s", fmt, error)
        st.error(f"The report could not be written: {error}")
        return None
    finally:
        bar.empty()
