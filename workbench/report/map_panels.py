"""Draw the before and the after map for the report's two side-by-side panels.

Each map is drawn left-to-right and top-to-bottom (graphviz ``rankdir`` on a copy
of the map), and the direction whose larger drawing fits a panel at the larger
scale is used for both. Both SVG drawings then get the same ``viewBox`` size, so
the two panels show them at the same scale.
"""

from __future__ import annotations

import logging
import re
import subprocess

from workbench.model import ProcessModel

__all__ = ["PANEL_ASPECT", "draw_map_panels"]

logger = logging.getLogger(__name__)

#: Width over height of one map panel on the printed page, an estimate from the
#: report's layout on landscape A4 and Letter paper.
PANEL_ASPECT = 1.0

_RANK_DIRECTIONS = ("LR", "TB")
_VIEW_BOX = re.compile(r'viewBox="([-\d.]+) ([-\d.]+) ([\d.]+) ([\d.]+)"')


def draw_map_panels(
    before: ProcessModel, after: ProcessModel
) -> tuple[list[str], list[str]]:
    """Draw both swimlane maps as SVG text at one shared scale.

    Returns
    -------
    svgs : list of str
        The before and the after drawing; "" for a map that could not be drawn.
    warnings : list of str
        One sentence per map that could not be drawn.
    """
    try:
        from workbench.maps import swimlane_map
    except ImportError as error:
        return ["", ""], [f"The maps could not be drawn: {error}"]
    candidates = {}
    for direction in _RANK_DIRECTIONS:
        candidates[direction] = [
            _draw(swimlane_map, model, direction) for model in (before, after)
        ]
    best = max(_RANK_DIRECTIONS, key=lambda key: _panel_scale(candidates[key]))
    svgs = [svg for svg, _ in candidates[best]]
    warnings = [warning for _, warning in candidates[best] if warning]
    return _same_view_box(svgs), warnings


def _draw(swimlane_map, model: ProcessModel, direction: str) -> tuple[str, str]:
    """Return the SVG text of one map and "" or a warning if drawing failed."""
    dot = swimlane_map(model).copy()
    # The panel heading names the scenario, so the map's own title is left out,
    # and half the default space between ranks (0.5 inch) makes the map smaller.
    # Graphviz uses the last value of a graph attribute, so these override.
    dot.attr(rankdir=direction, label="", ranksep="0.25")
    try:
        return dot.pipe(format="svg").decode("utf-8"), ""
    except (OSError, subprocess.CalledProcessError, RuntimeError) as error:
        logger.warning("map of '%s' failed: %s", model.name, error)
        return "", f"The map of '{model.name}' could not be drawn: {error}"


def _size(svg: str) -> tuple[float, float] | None:
    match = _VIEW_BOX.search(svg)
    return (float(match.group(3)), float(match.group(4))) if match else None


def _panel_scale(drawings: list[tuple[str, str]]) -> float:
    """Return the scale at which the larger of both drawings fits one panel."""
    sizes = [size for svg, _ in drawings if (size := _size(svg))]
    if not sizes:
        return 0.0
    width = max(size[0] for size in sizes)
    height = max(size[1] for size in sizes)
    return min(PANEL_ASPECT / width, 1.0 / height)


def _same_view_box(svgs: list[str]) -> list[str]:
    """Widen each drawing's ``viewBox`` to the size of both, centred at the top."""
    sizes = [_size(svg) for svg in svgs]
    known = [size for size in sizes if size]
    if len(known) < 2:
        return svgs
    width = max(size[0] for size in known)
    height = max(size[1] for size in known)
    padded = []
    for svg, (own_width, _) in zip(svgs, sizes, strict=True):
        left = -(width - own_width) / 2
        box = f'viewBox="{left:.2f} 0.00 {width:.2f} {height:.2f}" '
        box += 'preserveAspectRatio="xMidYMin meet"'
        padded.append(_VIEW_BOX.sub(box, svg, count=1))
    return padded
