"""Build: the process as editable tables, its problems and its map."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from workbench import tables
from workbench.app import state
from workbench.app.guard import flash, guarded
from workbench.app.table_editor import edit_tables, keep_model
from workbench.app.widgets import (
    pick_map_zoom,
    pick_scenario,
    show_map,
    show_problems,
)
from workbench.errors import ModelError
from workbench.loading import dump_model, parse_model
from workbench.model import ProcessModel
from workbench.validation import find_problems

__all__ = ["build_page"]

_END_STATES = ["", "resolved", "withdrawn", "abandoned", "transferred_out"]

_STEP_CONFIG = {
    "name": st.column_config.TextColumn("Step", required=True),
    "kind": st.column_config.SelectboxColumn(
        "Kind", options=["task", "wait", "decision"], default="task"
    ),
    "lane": st.column_config.TextColumn("Lane"),
    "value_class": st.column_config.SelectboxColumn(
        "Value class", options=["VA", "BVA", "NVA"], default="NVA"
    ),
    "pool": st.column_config.TextColumn("Staff pool"),
    "time_min": st.column_config.NumberColumn("Min time"),
    "time_likely": st.column_config.NumberColumn("Most likely time"),
    "time_max": st.column_config.NumberColumn("Max time"),
    "pca": st.column_config.NumberColumn("%C&A", default=100.0),
    "next": st.column_config.TextColumn("Next step"),
    "end": st.column_config.SelectboxColumn("Ends case as", options=_END_STATES),
    "rework_to": st.column_config.TextColumn("Rework to"),
    "touchpoint": st.column_config.CheckboxColumn("Touchpoint", default=False),
    "wait_for": st.column_config.SelectboxColumn(
        "Waits for", options=["", "customer", "mail", "agency", "other"]
    ),
}
_ROUTING_CONFIG = {
    "route": st.column_config.SelectboxColumn(
        "Route", options=["branch", "parallel"], default="branch"
    ),
    "probability": st.column_config.NumberColumn("Probability", min_value=0.0),
}
_CONFIGS = {"steps": _STEP_CONFIG, "routing": _ROUTING_CONFIG}


@guarded
def build_page() -> None:
    """Show the selected scenario as tables that rebuild the model when edited."""
    st.title("Build the process")
    scenario = pick_scenario("build_scenario")
    model = state.get_model(scenario)
    _file_controls(scenario, model)
    st.caption(
        f"**{model.name}**: times in {model.time_unit}. One row per step; give the "
        "next step, or an end state, or list decision branches under Routing."
    )
    left, right = st.columns([3, 2])
    with left:
        edited = edit_tables(scenario, model, _CONFIGS)
    with right:
        st.subheader("Problems")
        model = _apply_edits(scenario, model, edited)
    keep_model(scenario, model)
    st.subheader("Map")
    show_map(model, zoom=pick_map_zoom("build_map_zoom"))


def _apply_edits(
    scenario: str, model: ProcessModel, edited: dict[str, pd.DataFrame | None]
) -> ProcessModel:
    if any(frame is not None for frame in edited.values()):
        steps = edited["steps"]
        if steps is None:
            steps = tables.steps_frame(model)
        try:
            model = tables.model_from_tables(
                model, steps, edited["routing"], edited["pools"], edited["streams"]
            )
        except ModelError as error:
            st.error("The edited tables are not a valid model yet; fix the rows below.")
            show_problems(error.problems)
            return model
        state.set_model(scenario, model, from_tables=True)
    show_problems(find_problems(model))
    return model


def _file_controls(scenario: str, model: ProcessModel) -> None:
    with st.expander("Files: model YAML, steps table, start from scratch"):
        yaml_column, table_column = st.columns(2)
        with yaml_column:
            st.download_button(
                "Download the model (YAML)",
                dump_model(model),
                file_name=f"{scenario}.yaml",
                mime="application/x-yaml",
            )
            upload = st.file_uploader(
                "Upload a model (YAML)", type=["yaml", "yml"], key=f"yaml-{scenario}"
            )
            _load_upload(scenario, upload, _model_from_yaml_upload)
            if st.button("Start from scratch", key=f"blank-{scenario}"):
                state.set_model(scenario, tables.blank_model())
                st.rerun()
        with table_column:
            _steps_table_files(scenario, model)


def _steps_table_files(scenario: str, model: ProcessModel) -> None:
    steps = tables.steps_frame(model)
    st.download_button(
        "Download steps (CSV)",
        tables.steps_to_csv(steps),
        file_name=f"{scenario}-steps.csv",
        mime="text/csv",
    )
    st.download_button(
        "Download steps (XLSX)",
        tables.steps_to_xlsx(steps),
        file_name=f"{scenario}-steps.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    upload = st.file_uploader(
        "Import steps (CSV or XLSX)", type=["csv", "xlsx"], key=f"steps-{scenario}"
    )
    _load_upload(scenario, upload, _model_from_steps_upload)


def _load_upload(scenario: str, upload, convert) -> None:
    # Each uploaded file is applied once, not again on every rerun.
    if upload is None or st.session_state.get("applied_upload") == upload.file_id:
        return
    st.session_state.applied_upload = upload.file_id
    try:
        model = convert(scenario, upload)
    except ModelError as error:
        st.error(f"{upload.name} was not loaded; your current work is unchanged.")
        show_problems(error.problems)
        return
    state.set_model(scenario, model)
    flash(f"Loaded {upload.name} into the {scenario}-scenario.")
    st.rerun()


def _model_from_yaml_upload(scenario: str, upload) -> ProcessModel:
    return parse_model(upload.getvalue(), upload.name)


def _model_from_steps_upload(scenario: str, upload) -> ProcessModel:
    frame = tables.read_steps_table(upload.getvalue(), upload.name)
    return tables.model_from_tables(state.get_model(scenario), frame)
