"""Tests of the process graph built from small inline models."""

from __future__ import annotations

import pytest

from workbench.graph import end_node, parallel_regions, to_digraph
from workbench.loading import parse_model

HEADER = """
name: Graph test
lanes:
  - {name: Counter}
  - {name: Back office}
  - {name: Customer, kind: customer}
pools:
  - {name: Clerks, capacity: 2}
arrivals:
  - {name: Walk-ins, start: Take request, rate_per_hour: 2}
"""

ROUTED = (
    HEADER
    + """
steps:
  - name: Take request
    lane: Counter
    pool: Clerks
    value_class: VA
    touchpoint: true
    pca: 80
    duration: {dist: triangular, min: 2, mode: 3, max: 10}
    next: Route?
  - name: Route?
    kind: decision
    branches:
      - {to: File request, probability: 0.6, label: simple}
      - {to: Research request, probability: 0.4, label: complex}
  - name: File request
    lane: Counter
    pool: Clerks
    duration: {dist: fixed, value: 4}
    end: resolved
  - name: Research request
    lane: Back office
    pool: Clerks
    value_class: BVA
    duration: {dist: exponential, mean: 30}
    next: Wait for reply
  - name: Wait for reply
    kind: wait
    lane: Customer
    wait_for: customer
    duration: {dist: fixed, value: 120}
    end: withdrawn
"""
)

PARALLEL = (
    HEADER
    + """
steps:
  - name: Take request
    lane: Counter
    pool: Clerks
    duration: {dist: fixed, value: 5}
    parallel: {branches: [Check A, Check B], join: Decide}
  - name: Check A
    lane: Counter
    pool: Clerks
    pca: 90
    duration: {dist: fixed, value: 5}
    next: Decide
  - name: Check B
    lane: Back office
    pool: Clerks
    duration: {dist: fixed, value: 5}
    next: Check B2
  - name: Check B2
    lane: Back office
    pool: Clerks
    duration: {dist: fixed, value: 5}
    next: Decide
  - name: Decide
    lane: Counter
    pool: Clerks
    duration: {dist: fixed, value: 5}
    end: resolved
"""
)


def test_nodes_cover_steps_and_end_states():
    graph = to_digraph(parse_model(ROUTED))

    step_nodes = [n for n, d in graph.nodes(data=True) if d["kind"] != "end"]
    end_nodes = [n for n, d in graph.nodes(data=True) if d["kind"] == "end"]

    assert sorted(step_nodes) == sorted(
        ["Take request", "Route?", "File request", "Research request", "Wait for reply"]
    )
    assert sorted(end_nodes) == [end_node("resolved"), end_node("withdrawn")]
    assert graph.graph["lanes"] == ["Counter", "Back office", "Customer"]


def test_step_attributes_from_model():
    graph = to_digraph(parse_model(ROUTED))

    take = graph.nodes["Take request"]
    wait = graph.nodes["Wait for reply"]
    decision = graph.nodes["Route?"]

    assert take["kind"] == "task"
    assert take["lane"] == "Counter"
    assert take["pool"] == "Clerks"
    assert take["value_class"] == "VA"
    assert take["mean_duration"] == pytest.approx(5.0)
    assert take["pca"] == 80
    assert take["touchpoint"] is True
    assert take["rework_to"] == "Take request"
    assert take["streams"] == ["Walk-ins"]
    assert wait["kind"] == "wait"
    assert wait["wait_for"] == "customer"
    assert wait["end"] == "withdrawn"
    assert wait["mean_duration"] == 120
    assert decision["value_class"] is None
    assert decision["mean_duration"] == 0.0


def test_edges_carry_kind_and_probability():
    graph = to_digraph(parse_model(ROUTED))

    simple = graph.edges["Route?", "File request"]
    complex_ = graph.edges["Route?", "Research request"]
    rework = graph.edges["Take request", "Take request"]
    onward = graph.edges["Take request", "Route?"]
    ending = graph.edges["File request", end_node("resolved")]

    assert simple["kind"] == "branch"
    assert simple["probability"] == 0.6
    assert simple["label"] == "simple"
    assert complex_["probability"] == 0.4
    assert rework["kind"] == "rework"
    assert rework["probability"] == pytest.approx(0.2)
    assert onward["kind"] == "next"
    assert onward["weight"] == pytest.approx(0.8)
    assert ending["kind"] == "end"
    assert ending["weight"] == 1.0


def test_handoffs_see_through_decisions():
    graph = to_digraph(parse_model(ROUTED))

    assert graph.edges["Take request", "Route?"]["handoff"] is False
    assert graph.edges["Route?", "File request"]["handoff"] is False
    assert graph.edges["Route?", "Research request"]["handoff"] is True
    assert graph.edges["Research request", "Wait for reply"]["handoff"] is True
    assert graph.edges["Wait for reply", end_node("withdrawn")]["handoff"] is False
    assert graph.edges["Take request", "Take request"]["handoff"] is False


def test_decision_lane_ignored_for_handoffs():
    text = ROUTED.replace(
        "    kind: decision\n", "    kind: decision\n    lane: Customer\n"
    )
    graph = to_digraph(parse_model(text))

    assert graph.edges["Take request", "Route?"]["handoff"] is False
    assert graph.edges["Route?", "File request"]["handoff"] is False


def test_parallel_and_join_edges():
    model = parse_model(PARALLEL)
    graph = to_digraph(model)

    assert graph.edges["Take request", "Check A"]["kind"] == "parallel"
    assert graph.edges["Take request", "Check A"]["probability"] == 1.0
    assert graph.edges["Take request", "Check B"]["kind"] == "parallel"
    assert graph.edges["Check A", "Decide"]["kind"] == "join"
    assert graph.edges["Check A", "Decide"]["branches"] == 2
    assert graph.edges["Check B2", "Decide"]["kind"] == "join"
    assert graph.edges["Check B", "Check B2"]["kind"] == "next"
    assert graph.edges["Take request", "Check B"]["handoff"] is True
    assert graph.edges["Check B2", "Decide"]["handoff"] is True


def test_parallel_regions_stop_at_join():
    regions = parallel_regions(parse_model(PARALLEL))

    assert regions == {"Take request": ("Decide", {"Check A", "Check B", "Check B2"})}


def test_rework_onto_routing_edge_shares_edge():
    text = ROUTED.replace("    pca: 80\n", "    pca: 80\n    rework_to: Route?\n")
    graph = to_digraph(parse_model(text))

    edge = graph.edges["Take request", "Route?"]

    assert edge["kind"] == "next"
    assert edge["rework"] is True
    assert edge["rework_probability"] == pytest.approx(0.2)
    assert edge["weight"] == pytest.approx(1.0)
    assert not graph.has_edge("Take request", "Take request")
