"""Widgets that several pages share: the scenario picker, the map and problem lists."""

from __future__ import annotations

import base64
import html
import logging

import graphviz
import streamlit as st

from workbench.app.state import SCENARIOS
from workbench.errors import Problem
from workbench.maps import MapRenderError, swimlane_map
from workbench.model import ProcessModel

__all__ = ["pick_scenario", "pick_map_zoom", "show_map", "show_problems", "map_images"]

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


def _swimlane_map(model: ProcessModel, highlight: dict | None, label: str):
    try:
        return swimlane_map(model, highlight=highlight, highlight_label=label)
    except (KeyError, ValueError) as error:
        # A model with unknown step names cannot be laid out until they are fixed.
        logger.info("map of model %r not drawn: %s", model.name, error)
        return None


#: Pixel height of the scrolling frame of a zoomed map.
ZOOMED_MAP_HEIGHT = 700


def pick_map_zoom(key: str) -> int:
    """Show a map size selector and return the size in percent of the page width."""
    return st.select_slider(
        "Map size (percent of the page width)",
        options=[100, 150, 200, 300, 400],
        value=100,
        key=key,
        help="Above 100 the map scrolls, so a long process stays readable.",
    )


def show_map(
    model: ProcessModel,
    highlight: dict | None = None,
    label: str = "",
    zoom: int = 100,
) -> None:
    """Draw the swimlane map of ``model``, shading steps by ``highlight`` if given.

    ``highlight`` maps step names to a value, such as the utilization of the
    step's pool, and ``label`` names what the value is. A ``zoom`` above 100
    draws the map at that percent of the page width in a frame that scrolls, so
    the step names of a long process stay readable on a projector.
    """
    graph = _swimlane_map(model, highlight, label)
    if graph is None:
        st.info("The map is drawn once the problems listed are fixed.")
        return
    if zoom <= 100:
        st.graphviz_chart(graph, width="stretch")
        return
    try:
        svg = graph.pipe(format="svg")
    except (graphviz.ExecutableNotFound, graphviz.CalledProcessError) as error:
        raise MapRenderError(f"Graphviz failed to draw the map: {error}") from None
    # An inline <svg> did not show under st.html in Streamlit 1.67, but an <img> does.
    source = "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
    st.html(
        f'<div style="overflow:auto;max-height:{ZOOMED_MAP_HEIGHT}px">'
        f'<img alt="Process map of {html.escape(model.name)}" src="{source}" '
        f'style="width:{zoom}%;max-width:none"></div>'
    )


def map_images(
    model: ProcessModel, highlight: dict | None = None, label: str = ""
) -> dict[str, bytes]:
    """Return the map of ``model`` rendered as ``svg`` and ``png`` bytes.

    Empty when the map cannot be drawn.

    Raises
    ------
    MapRenderError
        If Graphviz fails, such as when ``dot`` is not installed.
    """
    graph = _swimlane_map(model, highlight, label)
    if graph is None:
        return {}
    images = {}
    for kind in ("svg", "png"):
        try:
            images[kind] = graph.pipe(format=kind)
        except (graphviz.ExecutableNotFound, graphviz.CalledProcessError) as error:
            raise MapRenderError(f"Graphviz failed to draw the map: {error}") from None
    return images


def show_problems(problems: list[Problem]) -> None:
    """Show errors with ``st.error``, warnings with ``st.warning``, or a success."""
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
