"""The process model as a networkx directed graph.

:func:`to_digraph` turns a :class:`~workbench.model.ProcessModel` into an
``nx.DiGraph`` with one node per step, keyed by the step's name, and one node per end
state that a step can reach, keyed ``("end", state)``. Edges carry the routing
probabilities, so :mod:`workbench.structure` can solve the process as a Markov chain
and :mod:`workbench.maps` can draw it. ``docs/graph.md`` lists every node and edge
attribute.

The graph assumes a model whose names are valid (see :mod:`workbench.validation`):
a reference to a missing step adds a node without step attributes.
"""

from __future__ import annotations

from collections.abc import Hashable

import networkx as nx

from workbench.distributions import mean_of
from workbench.model import ProcessModel, Step

__all__ = [
    "EDGE_KINDS",
    "end_node",
    "is_end_node",
    "to_digraph",
    "parallel_regions",
    "upstream_lanes",
]

#: Edge kinds: routing by ``next``, a decision's branch, a parallel split's branch,
#: a branch's move into its join, the move to an end state, and rework.
EDGE_KINDS = ("next", "branch", "parallel", "join", "end", "rework")


def end_node(state: str) -> tuple[str, str]:
    """Return the node key of an end state, such as ``("end", "resolved")``."""
    return ("end", state)


def is_end_node(node: Hashable) -> bool:
    """Return True if ``node`` is the key of an end-state node."""
    return isinstance(node, tuple) and len(node) == 2 and node[0] == "end"


def to_digraph(model: ProcessModel) -> nx.DiGraph:
    """Build the directed graph of a process model.

    Parameters
    ----------
    model : ProcessModel
        A model whose step, lane and pool names are valid.

    Returns
    -------
    networkx.DiGraph
        One node per step (key: the step name) and one per end state reached (key:
        ``("end", state)``), with the attributes listed in ``docs/graph.md``. The
        graph attributes ``name``, ``time_unit`` and ``lanes`` (lane names in model
        order) describe the model.

    Notes
    -----
    The ``probability`` of a routing edge is conditional on the step's output being
    complete and accurate; a rework edge's ``probability`` is ``1 - pca/100``. The
    ``weight`` of an edge is the expected number of moves along it per visit to its
    source: ``pca/100 * probability`` for routing edges. When a rework edge and a
    routing edge join the same two steps, they share one edge whose ``rework`` flag
    is set and whose ``weight`` is the sum of both.
    """
    graph = nx.DiGraph(
        name=model.name,
        time_unit=model.time_unit,
        lanes=[lane.name for lane in model.lanes],
    )
    starts = _stream_starts(model)
    for step in model.steps:
        graph.add_node(step.name, **_step_attributes(model, step, starts))
    joins = _join_sources(model)
    for step in model.steps:
        _add_routing_edges(graph, step, joins)
        _add_rework_edge(graph, step)
    _mark_handoffs(graph)
    return graph


def _stream_starts(model: ProcessModel) -> dict[str, list[str]]:
    starts: dict[str, list[str]] = {}
    for stream in model.arrivals:
        starts.setdefault(stream.start, []).append(stream.name)
    return starts


def _step_attributes(
    model: ProcessModel, step: Step, starts: dict[str, list[str]]
) -> dict[str, object]:
    is_decision = step.kind == "decision"
    return {
        "kind": step.kind,
        "lane": step.lane,
        "value_class": None if is_decision else step.value_class,
        "pool": step.pool,
        "mean_duration": mean_of(step.duration) if step.duration else 0.0,
        "pca": 100.0 if is_decision else step.pca,
        "touchpoint": step.touchpoint and not is_decision,
        "wait_for": step.wait_for,
        "working_hours_only": step.working_hours_only,
        "mean_patience": mean_of(step.patience) if step.patience else None,
        "batch": step.batch is not None,
        "end": step.end,
        "rework_to": _rework_target(step),
        "streams": starts.get(step.name, []),
        "label": step.name,
    }


def _rework_target(step: Step) -> str | None:
    if step.kind == "decision" or step.pca >= 100:
        return None
    return step.rework_to or step.name


