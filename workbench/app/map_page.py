"""Map: the swimlane map of one scenario, shaded by load after a simulation."""

from __future__ import annotations

import streamlit as st

from workbench.app import charts, state
from workbench.app.guard import guarded
from workbench.app.results import latest_run
from workbench.app.widgets import map_images, pick_map_zoom, pick_scenario, show_map

__all__ = ["map_page"]

_SHADING = {
    "none": "No shading",
    "utilization": "Utilization of the step's staff pool",
    "queue": "Mean queue length at the step",
}
_VALUE_LABELS = {"utilization": "utilization %", "queue": "mean queue"}


@guarded
def map_page() -> None:
    """Draw the chosen scenario's map with SVG and PNG downloads."""
    st.title("Process map")
    scenario = pick_scenario("map_scenario")
    model = state.get_model(scenario)
    highlight, label = _highlight(scenario, model)
    show_map(model, highlight, label, pick_map_zoom("map_zoom"))
    images = map_images(model, highlight, label)
    left, right = st.columns(2)
    for column, (kind, data) in zip((left, right), images.items(), strict=False):
        column.download_button(
            f"Download the map ({kind.upper()})",
            data,
            file_name=f"{scenario}-map.{kind}",
            mime="image/svg+xml" if kind == "svg" else "image/png",
        )


def _highlight(scenario: str, model) -> tuple[dict | None, str]:
    run = latest_run()
    if run is None:
        st.caption("Run a comparison to shade the bottlenecks.")
        return None, ""
    if run[scenario] != model:
        st.caption("The latest results are for an earlier version of this scenario.")
        return None, ""
    measure = st.radio(
        "Shade steps by",
        list(_SHADING),
        format_func=_SHADING.__getitem__,
        horizontal=True,
        key="map_shading",
    )
    if measure == "none":
        return None, ""
    name = run["comparison"].scenarios[0 if scenario == "before" else 1]
    load = charts.step_load(run["comparison"], name, model, measure)
    return load, _VALUE_LABELS[measure]
