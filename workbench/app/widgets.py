"""Widgets that several pages share: the scenario picker, the map and problem lists."""

from __future__ import annotations

import logging

import streamlit as st

from workbench.app.state import SCENARIOS
from workbench.errors import Problem
from workbench.model import ProcessModel

__all__ = ["pick_scenario", "show_map", "show_problems", "map_images"]

logger = logging.getLogger(__name__)

_SCENARIO_LABELS = {"before": "Before (today)", "after": "After (redesign)"}


def pick_scenario(key: str, label: str = "Scenario") -> str:
    """Show a before/after selector and return ``before`` or ``after``."""
    return st.radio(
        label,
        SCENARIOS,
        format_func=_SCENARIO_LABELS.__getitem__,
        horizontal=True,
        key=key,
    )


def _swimlane_map(model: ProcessModel, highlight: dict | None):
    try:
        from workbench.maps import swimlane_map
    except ImportError:
        # NOTE: workbench.maps is optional here so that the other pages still work
        # in an installation without it.
        return None
    if highlight:
        return swimlane_map(model, highlight=highlight)
    return swimlane_map(model)


def show_map(model: ProcessModel, highlight: dict | None = None) -> None:
    """Draw the swimlane map of ``model``, shading steps by ``highlight`` if given.

    ``highlight`` maps step names to a load between 0 and 1, such as the
    utilization of the step's pool.
    """
    graph = _swimlane_map(model, highlight)
    if graph is None:
        st.info("The swimlane map needs the workbench.maps module, not installed.")
        return
    st.graphviz_chart(graph, width="stretch")


def map_images(model: ProcessModel, highlight: dict | None = None) -> dict[str, bytes]:
    """Return the map of ``model`` rendered as ``svg`` and ``png`` bytes.

    Empty when the map module is missing.
    """
    graph = _swimlane_map(model, highlight)
    if graph is None:
        return {}
    return {"svg": graph.pipe(format="svg"), "png": graph.pipe(format="png")}


def show_problems(problems: list[Problem]) -> None:
    """List errors with ``st.error`` and warnings with ``st.warning``; say if none."""
    if not problems:
        st.success("No problems found.")
        return
    for problem in problems:
        text = f"**{problem.where}**"
        if problem.field:
            text += f", field `{problem.field}`"
        text += f": {problem.message}"
        if problem.severity == "error":
            st.error(text)
        else:
            st.warning(text)
