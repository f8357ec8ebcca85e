"""Swimlane process maps drawn with Graphviz.

:func:`swimlane_map` draws the graph of :func:`workbench.graph.to_digraph` with one
cluster per lane. Steps are coloured by value class, decisions are diamonds, wait
steps hexagons, end states double circles and arrival streams arrow shapes. Handoff
edges are thick and blue, rework edges dashed and reddish purple, parallel edges
double lines. A legend cluster explains the colours and lines. ``highlight`` shades
steps by a result, such as utilization or mean queue length, to show bottlenecks.

Node ids are generated (``n0``, ``e0``, ``s0``, ...), and user text appears only in
HTML-like labels escaped with :func:`html.escape`, so names with quotes, colons,
ampersands, angle brackets, backslashes or any script render as written.
"""

from __future__ import annotations

import html
import logging
import math
import textwrap
from collections.abc import Hashable
from pathlib import Path

import graphviz
import networkx as nx

from workbench.graph import is_end_node, to_digraph
from workbench.model import ProcessModel

__all__ = [
    "MAP_FORMATS",
    "VALUE_CLASS_COLOURS",
    "MapRenderError",
    "map_format",
    "swimlane_map",
    "render_map",
]

logger = logging.getLogger(__name__)

#: Output formats of :func:`render_map`, by file suffix.
MAP_FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot"}

#: Fill colours by value class: tints of the bluish green and orange of the
#: Okabe-Ito palette, chosen to stay distinct for colour-blind readers, and a neutral
#: grey. Each step's label also names its class, so colour is never the only cue.
VALUE_CLASS_COLOURS = {"VA": "#8fd9c1", "BVA": "#f7c873", "NVA": "#c8c8c8"}

#: Line colours of handoff and rework edges (Okabe-Ito blue and reddish purple).
HANDOFF_COLOUR = "#0072b2"
REWORK_COLOUR = "#cc79a7"

# Border colours from light to dark for highlighted steps (a sequential red scale).
_HIGHLIGHT_COLOURS = ("#fcbba1", "#fb6a4a", "#de2d26", "#a50f15")
_WRAP_WIDTH = 22
_FONT = "Helvetica"


class MapRenderError(RuntimeError):
    """A map that Graphviz could not render, such as when ``dot`` is not installed."""


def swimlane_map(
    model: ProcessModel,
    *,
    highlight: dict[str, float] | None = None,
    highlight_label: str = "",
) -> graphviz.Digraph:
    """Draw ``model`` as a swimlane map.

    Parameters
    ----------
    model : ProcessModel
        The model to draw. A draft whose names are not yet valid still renders:
        a step in an unknown lane is drawn outside the lanes, a reference to a
        missing step as a plain box, and a stream with a missing start step
        without its edge.
    highlight : dict of str to float, optional
        A value per step name, such as utilization or mean queue length. Steps with
        a value get a border from light to dark red by the value's share of the
        largest value, and the value is printed under the step's name. Names that
        are not steps, and values that are not finite, are ignored with a warning.
    highlight_label : str, default ""
        What the values are, such as ``"utilization"``; shown beside each value and
        in the legend.

    Returns
    -------
    graphviz.Digraph
        The map; call its ``pipe`` or :func:`render_map` to produce a file.
    """
    graph = to_digraph(model)
    ids = _node_ids(graph)
    shades = _shades(graph, highlight or {})
    dot = graphviz.Digraph(name="process_map")
    dot.attr(rankdir="LR", compound="true", newrank="true", fontname=_FONT)
    dot.attr("node", fontname=_FONT, fontsize="11")
    dot.attr("edge", fontname=_FONT, fontsize="9")
    dot.attr(label=_html(model.name, bold=True, width=80), labelloc="t")
    _add_lanes(dot, graph, ids, shades, highlight_label)
    _add_free_nodes(dot, graph, ids, shades, highlight_label)
    _add_streams(dot, model, ids)
    for source, target, data in graph.edges(data=True):
        dot.edge(ids[source], ids[target], **_edge_attributes(data))
    _add_legend(dot, bool(shades), highlight_label)
    return dot


def render_map(
    model: ProcessModel,
    path: str | Path,
    fmt: str | None = None,
    *,
    highlight: dict[str, float] | None = None,
    highlight_label: str = "",
) -> Path:
    """Write the swimlane map of ``model`` to ``path``.

    Parameters
    ----------
    model : ProcessModel
    path : str or Path
        The output file; its parent folder must exist.
    fmt : {"svg", "png", "pdf", "dot"}, optional
        The format; by default taken from the suffix of ``path``.
    highlight, highlight_label
        As in :func:`swimlane_map`.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ValueError
        If the format is not one of :data:`MAP_FORMATS`.
    MapRenderError
        If the Graphviz ``dot`` program is missing or fails.
    """
    path = Path(path)
    fmt = map_format(path, fmt)
    dot = swimlane_map(model, highlight=highlight, highlight_label=highlight_label)
    if fmt == "dot":
        path.write_text(dot.source, encoding="utf-8")
        return path
    try:
        content = dot.pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        raise MapRenderError(
            "the Graphviz program 'dot' was not found; install Graphviz "
            "(such as 'apt-get install graphviz') or write a .dot file instead"
        ) from None
    except graphviz.CalledProcessError as error:
        detail = (error.stderr or b"").decode("utf-8", "replace").strip()
        raise MapRenderError(f"Graphviz failed to draw the map: {detail}") from None
    path.write_bytes(content)
    return path


