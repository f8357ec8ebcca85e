"""Read CSV and XES event logs into the one event table that everything reads.

The event table has one row per activity instance, sorted by case, time and original
row (a stable sort, so events with equal timestamps keep their file order):

case_id
    The case identifier, as text.
activity
    The activity name.
start_at
    When work started, in UTC; ``NaT`` when the log records completions only.
end_at
    When the activity completed, in UTC.
resource, group, channel
    The resource, its group (role or department) and the case's channel; empty
    text when the log lacks them.
row
    The position of the completion event in the source file, from 0.

Nothing is dropped silently: :class:`ImportReport` counts every row that was not
used, with the reason.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO

import pandas as pd

from workbench.errors import EventLogError
from workbench.eventlog.pairing import build_event_table
from workbench.eventlog.timestamps import parse_timestamps
from workbench.eventlog.xes import open_maybe_gzip, read_xes_rows

__all__ = [
    "EVENT_COLUMNS",
    "LogMapping",
    "ImportReport",
    "read_log",
]

logger = logging.getLogger(__name__)

EVENT_COLUMNS = (
    "case_id",
    "activity",
    "start_at",
    "end_at",
    "resource",
    "group",
    "channel",
    "row",
)

_ENCODINGS = ("utf-8-sig", "cp1252")
_CANDIDATES = {
    "case": ("case:concept:name", "case_id", "case id", "caseid", "case"),
    "activity": ("concept:name", "activity", "activity name", "task"),
    "timestamp": (
        "time:timestamp",
        "timestamp",
        "end_timestamp",
        "complete timestamp",
        "end time",
        "end",
    ),
    "start_timestamp": ("start_timestamp", "start timestamp", "start time", "start"),
    "resource": ("org:resource", "resource", "user"),
    "group": ("org:group", "org:role", "group", "role", "department"),
    "lifecycle": ("lifecycle:transition", "lifecycle", "transition"),
    "channel": ("case:channel", "channel"),
}


@dataclass(frozen=True)
class LogMapping:
    """The column (CSV) or attribute key (XES) of each field of an event.

    A field left ``None`` is looked up among common names (``case:concept:name``,
    ``case_id``, ``time:timestamp``, ``org:resource``, ...). ``case``, ``activity``
    and ``timestamp`` are required; the others are optional. ``timestamp`` is the
    completion time, or the only time of an event with a ``lifecycle`` column.
    """

    case: str | None = None
    activity: str | None = None
    timestamp: str | None = None
    start_timestamp: str | None = None
    resource: str | None = None
    group: str | None = None
    lifecycle: str | None = None
    channel: str | None = None

    def resolve(self, columns: list[str], source: str) -> LogMapping:
        """Return the mapping with every field set to a column present in ``columns``.

        Raises
        ------
        EventLogError
            If a given column is missing, or no column is found for a required field.
        """
        lowered = {column.strip().lower(): column for column in columns}
        chosen = {}
        for name, candidates in _CANDIDATES.items():
            given = getattr(self, name)
            if given is not None:
                if given not in columns:
                    raise EventLogError(_missing_column(source, name, given, columns))
                chosen[name] = given
                continue
            found = next((lowered[c] for c in candidates if c in lowered), None)
            if found is None and name in ("case", "activity", "timestamp"):
                raise EventLogError(_missing_column(source, name, None, columns))
            chosen[name] = found
        return replace(self, **chosen)


def _missing_column(source: str, name: str, given: str | None, columns: list) -> str:
    option = "--" + name.replace("_", "-") + "-column"
    column_list = ", ".join(repr(c) for c in columns[:20])
    if given is None:
        return (
            f"{source}: no column found for the {name.replace('_', ' ')}; name it with "
            f"{option} (mapping={name}= in read_log). Columns present: {column_list}"
        )
    return (
        f"{source}: column {given!r} given for the {name} not found. "
        f"Columns present: {column_list}"
    )


@dataclass
class ImportReport:
    """Counts and reasons for every row of an imported log.

    Attributes
    ----------
    source : str
        The file name.
    file_format : str
        ``"csv"`` or ``"xes"``.
    rows_read : int
        Rows (CSV) or events (XES) in the file.
    events : int
        Rows of the event table.
    cases : int
        Distinct cases in the event table.
    mapping : LogMapping
        The columns used.
    unusable_rows : dict of int to str
        Rows left out, by source row, with the reason.
    ties : int
        Events that share their completion time with the previous event of the
        same case; their order is the file order.
    paired_starts : int
        Start events merged into their completion event as its ``start_at``.
    unpaired_starts : int
        Start events without a later completion; they are left out and listed in
        ``unusable_rows``.
    unpaired_completes : int
        Completion events without a start in a log that has start events; they are
        kept with ``start_at`` empty.
    ignored_transitions : dict of str to int
        Lifecycle transitions other than start and complete (such as ``schedule``),
        which are left out, by transition.
    utc_offsets : dict of str to int
        UTC offsets written in the timestamps, such as ``{"+01:00": 5120}``.
    delimiter, encoding : str
        The CSV delimiter and text encoding used; empty for XES.
    """

    source: str
    file_format: str
    rows_read: int = 0
    events: int = 0
    cases: int = 0
    mapping: LogMapping = field(default_factory=LogMapping)
    unusable_rows: dict[int, str] = field(default_factory=dict)
    ties: int = 0
    paired_starts: int = 0
    unpaired_starts: int = 0
    unpaired_completes: int = 0
    ignored_transitions: dict[str, int] = field(default_factory=dict)
    utc_offsets: dict[str, int] = field(default_factory=dict)
    delimiter: str = ""
    encoding: str = ""

    def clock_timezone(self) -> str:
        """Return the most frequent UTC offset of the timestamps, such as ``"+01:00"``.

        Returns ``"UTC"`` when the timestamps carry no offset or only ``Z``. A log
        that spans daylight-saving changes has two offsets, and only the more
        frequent one is returned. Give calibration an IANA zone where it is known.
        """
        offsets = {k: v for k, v in self.utc_offsets.items() if k != "Z"}
        if not offsets:
            return "UTC"
        top = max(sorted(offsets), key=lambda k: offsets[k])
        return top if ":" in top else f"{top[:3]}:{top[3:]}"

    def summary(self) -> list[str]:
        """Return one line per fact, for the command line and the report."""
        lines = [
            f"{self.source}: {self.rows_read} rows read ({self.file_format}), "
            f"{self.events} events in {self.cases} cases",
            f"{len(self.unusable_rows)} rows left out as unusable",
            f"{self.ties} events share a timestamp with the previous event of "
            "their case (file order kept)",
        ]
        if self.unpaired_starts or self.unpaired_completes:
            lines.append(
                f"{self.unpaired_starts} start events without a completion, "
                f"{self.unpaired_completes} completions without a start"
            )
        for transition, count in sorted(self.ignored_transitions.items()):
            lines.append(f"{count} '{transition}' lifecycle events left out")
        reasons = Counter(_reason_kind(r) for r in self.unusable_rows.values())
        lines += [f"  {count} x {reason}" for reason, count in reasons.most_common()]
        return lines


def _reason_kind(reason: str) -> str:
    # Rows with the same reason but different values or cases count together.
    return re.sub(r"(value|case) '[^']*'", r"\1 ...", reason)


def read_log(
    path_or_buffer: str | Path | IO,
    mapping: LogMapping | None = None,
    *,
    file_format: str | None = None,
    timezone: str | None = None,
    date_format: str | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
) -> tuple[pd.DataFrame, ImportReport]:
    """Read a CSV or XES event log into the event table.

    Parameters
    ----------
    path_or_buffer : str, Path or file object
        A ``.csv``, ``.xes`` or ``.xes.gz`` file, or an open binary or text buffer.
    mapping : LogMapping, optional
        The columns or XES keys to use; common names are found by default.
    file_format : {"csv", "xes"}, optional
        Taken from the file name when not given. A buffer without a name is
        read as CSV unless it starts with ``<`` or a gzip header.
    timezone : str, optional
        The time zone of timestamps without a UTC offset, such as
        ``"Europe/Amsterdam"``; required when there are any.
    date_format : str, optional
        A ``strptime`` format for timestamps that are not ISO 8601.
    delimiter, encoding : str, optional
        For CSV; detected when not given (``csv.Sniffer``; UTF-8 with or without a
        byte-order mark, then cp1252).

    Returns
    -------
    events : pandas.DataFrame
        The event table with the columns of :data:`EVENT_COLUMNS`.
    report : ImportReport
        Counts and reasons for every row not used as read.

    Raises
    ------
    EventLogError
        If the file cannot be read, a required column is missing, naive
        timestamps come without a time zone, or dates are ambiguous.
    """
    mapping = mapping or LogMapping()
    raw, source = _read_bytes(path_or_buffer)
    kind = file_format or _guess_format(source, raw)
    if kind == "xes":
        table = _xes_table(raw, source)
        report = ImportReport(source=source, file_format="xes")
    elif kind == "csv":
        table, delimiter, encoding = _csv_table(raw, source, delimiter, encoding)
        report = ImportReport(
            source=source, file_format="csv", delimiter=delimiter, encoding=encoding
        )
    else:
        raise EventLogError(f"{source}: unknown format {kind!r}; use 'csv' or 'xes'")
    report.rows_read = len(table)
    report.mapping = mapping.resolve(list(table.columns), source)
    events = _events_from_table(table, report, timezone, date_format)
    report.events = len(events)
    report.cases = events["case_id"].nunique()
    logger.info("read %s: %s", source, "; ".join(report.summary()[:2]))
    return events, report


def _read_bytes(path_or_buffer: str | Path | IO) -> tuple[bytes, str]:
    if isinstance(path_or_buffer, str | Path):
        path = Path(path_or_buffer)
        try:
            return path.read_bytes(), str(path)
        except FileNotFoundError:
            raise EventLogError(f"{path}: file not found; check the path") from None
        except IsADirectoryError:
            raise EventLogError(f"{path}: this is a folder, not a log file") from None
        except OSError as error:
            raise EventLogError(f"{path}: cannot read the file: {error}") from None
    data = path_or_buffer.read()
    name = str(getattr(path_or_buffer, "name", "uploaded log"))
    return (data.encode("utf-8") if isinstance(data, str) else data), name


def _guess_format(source: str, raw: bytes) -> str:
    lowered = source.lower()
    if lowered.endswith((".xes", ".xes.gz", ".xml")):
        return "xes"
    if lowered.endswith((".csv", ".tsv", ".txt", ".csv.gz")):
        return "csv"
    head = raw[:200].lstrip()
    return "xes" if head.startswith((b"<", b"\x1f\x8b")) else "csv"


def _xes_table(raw: bytes, source: str) -> pd.DataFrame:
    rows = list(read_xes_rows(io.BytesIO(raw), source))
    if not rows:
        raise EventLogError(
            f"{source}: no <event> inside a <trace> found; check that the file is "
            "an XES event log and not empty"
        )
    return pd.DataFrame(rows, dtype="string")


def _csv_table(
    raw: bytes, source: str, delimiter: str | None, encoding: str | None
) -> tuple[pd.DataFrame, str, str]:
    try:
        raw = open_maybe_gzip(io.BytesIO(raw), source).read()
    except (OSError, EOFError) as error:
        raise EventLogError(
            f"{source}: cannot read the compressed file: {error}"
        ) from None
    text, encoding = _decode(raw, source, encoding)
    if not text.strip():
        raise EventLogError(f"{source}: the file is empty; export the log again")
    if delimiter is None:
        delimiter = _sniff_delimiter(text)
    try:
        table = pd.read_csv(
            io.StringIO(text), sep=delimiter, dtype="string", keep_default_na=False
        )
    except (pd.errors.ParserError, csv.Error) as error:
        raise EventLogError(
            f"{source}: invalid CSV with delimiter {delimiter!r}: {error}; give "
            "--delimiter if the detected one is wrong"
        ) from None
    table = table.replace({"": pd.NA})
    return table, delimiter, encoding


def _decode(raw: bytes, source: str, encoding: str | None) -> tuple[str, str]:
    if encoding is not None:
        try:
            return raw.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as error:
            raise EventLogError(
                f"{source}: cannot decode as {encoding}: {error}"
            ) from None
    for candidate in _ENCODINGS:
        try:
            return raw.decode(candidate), candidate
        except UnicodeDecodeError:
            continue
    # cp1252 leaves five byte values undefined; latin-1 decodes every byte.
    return raw.decode("latin-1"), "latin-1"


def _sniff_delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _events_from_table(
    table: pd.DataFrame, report: ImportReport, timezone, date_format
) -> pd.DataFrame:
    mapping = report.mapping
    frame = pd.DataFrame({"row": range(len(table))}, index=table.index)
    for name in ("case", "activity", "resource", "group", "lifecycle", "channel"):
        column = getattr(mapping, name)
        values = table[column] if column else pd.Series(pd.NA, index=table.index)
        frame[name] = values.astype("string").str.strip()
    _count_offsets(table[mapping.timestamp], report)
    frame["time"], problems = parse_timestamps(
        table[mapping.timestamp], mapping.timestamp, timezone, date_format
    )
    if mapping.start_timestamp:
        frame["start"], start_problems = parse_timestamps(
            table[mapping.start_timestamp],
            mapping.start_timestamp,
            timezone,
            date_format,
        )
        missing_start = table[mapping.start_timestamp].isna()
        problems.update(
            {k: v for k, v in start_problems.items() if not missing_start[k]}
        )
    for name in ("case", "activity"):
        for label in frame.index[frame[name].isna() | (frame[name] == "")]:
            problems.setdefault(
                label, f"missing {name} in column {getattr(mapping, name)!r}"
            )
    report.unusable_rows.update(
        {int(frame.at[k, "row"]): v for k, v in problems.items()}
    )
    usable = frame.drop(index=list(problems))
    return build_event_table(usable, report)


def _count_offsets(texts: pd.Series, report: ImportReport) -> None:
    offsets = texts.astype("string").str.extract(r"(Z|[+-]\d{2}:?\d{2})\s*$")[0]
    report.utc_offsets = {str(k): int(v) for k, v in offsets.value_counts().items()}
