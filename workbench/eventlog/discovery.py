"""Discover the process in an event table: variants, directly-follows graph, lanes.

A variant is the sequence of activities of a case. The directly-follows graph (DFG)
counts how often one activity is directly followed by another within a case, with
the mean and median time between their completions. :func:`discover` keeps the most
frequent variants until they cover a chosen share of the cases, so that rare paths
do not clutter the model, and builds the DFG from the cases kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import pandas as pd

from workbench.errors import EventLogError

__all__ = [
    "DEFAULT_COVERAGE",
    "CASE_START",
    "CASE_END",
    "Discovery",
    "case_variants",
    "variants",
    "keep_top_variants",
    "directly_follows",
    "activity_lanes",
    "both_orders",
    "discover",
]

#: Default share of cases that the kept variants must cover.
DEFAULT_COVERAGE = 0.9

#: Names of the artificial source and sink nodes of the DFG.
CASE_START = "[case start]"
CASE_END = "[case end]"


@dataclass(frozen=True)
class Discovery:
    """Variants, directly-follows graph and lanes found by :func:`discover`.

    Attributes
    ----------
    variants : pandas.DataFrame
        Every variant with ``variant`` (a tuple of activities), ``cases``, ``share``
        and ``kept``, most frequent first.
    edges : pandas.DataFrame
        The DFG of the kept cases: ``source``, ``target``, ``count`` and the
        ``mean_minutes`` and ``median_minutes`` between the two completions. Case
        starts and ends are edges from :data:`CASE_START` and to :data:`CASE_END`
        with zero time.
    activities : pandas.DataFrame
        Per activity of the kept cases: ``events``, ``cases`` and ``lane``.
    coverage : float
        The share of cases requested.
    covered : float
        The share of cases that the kept variants cover, at least ``coverage``.
    kept_cases : list of str
        The case ids of the kept variants.
    both_orders : pandas.DataFrame
        Pairs of activities that follow each other in both orders, from
        :func:`both_orders` on the kept cases.
    """

    variants: pd.DataFrame
    edges: pd.DataFrame
    activities: pd.DataFrame
    coverage: float
    covered: float
    kept_cases: list[str]
    both_orders: pd.DataFrame

    def graph(self) -> nx.DiGraph:
        """Return the DFG as a networkx graph with the edge columns as attributes."""
        graph = nx.DiGraph()
        for record in self.edges.to_dict("records"):
            source, target = record.pop("source"), record.pop("target")
            graph.add_edge(source, target, **record)
        return graph


def case_variants(events: pd.DataFrame) -> pd.Series:
    """Return each case's variant (tuple of activities in order), indexed by case id."""
    return events.groupby("case_id", sort=False)["activity"].agg(tuple)


def variants(events: pd.DataFrame) -> pd.DataFrame:
    """Count cases per variant, most frequent first (ties by variant, ascending).

    Returns
    -------
    pandas.DataFrame
        Columns ``variant`` (tuple of activities), ``cases`` and ``share`` of all
        cases.
    """
    counts = case_variants(events).value_counts()
    table = counts.rename_axis("variant").reset_index(name="cases")
    table = table.sort_values(
        ["cases", "variant"], ascending=[False, True], kind="mergesort"
    ).reset_index(drop=True)
    table["share"] = table["cases"] / table["cases"].sum()
    return table


def keep_top_variants(table: pd.DataFrame, coverage: float) -> pd.Series:
    """Return a boolean mask keeping the most frequent variants up to ``coverage``.

    Variants are kept in order until their cumulative share of cases reaches
    ``coverage``. The variant that crosses it is kept, so the cover is at least
    ``coverage``.

    Raises
    ------
    EventLogError
        If ``coverage`` is not in (0, 1].
    """
    if not 0 < coverage <= 1:
        raise EventLogError(
            f"coverage must be a share of cases in (0, 1], such as 0.9; "
            f"received {coverage}"
        )
    before = table["share"].cumsum() - table["share"]
    return before < coverage - 1e-12


