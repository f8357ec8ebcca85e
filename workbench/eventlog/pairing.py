"""Turn parsed log rows into the event table: lifecycle pairing, sorting, ties."""

from __future__ import annotations

from collections import defaultdict, deque
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from workbench.eventlog.reading import ImportReport

__all__ = ["build_event_table"]

_START = {"start"}
_COMPLETE = {"complete", "completed", "end"}


def build_event_table(frame: pd.DataFrame, report: ImportReport) -> pd.DataFrame:
    """Build the event table from usable rows and record what happened in ``report``.

    ``frame`` has the columns ``row``, ``case``, ``activity``, ``resource``,
    ``group``, ``lifecycle``, ``channel``, ``time`` and optionally ``start``. Rows
    with a start transition are paired with the next completion of the same
    activity in the same case, first in first out.
    """
    frame = frame.sort_values(["case", "time", "row"], kind="mergesort")
    transitions = frame["lifecycle"].str.lower().fillna("complete")
    other = ~transitions.isin(_START | _COMPLETE)
    for transition, count in transitions[other].value_counts().items():
        report.ignored_transitions[str(transition)] = int(count)
    for row, transition in zip(frame["row"][other], transitions[other], strict=True):
        report.unusable_rows[int(row)] = (
            f"lifecycle transition {transition!r} is neither start nor complete"
        )
    frame, transitions = frame[~other], transitions[~other]
    if "start" not in frame:
        frame = frame.assign(
            start=pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns, UTC]")
        )
    starts = transitions.isin(_START)
    if starts.any():
        frame = _pair(frame, starts, report)
    return _check_order(_to_event_table(frame), report)


def _pair(frame: pd.DataFrame, starts: pd.Series, report: ImportReport) -> pd.DataFrame:
    open_starts: dict[tuple, deque] = defaultdict(deque)
    paired_start = {}
    unpaired_completes = 0
    for label, case, activity, is_start, time in zip(
        frame.index,
        frame["case"],
        frame["activity"],
        starts,
        frame["time"],
        strict=True,
    ):
        if is_start:
            open_starts[case, activity].append((label, time))
        elif open_starts[case, activity]:
            _, start_time = open_starts[case, activity].popleft()
            paired_start[label] = start_time
        else:
            unpaired_completes += 1
    for queue in open_starts.values():
        for label, _ in queue:
            row = int(frame.at[label, "row"])
            report.unusable_rows[row] = (
                f"start of {frame.at[label, 'activity']!r} in case "
                f"{frame.at[label, 'case']!r} has no later completion"
            )
            report.unpaired_starts += 1
    report.unpaired_completes = unpaired_completes
    report.paired_starts = len(paired_start)
    completes = frame[~starts].copy()
    paired = pd.Series(paired_start, dtype="datetime64[ns, UTC]")
    completes["start"] = completes["start"].where(completes["start"].notna(), paired)
    return completes


def _to_event_table(frame: pd.DataFrame) -> pd.DataFrame:
    channel = frame.groupby("case")["channel"].transform("first")
    events = pd.DataFrame(
        {
            "case_id": frame["case"].astype(str),
            "activity": frame["activity"].astype(str),
            "start_at": frame["start"].astype("datetime64[ns, UTC]"),
            "end_at": frame["time"].astype("datetime64[ns, UTC]"),
            "resource": frame["resource"].fillna("").astype(str),
            "group": frame["group"].fillna("").astype(str),
            "channel": channel.fillna("").astype(str),
            "row": frame["row"].astype(int),
        }
    )
    return events.reset_index(drop=True)


def _check_order(events: pd.DataFrame, report: ImportReport) -> pd.DataFrame:
    same_case = events["case_id"].eq(events["case_id"].shift())
    report.ties = int((same_case & events["end_at"].eq(events["end_at"].shift())).sum())
    late_start = events["start_at"] > events["end_at"]
    for row in events["row"][late_start]:
        report.unusable_rows[int(row)] = "start time is after the completion time"
    return events[~late_start].reset_index(drop=True)
