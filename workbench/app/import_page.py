"""Import: an event log turned into a calibrated as-is model."""

from __future__ import annotations

import io
import logging

import streamlit as st

from workbench.app import state
from workbench.app.guard import flash, guarded
from workbench.app.widgets import show_map
from workbench.errors import EventLogError
from workbench.eventlog import calibrate, discover, read_log

__all__ = ["import_page"]

logger = logging.getLogger(__name__)

_FORMATS = {"csv": "csv", "xes": "xes", "gz": "xes"}


@guarded
def import_page() -> None:
    """Read an uploaded event log, calibrate a model and offer it as the before."""
    st.title("Import an event log")
    st.caption(
        "A CSV or XES export of a case-management system, one row per event with a "
        "case id, an activity and a timestamp. The as-is model is calibrated from "
        "the most frequent variants."
    )
    upload = st.file_uploader("Event log", type=["csv", "xes", "gz"], key="log_file")
    columns = st.columns(2)
    timezone = columns[0].text_input(
        "Time zone of the timestamps and the office clock", "UTC", key="log_timezone"
    )
    coverage = columns[1].slider(
        "Share of cases whose variants define the steps", 0.5, 1.0, 0.9, 0.05
    )
    if upload is None:
        st.info(
            "Upload a log to start. Columns named `case_id`, `activity` and "
            "`timestamp` (or the XES names `case:concept:name`, `concept:name` and "
            "`time:timestamp`) are found by themselves. A `start_timestamp` column "
            "gives process times. For other column names, run `workbench discover` "
            "with `--case-column`, `--activity-column` and `--timestamp-column`, "
            "then open the model file on Build."
        )
        return
    if st.button("Build the as-is model", type="primary"):
        st.session_state.imported = _calibrated(upload, timezone, coverage)
    imported = st.session_state.get("imported")
    if imported and imported["file_id"] == upload.file_id:
        _show_imported(imported)


def _calibrated(upload, timezone: str, coverage: float) -> dict | None:
    suffix = upload.name.lower().rsplit(".", 1)[-1]
    try:
        events, report = read_log(
            io.BytesIO(upload.getvalue()),
            file_format=_FORMATS.get(suffix),
            timezone=timezone,
        )
        model, yaml_text = calibrate(
            events, discover(events, coverage), coverage=coverage, timezone=timezone
        )
    except EventLogError as error:
        logger.info("event log %s not imported: %s", upload.name, error)
        st.error(
            f"{upload.name} was not imported; your current work is unchanged. {error}"
        )
        return None
    return {
        "file_id": upload.file_id,
        "summary": report.summary(),
        "model": model,
        "yaml": yaml_text,
    }


def _show_imported(imported: dict) -> None:
    model = imported["model"]
    for line in imported["summary"]:
        st.text(line)
    st.success(
        f"Calibrated '{model.name}': {len(model.steps)} steps in {len(model.lanes)} "
        f"lanes, times in {model.time_unit}."
    )
    left, right = st.columns(2)
    if left.button("Use it as the before-scenario"):
        state.set_model("before", model)
        flash("The imported model is now the before-scenario.")
        st.rerun()
    right.download_button(
        "Download the model (YAML, with provenance comments)",
        imported["yaml"],
        file_name="as-is.yaml",
        mime="application/x-yaml",
    )
    show_map(model)
