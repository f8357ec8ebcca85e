"""Discovery: directly-follows counts, variants, coverage filter and lanes."""

from __future__ import annotations

import csv
import datetime as dt
import statistics
from collections import Counter, defaultdict

import pytest
from eventlog_helpers import make_log

from workbench.errors import EventLogError
from workbench.eventlog import discover, read_log
from workbench.eventlog.discovery import (
    CASE_END,
    CASE_START,
    directly_follows,
    variants,
)


def raw_traces(path) -> dict[str, list[tuple[dt.datetime, str]]]:
    """Read the running example with the csv module: case -> [(time, activity)]."""
    traces = defaultdict(list)
    with open(path, newline="", encoding="utf-8") as handle:
        for index, row in enumerate(csv.DictReader(handle)):
            stamp = dt.datetime.fromisoformat(row["time:timestamp"])
            traces[row["case:concept:name"]].append((stamp, index, row["concept:name"]))
    return {case: [(t, a) for t, _, a in sorted(rows)] for case, rows in traces.items()}


def test_running_example_directly_follows_counts(running_example_csv):
    traces = raw_traces(running_example_csv)
    expected = Counter()
    for trace in traces.values():
        names = [activity for _, activity in trace]
        expected.update(zip(names, names[1:], strict=False))
        expected[CASE_START, names[0]] += 1
        expected[names[-1], CASE_END] += 1

    events, _ = read_log(running_example_csv)
    edges = directly_follows(events)

    found = {(e.source, e.target): e.count for e in edges.itertuples()}
    assert found == dict(expected)


def test_running_example_directly_follows_times(running_example_csv):
    traces = raw_traces(running_example_csv)
    gaps = defaultdict(list)
    for trace in traces.values():
        for (t1, a1), (t2, a2) in zip(trace, trace[1:], strict=False):
            gaps[a1, a2].append((t2 - t1).total_seconds() / 60)

    events, _ = read_log(running_example_csv)
    edges = directly_follows(events).set_index(["source", "target"])

    for pair, values in gaps.items():
        assert edges.loc[pair, "mean_minutes"] == pytest.approx(statistics.mean(values))
        assert edges.loc[pair, "median_minutes"] == pytest.approx(
            statistics.median(values)
        )


def test_running_example_variants(running_example_csv):
    traces = raw_traces(running_example_csv)
    expected = Counter(tuple(a for _, a in trace) for trace in traces.values())

    events, _ = read_log(running_example_csv)
    table = variants(events)

    assert dict(zip(table["variant"], table["cases"], strict=True)) == dict(expected)
    assert table["share"].sum() == pytest.approx(1.0)


def test_coverage_keeps_most_frequent_variants():
    events, _ = read_log(make_log({"ABC": 6, "ABD": 3, "AE": 1}))

    result = discover(events, coverage=0.9)

    assert result.variants["kept"].tolist() == [True, True, False]
    assert result.covered == pytest.approx(0.9)
    assert len(result.kept_cases) == 9
    assert "E" not in set(result.edges["target"])


def test_coverage_one_keeps_every_variant():
    events, _ = read_log(make_log({"ABC": 6, "ABD": 3, "AE": 1}))

    result = discover(events, coverage=1.0)

    assert result.variants["kept"].all()
    assert result.covered == pytest.approx(1.0)


def test_coverage_crossing_variant_kept():
    events, _ = read_log(make_log({"ABC": 6, "ABD": 3, "AE": 1}))

    result = discover(events, coverage=0.7)

    # ABC covers 0.6 < 0.7, so ABD is kept too.
    assert result.variants["kept"].tolist() == [True, True, False]


@pytest.mark.parametrize("coverage", [0.0, -0.1, 1.5])
def test_coverage_out_of_range_rejected(coverage):
    events, _ = read_log(make_log({"AB": 2}))

    with pytest.raises(EventLogError, match="coverage"):
        discover(events, coverage=coverage)


def test_rework_loop_in_graph():
    events, _ = read_log(make_log({"ABBC": 2, "ABC": 2}))

    result = discover(events, coverage=1.0)
    graph = result.graph()

    assert graph.has_edge("B", "B")
    assert graph["B"]["B"]["count"] == 2
    assert graph["B"]["C"]["count"] == 4


def test_lanes_from_groups(tmp_path):
    path = tmp_path / "groups.csv"
    path.write_text(
        "case_id,activity,timestamp,org:group\n"
        "1,Intake,2024-01-01T09:00Z,Front desk\n"
        "1,Review,2024-01-01T10:00Z,Back office\n"
        "2,Intake,2024-01-01T11:00Z,Front desk\n"
        "2,Review,2024-01-01T12:00Z,Front desk\n"
        "3,Review,2024-01-01T13:00Z,Back office\n",
        encoding="utf-8",
    )
    events, _ = read_log(path)

    result = discover(events, coverage=1.0)

    assert result.activities.loc["Intake", "lane"] == "Front desk"
    assert result.activities.loc["Review", "lane"] == "Back office"


def test_lanes_without_groups(running_example_csv):
    events, _ = read_log(running_example_csv)

    result = discover(events)

    assert set(result.activities["lane"]) == {"Staff"}


def test_empty_log_rejected(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("case_id,activity,timestamp\n", encoding="utf-8")
    events, _ = read_log(path)

    with pytest.raises(EventLogError, match="no usable events"):
        discover(events)


def test_both_orders_found():
    events, _ = read_log(make_log({"ABCD": 6, "ACBD": 5, "ABD": 3, "AEAD": 5}))

    pairs = discover(events, coverage=1.0).both_orders

    # B then C 6 times and C then B 5 times. In AEAD, A then E and E then A
    # occur 5 times each.
    assert pairs[["first", "second", "forward", "backward"]].values.tolist() == [
        ["B", "C", 6, 5],
        ["A", "E", 5, 5],
    ]


def test_both_orders_needs_min_count():
    events, _ = read_log(make_log({"ABCD": 6, "ACBD": 4}))

    pairs = discover(events, coverage=1.0).both_orders

    assert pairs.empty