def parallel_regions(model: ProcessModel) -> dict[str, tuple[str, set[str]]]:
    """Return, per parallel split, its join and the steps of its branches.

    A branch's steps are those reachable from its first step without passing the
    join, following routing and rework.

    Returns
    -------
    dict of str to (str, set of str)
        The split step's name maps to ``(join, steps of all its branches)``.
    """
    successors = {step.name: _successors(step) for step in model.steps}
    regions = {}
    for step in model.steps:
        if step.parallel is None:
            continue
        join = step.parallel.join
        region: set[str] = set()
        pending = [name for name in step.parallel.branches if name != join]
        while pending:
            name = pending.pop()
            if name in region:
                continue
            region.add(name)
            pending += [n for n in successors.get(name, []) if n != join]
        regions[step.name] = (join, region)
    return regions


def _successors(step: Step) -> list[str]:
    names = []
    if step.next is not None:
        names.append(step.next)
    names += [branch.to for branch in step.branches or []]
    if step.parallel is not None:
        names += step.parallel.branches
    rework = _rework_target(step)
    if rework is not None:
        names.append(rework)
    return names


def _join_sources(model: ProcessModel) -> dict[tuple[str, str], int]:
    """Map each (branch step, join) edge to the number of branches of its split."""
    sources = {}
    for split, (join, region) in parallel_regions(model).items():
        count = len(model.step(split).parallel.branches)
        for name in region:
            sources[(name, join)] = count
    return sources


def _add_routing_edges(
    graph: nx.DiGraph, step: Step, joins: dict[tuple[str, str], int]
) -> None:
    keep = 1.0 if step.kind == "decision" else step.pca / 100.0
    for target, kind, probability, label in _routes(step):
        attributes = {"kind": kind, "probability": probability, "label": label}
        if kind == "next" and (step.name, target) in joins:
            attributes["kind"] = "join"
            attributes["branches"] = joins[(step.name, target)]
        if kind == "end":
            graph.add_node(target, kind="end", state=target[1], label=target[1])
        graph.add_edge(
            step.name, target, weight=keep * probability, rework=False, **attributes
        )


def _routes(step: Step) -> list[tuple[Hashable, str, float, str]]:
    if step.next is not None:
        return [(step.next, "next", 1.0, "")]
    if step.branches is not None:
        return [(b.to, "branch", b.probability, b.label) for b in step.branches]
    if step.parallel is not None:
        return [(name, "parallel", 1.0, "") for name in step.parallel.branches]
    return [(end_node(step.end), "end", 1.0, step.end)]


def _add_rework_edge(graph: nx.DiGraph, step: Step) -> None:
    target = _rework_target(step)
    if target is None:
        return
    share = 1.0 - step.pca / 100.0
    if graph.has_edge(step.name, target):
        edge = graph.edges[step.name, target]
        edge["rework"] = True
        edge["rework_probability"] = share
        edge["weight"] += share
        return
    graph.add_edge(
        step.name,
        target,
        kind="rework",
        probability=share,
        rework_probability=share,
        weight=share,
        rework=True,
        label="rework",
    )


def upstream_lanes(graph: nx.DiGraph, node: Hashable) -> set[str]:
    """Return the lanes of the steps that a case can come from to reach ``node``.

    Decisions are transparent: the search passes through them to the nearest task
    or wait steps. A task or wait step returns its own lane. Steps without a lane are
    skipped.
    """
    lanes: set[str] = set()
    seen = set()
    pending = [node]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        data = graph.nodes[current]
        if data.get("kind") != "decision":
            if data.get("lane") is not None:
                lanes.add(data["lane"])
            continue
        pending += list(graph.predecessors(current))
    return lanes


def _mark_handoffs(graph: nx.DiGraph) -> None:
    """Set ``handoff`` on each edge into a task or wait step from another lane.

    An edge out of a decision counts when any step that can lead to the decision
    lies in another lane, so it marks a possible handoff.
    """
    for source, target, data in graph.edges(data=True):
        target_data = graph.nodes[target]
        if target_data.get("kind") in ("decision", "end", None):
            data["handoff"] = False
            continue
        lane = target_data.get("lane")
        data["handoff"] = any(other != lane for other in upstream_lanes(graph, source))