def map_format(path: str | Path, fmt: str | None = None) -> str:
    """Return the map format for ``path``: ``fmt`` if given, else from the suffix.

    Raises
    ------
    ValueError
        If the format is not one of :data:`MAP_FORMATS`.
    """
    path = Path(path)
    if fmt is None:
        fmt = MAP_FORMATS.get(path.suffix.lower())
        if fmt is None:
            raise ValueError(
                f"cannot tell the map format from the file name '{path.name}'; "
                f"use a name ending in {', '.join(MAP_FORMATS)}"
            )
    fmt = fmt.lower().lstrip(".")
    if fmt not in MAP_FORMATS.values():
        raise ValueError(
            f"unknown map format '{fmt}'; use one of {', '.join(MAP_FORMATS.values())}"
        )
    return fmt


def _node_ids(graph: nx.DiGraph) -> dict[Hashable, str]:
    ids: dict[Hashable, str] = {}
    steps = [node for node in graph if not is_end_node(node)]
    ends = [node for node in graph if is_end_node(node)]
    for index, node in enumerate(steps):
        ids[node] = f"n{index}"
    for index, node in enumerate(ends):
        ids[node] = f"e{index}"
    return ids


def _wrapped(text: str, width: int = _WRAP_WIDTH) -> str:
    lines = textwrap.wrap(text, width, break_on_hyphens=False) or [""]
    return "<BR/>".join(html.escape(line, quote=True) for line in lines)


def _html(
    text: str, *, bold: bool = False, small: str = "", width: int = _WRAP_WIDTH
) -> str:
    body = _wrapped(text, width)
    if bold:
        body = f"<B>{body}</B>"
    if small:
        body += f'<BR/><FONT POINT-SIZE="9">{small}</FONT>'
    return f"<{body}>"


def _shades(graph: nx.DiGraph, highlight: dict[str, float]) -> dict[str, float]:
    """Return the highlight values of known steps with finite values."""
    shades = {}
    for name, value in highlight.items():
        if name not in graph or is_end_node(name):
            logger.warning("highlight value for unknown step %r ignored", name)
        elif not math.isfinite(value):
            logger.warning("highlight value %r of step %r ignored", value, name)
        else:
            shades[name] = float(value)
    return shades


def _step_node_attributes(
    data: dict, shades: dict[str, float], name: str, highlight_label: str
) -> dict[str, str]:
    kind = data.get("kind")
    if kind == "decision":
        attributes = {"shape": "diamond", "style": "filled", "fillcolor": "white"}
        return {**attributes, "label": _html(name)}
    details = [data.get("value_class") or ""]
    if data.get("pool"):
        details.append(html.escape(data["pool"], quote=True))
    if data.get("pca", 100.0) < 100.0:
        details.append(f"%C&amp;A {data['pca']:g}")
    attributes = {
        "shape": "hexagon" if kind == "wait" else "box",
        "style": "rounded,filled" if kind == "task" else "filled",
        "fillcolor": VALUE_CLASS_COLOURS.get(data.get("value_class"), "white"),
    }
    if data.get("touchpoint"):
        attributes["peripheries"] = "2"
    if name in shades:
        value = shades[name]
        details.append(f"<B>{html.escape(highlight_label, quote=True)} {value:.3g}</B>")
        attributes.update(_highlight_border(value, max(shades.values())))
    attributes["label"] = _html(name, small=" · ".join(d for d in details if d))
    return attributes


def _highlight_border(value: float, largest: float) -> dict[str, str]:
    # Negative values, and every value when none is positive, get the lightest shade.
    share = min(max(value / largest, 0.0), 1.0) if largest > 0 else 0.0
    index = min(int(share * len(_HIGHLIGHT_COLOURS)), len(_HIGHLIGHT_COLOURS) - 1)
    return {"color": _HIGHLIGHT_COLOURS[index], "penwidth": f"{1.5 + 3.0 * share:.2f}"}


