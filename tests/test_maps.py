"""Tests of the swimlane maps, rendered with the real Graphviz ``dot``."""

from __future__ import annotations

import json
import logging
import re

import graphviz
import pytest
from defusedxml import ElementTree

from tests.conftest import bundled_model_paths
from workbench.graph import to_digraph
from workbench.loading import load_model, parse_model
from workbench.maps import (
    HANDOFF_COLOUR,
    REWORK_COLOUR,
    VALUE_CLASS_COLOURS,
    map_format,
    render_map,
    swimlane_map,
)

SVG = "{http://www.w3.org/2000/svg}"

# Every name is short enough to stay on one line of its label.
ODD_NAMES = {
    "lane_a": 'Lane "A": <front>',
    "lane_b": "Bäckerei & Café",
    "lane_c": "窓口 \\ 予約",
    "pool": "Clerks <&> Co",
    "stream": "Walk-ins: 'today'",
    "first": 'Take "form" & file',
    "decision": "OK? <yes/no>",
    "slash": "C:\\temp\\n review",
    "accents": "Révision générale",
    "cjk": "審査 – 承認",
    "label": "a<b & 'c'",
}

ODD_MODEL = f"""
name: "Odd & <names>"
lanes:
  - {{name: '{ODD_NAMES["lane_a"]}'}}
  - {{name: "{ODD_NAMES["lane_b"]}"}}
  - {{name: '{ODD_NAMES["lane_c"]}'}}
pools:
  - {{name: "{ODD_NAMES["pool"]}", capacity: 2}}
arrivals:
  - {{name: "{ODD_NAMES["stream"]}", start: '{ODD_NAMES["first"]}', rate_per_hour: 1}}
steps:
  - name: '{ODD_NAMES["first"]}'
    lane: '{ODD_NAMES["lane_a"]}'
    pool: "{ODD_NAMES["pool"]}"
    pca: 90
    duration: {{dist: fixed, value: 5}}
    next: "{ODD_NAMES["decision"]}"
  - name: "{ODD_NAMES["decision"]}"
    kind: decision
    branches:
      - {{to: '{ODD_NAMES["slash"]}', probability: 0.5, label: "{ODD_NAMES["label"]}"}}
      - {{to: "{ODD_NAMES["accents"]}", probability: 0.5}}
  - name: '{ODD_NAMES["slash"]}'
    lane: "{ODD_NAMES["lane_b"]}"
    pool: "{ODD_NAMES["pool"]}"
    duration: {{dist: fixed, value: 5}}
    parallel:
      branches: ["{ODD_NAMES["cjk"]}", "{ODD_NAMES["accents"]} 2"]
      join: Join ]] here
  - name: "{ODD_NAMES["cjk"]}"
    lane: '{ODD_NAMES["lane_c"]}'
    pool: "{ODD_NAMES["pool"]}"
    duration: {{dist: fixed, value: 5}}
    next: Join ]] here
  - name: "{ODD_NAMES["accents"]} 2"
    lane: '{ODD_NAMES["lane_c"]}'
    kind: wait
    duration: {{dist: fixed, value: 5}}
    next: Join ]] here
  - name: Join ]] here
    lane: "{ODD_NAMES["lane_b"]}"
    pool: "{ODD_NAMES["pool"]}"
    duration: {{dist: fixed, value: 5}}
    end: resolved
  - name: "{ODD_NAMES["accents"]}"
    lane: "{ODD_NAMES["lane_b"]}"
    pool: "{ODD_NAMES["pool"]}"
    value_class: VA
    duration: {{dist: fixed, value: 5}}
    end: withdrawn
"""


@pytest.fixture
def odd_model():
    return parse_model(ODD_MODEL, "odd names")


def _svg_nodes(svg: bytes) -> dict[str, str]:
    """Return each SVG node's id (its title) and its text lines joined by newlines."""
    root = ElementTree.fromstring(svg)
    nodes = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("class") != "node":
            continue
        title = group.find(f"{SVG}title").text
        texts = [t.text or "" for t in group.iter(f"{SVG}text")]
        nodes[title] = "\n".join(texts)
    return nodes


def _svg_groups(svg: bytes, kind: str) -> list:
    root = ElementTree.fromstring(svg)
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == kind]


def test_odd_names_node_and_edge_counts(odd_model):
    graph = to_digraph(odd_model)
    layout = json.loads(swimlane_map(odd_model).pipe(format="json"))

    names = [obj["name"] for obj in layout["objects"] if "nodes" not in obj]
    clusters = [obj["name"] for obj in layout["objects"] if "nodes" in obj]
    element_ids = [n for n in names if re.fullmatch(r"[nes]\d+", n)]

    # 7 steps, 2 end states and 1 arrival stream. The map has one edge per graph
    # edge plus the arrival stream's edge into its start step.
    assert len(element_ids) == 7 + 2 + 1
    assert graph.number_of_nodes() == 9
    assert len(layout["edges"]) == graph.number_of_edges() + 1
    assert sorted(clusters) == [
        "cluster_lane0",
        "cluster_lane1",
        "cluster_lane2",
        "cluster_legend",
    ]


def test_odd_names_render_as_written(odd_model):
    svg = swimlane_map(odd_model).pipe(format="svg")
    texts = set(_svg_nodes(svg).values())
    flat = "\n".join(texts)

    for key in ("first", "decision", "slash", "accents", "cjk", "stream"):
        name = ODD_NAMES[key]
        assert any(text.split("\n")[0] == name for text in texts), name
    assert "Join ]] here" in flat
    assert f"{ODD_NAMES['accents']} 2" in flat
    assert ODD_NAMES["pool"] in flat