def directly_follows(events: pd.DataFrame) -> pd.DataFrame:
    """Count directly-follows pairs with the time between their completions.

    Returns
    -------
    pandas.DataFrame
        Columns ``source``, ``target``, ``count``, ``mean_minutes`` and
        ``median_minutes``, sorted by count (descending), then source and target.
        Edges from :data:`CASE_START` count the cases starting with an activity,
        edges to :data:`CASE_END` the cases ending with one; their times are zero.
    """
    same_case = events["case_id"].eq(events["case_id"].shift(-1))
    pairs = pd.DataFrame(
        {
            "source": events["activity"],
            "target": events["activity"].shift(-1),
            "gap": (events["end_at"].shift(-1) - events["end_at"]).dt.total_seconds()
            / 60.0,
        }
    )[same_case]
    firsts = events.groupby("case_id", sort=False)["activity"].first()
    lasts = events.groupby("case_id", sort=False)["activity"].last()
    bounds = pd.DataFrame(
        {
            "source": [CASE_START] * len(firsts) + list(lasts),
            "target": list(firsts) + [CASE_END] * len(lasts),
            "gap": 0.0,
        }
    )
    pairs = pd.concat([pairs, bounds], ignore_index=True)
    edges = pairs.groupby(["source", "target"])["gap"].agg(
        count="size", mean_minutes="mean", median_minutes="median"
    )
    edges = edges.reset_index()
    return edges.sort_values(
        ["count", "source", "target"], ascending=[False, True, True], kind="mergesort"
    ).reset_index(drop=True)


def activity_lanes(events: pd.DataFrame) -> pd.Series:
    """Return the lane of each activity: its most frequent group, else ``"Staff"``.

    The group comes from ``org:group`` or a role column. Ties between groups go to
    the name first in alphabetical order. Activities without any group fall in a
    lane called ``"Staff"`` when they have a resource, and ``"Process"`` otherwise.
    """
    lanes = {}
    for activity, rows in events.groupby("activity"):
        groups = rows["group"][rows["group"] != ""]
        if len(groups):
            counts = groups.value_counts()
            top = counts[counts == counts.max()].index
            lanes[activity] = sorted(top)[0]
        elif (rows["resource"] != "").any():
            lanes[activity] = "Staff"
        else:
            lanes[activity] = "Process"
    return pd.Series(lanes, name="lane")


def both_orders(
    edges: pd.DataFrame, min_count: int = 5, min_ratio: float = 0.2
) -> pd.DataFrame:
    """Find pairs of activities that directly follow each other in both orders.

    Such a pair often means that the two activities are done in parallel and the
    log records them in either order. The routing of a calibrated model is a
    sequence, so it reproduces the orders only by chance. A loop between two
    activities (rework) also gives both orders, usually with one order rare.

    Parameters
    ----------
    edges : pandas.DataFrame
        A directly-follows table from :func:`directly_follows`.
    min_count : int, default 5
        Each order must occur at least this many times.
    min_ratio : float, default 0.2
        The rarer order must occur at least this share as often as the other.

    Returns
    -------
    pandas.DataFrame
        Columns ``first``, ``second`` (alphabetical), ``forward`` (first then
        second), ``backward`` and ``ratio`` (rarer over more frequent), most
        frequent pairs first.
    """
    counts = {(e.source, e.target): e.count for e in edges.itertuples()}
    rows = []
    for (source, target), forward in counts.items():
        backward = counts.get((target, source), 0)
        if source >= target or min(forward, backward) < min_count:
            continue
        ratio = min(forward, backward) / max(forward, backward)
        if ratio >= min_ratio:
            rows.append((source, target, forward, backward, ratio))
    table = pd.DataFrame(
        rows, columns=["first", "second", "forward", "backward", "ratio"]
    )
    table["total"] = table["forward"] + table["backward"]
    table = table.sort_values("total", ascending=False, kind="mergesort")
    return table.drop(columns="total").reset_index(drop=True)


def discover(events: pd.DataFrame, coverage: float = DEFAULT_COVERAGE) -> Discovery:
    """Find variants, keep the most frequent ones and build their DFG and lanes.

    Parameters
    ----------
    events : pandas.DataFrame
        The event table from :func:`workbench.eventlog.read_log`.
    coverage : float, default 0.9
        The share of cases that the kept variants must cover, in (0, 1].

    Returns
    -------
    Discovery

    Raises
    ------
    EventLogError
        If the table has no events or ``coverage`` is out of range.
    """
    if events.empty:
        raise EventLogError(
            "the event log has no usable events; check the import report for the "
            "rows left out and their reasons"
        )
    table = variants(events)
    table["kept"] = keep_top_variants(table, coverage)
    per_case = case_variants(events)
    kept_variants = set(table["variant"][table["kept"]])
    kept_cases = [case for case, v in per_case.items() if v in kept_variants]
    kept = events[events["case_id"].isin(kept_cases)]
    activities = kept.groupby("activity").agg(
        events=("case_id", "size"), cases=("case_id", "nunique")
    )
    activities["lane"] = activity_lanes(kept)
    edges = directly_follows(kept)
    return Discovery(
        variants=table,
        edges=edges,
        activities=activities,
        coverage=coverage,
        covered=float(table["share"][table["kept"]].sum()),
        kept_cases=kept_cases,
        both_orders=both_orders(edges),
    )
