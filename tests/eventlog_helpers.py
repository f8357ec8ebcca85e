"""Small event logs built in memory for the event log tests."""

from __future__ import annotations

import io


def make_log(counts: dict[str, int]) -> io.StringIO:
    """Build a CSV log with ``count`` cases of each variant (activities as letters).

    The events of a case complete one minute apart, from 10:00 UTC on 2024-01-01.
    """
    lines = ["case_id,activity,timestamp"]
    case = 0
    for variant, count in counts.items():
        for _ in range(count):
            case += 1
            for minute, activity in enumerate(variant):
                lines.append(f"c{case},{activity},2024-01-01T10:{minute:02d}:00Z")
    return io.StringIO("\n".join(lines) + "\n")