def test_odd_lane_and_edge_labels(odd_model):
    svg = swimlane_map(odd_model).pipe(format="svg")
    clusters = _svg_groups(svg, "cluster")
    cluster_texts = {
        "".join(t.text or "" for t in group.iter(f"{SVG}text")) for group in clusters
    }
    edge_texts = " ".join(
        t.text or "" for g in _svg_groups(svg, "edge") for t in g.iter(f"{SVG}text")
    )

    for key in ("lane_a", "lane_b", "lane_c"):
        assert ODD_NAMES[key] in cluster_texts
    assert f"{ODD_NAMES['label']} 50%" in edge_texts
    assert "rework 10%" in edge_texts


def test_value_classes_and_shapes_in_source(odd_model):
    source = swimlane_map(odd_model).source

    assert f'fillcolor="{VALUE_CLASS_COLOURS["VA"]}"' in source
    assert f'fillcolor="{VALUE_CLASS_COLOURS["NVA"]}"' in source
    assert "shape=diamond" in source
    assert "shape=hexagon" in source
    assert "shape=doublecircle" in source
    assert f"color={REWORK_COLOUR!r}".replace("'", '"') in source
    assert HANDOFF_COLOUR in source


def test_user_text_never_in_node_ids(odd_model):
    source = swimlane_map(odd_model).source

    node_lines = [line.strip() for line in source.splitlines() if " [" in line]
    ids = [line.split(" [", 1)[0] for line in node_lines if "->" not in line]

    assert ids
    assert all(re.fullmatch(r"[nes]\d+|legend|graph|node|edge", i) for i in ids), ids


def test_highlight_marks_step_and_legend(odd_model):
    step = ODD_NAMES["first"]
    svg = swimlane_map(
        odd_model, highlight={step: 0.93}, highlight_label="utilization"
    ).pipe(format="svg")
    texts = _svg_nodes(svg)

    highlighted = [text for text in texts.values() if text.startswith(step)]

    assert len(highlighted) == 1
    assert "utilization 0.93" in highlighted[0]
    assert "higher utilization" in texts["legend"]


def test_highlight_unknown_step_warns(odd_model, caplog):
    with caplog.at_level(logging.WARNING, logger="workbench.maps"):
        dot = swimlane_map(odd_model, highlight={"No such step": 1.0})

    assert "No such step" in caplog.text
    assert "No such step" not in dot.source


@pytest.mark.parametrize("path", bundled_model_paths(), ids=lambda p: p.parent.name)
def test_bundled_model_renders_svg(path, tmp_path):
    model = load_model(path)
    output = tmp_path / "map.svg"

    render_map(model, output)
    nodes = _svg_nodes(output.read_bytes())

    steps = [name for name in nodes if re.fullmatch(r"n\d+", name)]
    assert len(steps) == len(model.steps)
    assert len([n for n in nodes if re.fullmatch(r"s\d+", n)]) == len(model.arrivals)


@pytest.mark.parametrize(
    ("suffix", "magic"),
    [(".png", b"\x89PNG"), (".pdf", b"%PDF"), (".svg", b"<?xml"), (".dot", b"digraph")],
)
def test_render_format_from_suffix(odd_model, tmp_path, suffix, magic):
    output = tmp_path / f"map{suffix}"

    written = render_map(odd_model, output)

    assert written == output
    assert output.read_bytes().startswith(magic)


def test_dot_file_renders_with_dot(odd_model, tmp_path):
    output = render_map(odd_model, tmp_path / "map.dot")

    svg = graphviz.Source(output.read_text(encoding="utf-8")).pipe(format="svg")

    assert ODD_NAMES["cjk"] in "\n".join(_svg_nodes(svg).values())


def test_unknown_format_raises(tmp_path):
    with pytest.raises(ValueError, match="map.txt"):
        map_format(tmp_path / "map.txt")
    with pytest.raises(ValueError, match="'gif'"):
        map_format(tmp_path / "map.svg", "gif")
    assert map_format(tmp_path / "map.out", "PNG") == "png"


def test_highlight_shades_by_share_of_largest(odd_model):
    first, other = ODD_NAMES["first"], ODD_NAMES["accents"]
    source = swimlane_map(
        odd_model, highlight={first: 10.0, other: -2.0}, highlight_label="queue"
    ).source

    lines = {line.split(" [", 1)[0].strip(): line for line in source.splitlines()}
    first_line = next(line for line in lines.values() if "Take &quot;form" in line)
    other_line = next(line for line in lines.values() if "générale<BR/>" in line)

    assert "penwidth=4.50" in first_line
    assert 'color="#a50f15"' in first_line
    assert "penwidth=1.50" in other_line
    assert 'color="#fcbba1"' in other_line


def test_draft_with_unknown_names_renders():
    draft = parse_model(
        """
name: Draft
lanes: [{name: Desk}]
arrivals: [{name: Calls, start: Nowhere, rate_per_hour: 1}]
steps:
  - {name: Answer, lane: Dsk, next: Anwser}
  - {name: Split, lane: Desk, parallel: {branches: [Answer, Gone], join: Missing}}
"""
    )

    texts = set(_svg_nodes(swimlane_map(draft).pipe(format="svg")).values())

    assert "Anwser" in texts
    assert "Gone" in texts
    assert any(text.startswith("Answer") for text in texts)