def _add_lanes(dot, graph, ids, shades, highlight_label: str) -> None:
    for index, lane in enumerate(graph.graph["lanes"]):
        members = [
            node
            for node, data in graph.nodes(data=True)
            if not is_end_node(node) and data.get("lane") == lane
        ]
        with dot.subgraph(name=f"cluster_lane{index}") as cluster:
            cluster.attr(label=_html(lane, bold=True), labeljust="l")
            cluster.attr(style="filled", fillcolor="#f4f4f4", color="#9a9a9a")
            for node in members:
                data = graph.nodes[node]
                attributes = _step_node_attributes(data, shades, node, highlight_label)
                cluster.node(ids[node], **attributes)


def _add_free_nodes(dot, graph, ids, shades, highlight_label: str) -> None:
    """Add end states and the steps whose lane is not a model lane (decisions)."""
    lanes = set(graph.graph["lanes"])
    for node, data in graph.nodes(data=True):
        if is_end_node(node):
            dot.node(
                ids[node],
                label=_html(data.get("state", node[1])),
                shape="doublecircle",
                style="filled",
                fillcolor="white",
            )
        elif data.get("lane") not in lanes:
            attributes = _step_node_attributes(data, shades, node, highlight_label)
            dot.node(ids[node], **attributes)


def _add_streams(dot, model: ProcessModel, ids) -> None:
    for index, stream in enumerate(model.arrivals):
        stream_id = f"s{index}"
        channel = html.escape(stream.channel.replace("_", " "), quote=True)
        dot.node(
            stream_id,
            label=_html(stream.name, small=channel),
            shape="cds",
            style="filled",
            fillcolor="white",
        )
        if stream.start in ids:
            dot.edge(stream_id, ids[stream.start], color="#555555", style="dotted")


def _edge_attributes(data: dict) -> dict[str, str]:
    """Return the Graphviz attributes of one edge: line style, colour and label."""
    kind = data["kind"]
    colour = HANDOFF_COLOUR if data.get("handoff") else "black"
    attributes: dict[str, str] = {"color": colour}
    if data.get("handoff"):
        attributes["penwidth"] = "2.5"
    if kind in ("parallel", "join"):
        attributes["color"] = f"{colour}:invis:{colour}"
    if kind == "rework":
        attributes.update(style="dashed", color=REWORK_COLOUR, fontcolor=REWORK_COLOUR)
        attributes["constraint"] = "false"
    label = " ".join(html.escape(text, quote=True) for text in _edge_texts(data))
    if label:
        # Graphviz places external labels after layout and avoids overlaps where
        # it can, which keeps apart the labels of branches leaving one decision.
        attributes["xlabel"] = f"<{label}>"
    return attributes


def _edge_texts(data: dict) -> list[str]:
    texts = []
    if data["kind"] == "branch":
        texts += [data.get("label") or "", f"{100 * data['probability']:.3g}%"]
    if data.get("rework"):
        texts.append(f"rework {100 * data['rework_probability']:.3g}%")
    return [text for text in texts if text]


def _add_legend(dot, highlighted: bool, highlight_label: str) -> None:
    """Add the legend as one table node in its own cluster."""
    rows = [
        f'<TR><TD BGCOLOR="{colour}">{name}</TD><TD ALIGN="LEFT">{text}</TD></TR>'
        for (name, colour), text in zip(
            VALUE_CLASS_COLOURS.items(),
            ("value-added", "business-value-added", "non-value-added"),
            strict=True,
        )
    ]
    rows += [
        f'<TR><TD>{shape}</TD><TD ALIGN="LEFT">{text}</TD></TR>'
        for shape, text in (
            ("box", "task"),
            ("hexagon", "external wait"),
            ("diamond", "decision"),
            ("double border", "touchpoint"),
            ("double circle", "end state"),
        )
    ]
    rows += [
        f'<TR><TD><FONT COLOR="{HANDOFF_COLOUR}"><B>thick blue</B></FONT></TD>'
        '<TD ALIGN="LEFT">handoff</TD></TR>',
        f'<TR><TD><FONT COLOR="{REWORK_COLOUR}">dashed</FONT></TD>'
        '<TD ALIGN="LEFT">rework</TD></TR>',
        '<TR><TD>double line</TD><TD ALIGN="LEFT">parallel work</TD></TR>',
    ]
    if highlighted:
        text = html.escape(highlight_label or "highlighted value", quote=True)
        rows.append(
            f'<TR><TD><FONT COLOR="{_HIGHLIGHT_COLOURS[-1]}"><B>dark border</B>'
            f'</FONT></TD><TD ALIGN="LEFT">higher {text}</TD></TR>'
        )
    table = (
        '<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4">'
        '<TR><TD COLSPAN="2"><B>Legend</B></TD></TR>' + "".join(rows) + "</TABLE>>"
    )
    with dot.subgraph(name="cluster_legend") as legend:
        legend.attr(label="", style="invis")
        legend.node("legend", label=table, shape="plaintext", fontsize="9")
