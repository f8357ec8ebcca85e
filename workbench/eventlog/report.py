"""A self-contained HTML report of an event log import and model check.

The page embeds its CSS and its pictures as inline SVG (the directly-follows graph
drawn by Graphviz ``dot`` and a lead-time histogram), so it opens offline and can be
mailed as one file.
"""

from __future__ import annotations

import html
import logging

import graphviz
import numpy as np
import pandas as pd

from workbench.eventlog.checking import LogCheck
from workbench.eventlog.discovery import CASE_END, CASE_START, Discovery
from workbench.eventlog.reading import ImportReport

__all__ = ["render_report", "dfg_svg", "lead_time_svg"]

logger = logging.getLogger(__name__)

_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 70em;
       color: #222; line-height: 1.4; }
h1, h2 { color: #1b4965; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
tr.miss td { background: #fde2e1; }
.note { color: #555; font-size: 0.9em; }
svg { max-width: 100%; height: auto; }
"""

_MAX_UNUSABLE_SHOWN = 50


def render_report(
    report: ImportReport,
    discovery: Discovery,
    yaml_text: str,
    check: LogCheck | None = None,
    title: str = "Event log import",
) -> str:
    """Return the HTML page of an import, its discovery, model and check.

    Parameters
    ----------
    report : ImportReport
        From :func:`workbench.eventlog.read_log`.
    discovery : Discovery
        From :func:`workbench.eventlog.discover`.
    yaml_text : str
        The calibrated model file, shown in full.
    check : LogCheck, optional
        From :func:`workbench.eventlog.check_against_log`; its section is left
        out when not given.
    title : str
        The page title.
    """
    sections = [
        _import_section(report),
        _discovery_section(discovery),
        _check_section(check) if check is not None else "",
        "<h2>Calibrated model</h2><pre>" + html.escape(yaml_text) + "</pre>",
    ]
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>" + "".join(sections) + "</body></html>"
    )


def _import_section(report: ImportReport) -> str:
    items = "".join(f"<li>{html.escape(line)}</li>" for line in report.summary())
    mapping = ", ".join(
        f"{name}: {html.escape(str(value))}"
        for name, value in vars(report.mapping).items()
        if value
    )
    rows = sorted(report.unusable_rows.items())[:_MAX_UNUSABLE_SHOWN]
    table = _table(pd.DataFrame(rows, columns=["row", "reason"]).set_index("row"), "{}")
    more = len(report.unusable_rows) - len(rows)
    tail = f"<p class='note'>{more} more rows left out.</p>" if more > 0 else ""
    return (
        "<h2>Import</h2>"
        f"<ul>{items}</ul><p class='note'>Columns used: {mapping}.</p>"
        + (f"<h3>Rows left out</h3>{table}{tail}" if rows else "")
    )


def _discovery_section(discovery: Discovery) -> str:
    variants = discovery.variants.head(15).copy()
    variants["variant"] = [" > ".join(v) for v in variants["variant"]]
    variants["share"] = (variants["share"] * 100).round(1)
    variants = variants.set_index("variant")[["cases", "share", "kept"]]
    return (
        "<h2>Discovered process</h2>"
        f"<p>{int(discovery.variants['kept'].sum())} of {len(discovery.variants)} "
        f"variants kept, covering {discovery.covered:.1%} of cases (coverage "
        f"{discovery.coverage:g}).</p>"
        + dfg_svg(discovery)
        + _both_orders_section(discovery.both_orders)
        + "<h3>Most frequent variants (share in percent)</h3>"
        + _table(variants, "{:g}")
    )


def _both_orders_section(pairs: pd.DataFrame) -> str:
    if pairs.empty:
        return ""
    table = pairs.set_index(pairs["first"] + " / " + pairs["second"])
    return (
        "<h3>Activities seen in both orders</h3><p>These pairs directly follow "
        "each other in both orders. They may be done in parallel, which the "
        "calibrated model routes as a sequence.</p>"
        + _table(table[["forward", "backward", "ratio"]], "{:.3g}")
    )


def _check_section(check: LogCheck) -> str:
    note = (
        f"<p class='note'>{check.in_progress} simulated cases were still in progress "
        "at the end of the run and are left out.</p>"
        if check.in_progress
        else ""
    )
    misses = check.misses
    summary = (
        f"<p>{len(misses)} differences flagged as misses (red rows).</p>"
        if misses
        else "<p>No difference flagged.</p>"
    )
    return (
        "<h2>Simulated model against the log</h2>"
        + summary
        + note
        + "<h3>Lead time (minutes)</h3>"
        + _table(check.lead_time, "{:.4g}")
        + lead_time_svg(check)
        + "<h3>Visits per case by activity</h3>"
        + _table(check.activities, "{:.3f}")
        + "<h3>Share of cases by variant</h3>"
        + _table(check.variants, "{:.3f}")
    )


def _table(frame: pd.DataFrame, number_format: str) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for label, row in frame.iterrows():
        miss = bool(row.get("miss", False))
        cells = "".join(f"<td>{_cell(v, number_format)}</td>" for v in row)
        css = " class='miss'" if miss else ""
        rows.append(f"<tr{css}><td>{html.escape(str(label))}</td>{cells}</tr>")
    return f"<table><tr><th></th>{head}</tr>{''.join(rows)}</table>"


def _cell(value, number_format: str) -> str:
    if isinstance(value, bool | np.bool_):
        return "yes" if value else ""
    if isinstance(value, float | int | np.number):
        return number_format.format(value)
    return html.escape(str(value))


def dfg_svg(discovery: Discovery) -> str:
    """Return the directly-follows graph as inline SVG, drawn by Graphviz ``dot``.

    Returns a short note instead when the ``dot`` program is not installed.
    """
    graph = graphviz.Digraph(graph_attr={"rankdir": "TB"}, node_attr={"shape": "box"})
    for node in (CASE_START, CASE_END):
        graph.node(node, shape="circle", label="start" if node == CASE_START else "end")
    top = discovery.edges["count"].max()
    for edge in discovery.edges.itertuples():
        width = 0.5 + 3.5 * edge.count / top
        graph.edge(
            edge.source, edge.target, label=str(edge.count), penwidth=f"{width:.2f}"
        )
    try:
        svg = graph.pipe(format="svg").decode("utf-8")
    except graphviz.ExecutableNotFound:
        logger.warning("Graphviz 'dot' not found; the report has no process map")
        return "<p class='note'>Install Graphviz to draw the process map.</p>"
    return svg[svg.find("<svg") :]


def lead_time_svg(check: LogCheck, width: int = 640, height: int = 260) -> str:
    """Return overlaid histograms of logged and simulated lead times as inline SVG.

    Bins are equal on a log scale of hours, from 0.001 hours (zero lead times are
    put in the first bin) to the longest lead time.
    """
    log_h = np.log10(np.maximum(check.log_lead_times.to_numpy() / 60.0, 1e-3))
    sim_h = np.log10(np.maximum(check.simulated_lead_times.to_numpy() / 60.0, 1e-3))
    top = max(log_h.max(initial=0.0), sim_h.max(initial=0.0)) + 0.01
    edges = np.linspace(-3.0, top, 31)
    shares = [
        np.histogram(values, edges)[0] / max(len(values), 1)
        for values in (log_h, sim_h)
    ]
    peak = max(float(s.max(initial=0.0)) for s in shares) or 1.0
    bar = (width - 60) / 30
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}'>"]
    for share, colour, shift in (
        (shares[0], "#1b4965", 0.0),
        (shares[1], "#e76f51", 0.5),
    ):
        for index, value in enumerate(share):
            h = (height - 50) * value / peak
            x = 50 + index * bar + shift * bar / 2
            parts.append(
                f"<rect x='{x:.1f}' y='{height - 30 - h:.1f}' width='{bar / 2:.1f}' "
                f"height='{h:.1f}' fill='{colour}'/>"
            )
    for power in range(-3, int(top) + 1):
        x = 50 + (power + 3) / (top + 3) * (width - 60)
        parts.append(
            f"<text x='{x:.1f}' y='{height - 12}' font-size='11' "
            f"text-anchor='middle'>{10.0**power:g} h</text>"
        )
    parts.append(
        "<text x='50' y='14' font-size='12' fill='#1b4965'>event log</text>"
        "<text x='130' y='14' font-size='12' fill='#e76f51'>simulated</text></svg>"
    )
    return "".join(parts)
