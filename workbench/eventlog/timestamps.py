"""Timestamp parsing for event logs: every instant ends up in UTC.

A timestamp with a UTC offset (``+02:00``, ``Z``) is converted to UTC, never relabelled.
A naive timestamp is read as local time in a time zone that the caller gives.
Without a zone it is rejected, because a guessed zone would shift every duration
that crosses a daylight-saving change. Dates such as ``03/04/2024`` are rejected
unless the caller gives a format, because day-first and month-first readings both
parse.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pandas as pd

from workbench.errors import EventLogError

__all__ = ["parse_timestamps", "resolve_timezone"]

_ISO_PATTERN = re.compile(
    r"^\d{4}-\d{2}-\d{2}"
    r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?"
    r"\s*(?P<offset>Z|[+-]\d{2}(?::?\d{2})?)?$"
)
_NUMERIC_DATE = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{2,4})\b")


def resolve_timezone(name: str) -> dt.tzinfo:
    """Return the time zone called ``name``: an IANA name or a fixed offset.

    Parameters
    ----------
    name : str
        ``"Europe/Amsterdam"``, ``"UTC"`` or an offset such as ``"+01:00"``.

    Raises
    ------
    EventLogError
        If the name is neither a known IANA zone nor an offset ``+HH:MM``.
    """
    match = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", name.strip())
    if match:
        sign = 1 if match.group(1) == "+" else -1
        minutes = int(match.group(2)) * 60 + int(match.group(3))
        return dt.timezone(dt.timedelta(minutes=sign * minutes))
    try:
        return zoneinfo.ZoneInfo(name.strip())
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise EventLogError(
            f"unknown time zone {name!r}; give an IANA name such as "
            "'Europe/Amsterdam' or an offset such as '+01:00'"
        ) from None


def parse_timestamps(
    texts: pd.Series,
    column: str,
    timezone: str | None = None,
    date_format: str | None = None,
) -> tuple[pd.Series, dict[int, str]]:
    """Parse timestamp texts into UTC instants.

    Parameters
    ----------
    texts : pandas.Series
        Timestamp texts; missing values are allowed and reported.
    column : str
        The column or attribute name, used in messages.
    timezone : str, optional
        The zone of naive timestamps (see :func:`resolve_timezone`). Timestamps with
        an offset ignore it.
    date_format : str, optional
        A ``strptime`` format such as ``"%d/%m/%Y %H:%M"``. Without it, texts must be
        ISO 8601 (``2024-03-31 14:05:00+02:00``).

    Returns
    -------
    instants : pandas.Series
        ``datetime64[ns, UTC]`` values, ``NaT`` where a text is unusable.
    problems : dict of int to str
        The reason each unusable text was rejected, by index label of ``texts``.

    Raises
    ------
    EventLogError
        If naive timestamps occur without ``timezone``, or dates are numeric
        day/month texts without ``date_format``.
    """
    texts = texts.astype("string").str.strip()
    missing = texts.isna() | (texts == "")
    if date_format is not None:
        instants = _parse_with_format(texts, date_format, timezone, column)
    else:
        _reject_ambiguous_dates(texts[~missing], column)
        instants = _parse_iso(texts, timezone, column)
    problems = {}
    for label in texts.index[missing]:
        problems[label] = f"missing value in '{column}'"
    for label in texts.index[instants.isna() & ~missing]:
        problems[label] = _reason_for(texts[label], column, timezone, date_format)
    return instants, problems


def _parse_iso(texts: pd.Series, timezone: str | None, column: str) -> pd.Series:
    offsets = texts.str.extract(_ISO_PATTERN)["offset"]
    iso = texts.str.match(_ISO_PATTERN).fillna(False).astype(bool)
    aware = iso & offsets.notna()
    naive = iso & offsets.isna()
    result = pd.Series(pd.NaT, index=texts.index, dtype="datetime64[ns, UTC]")
    if aware.any():
        result[aware] = pd.to_datetime(
            texts[aware], utc=True, format="ISO8601", errors="coerce"
        )
    if naive.any():
        if timezone is None:
            _raise_naive(texts[naive], column)
        local = pd.to_datetime(texts[naive], format="ISO8601", errors="coerce")
        result[naive] = _localize(local, timezone)
    return result


def _parse_with_format(
    texts: pd.Series, date_format: str, timezone: str | None, column: str
) -> pd.Series:
    if "%z" in date_format or "%Z" in date_format:
        return pd.to_datetime(texts, format=date_format, utc=True, errors="coerce")
    if timezone is None:
        _raise_naive(texts.dropna(), column)
    local = pd.to_datetime(texts, format=date_format, errors="coerce")
    return _localize(local, timezone)


def _localize(local: pd.Series, timezone: str) -> pd.Series:
    zone = resolve_timezone(timezone)
    if isinstance(zone, dt.timezone):
        offset = zone.utcoffset(None)
        return (local - offset).dt.tz_localize("UTC")
    # A local time repeated or skipped by a daylight-saving change has no single
    # instant: it becomes NaT and is reported as unusable.
    placed = local.dt.tz_localize(zone.key, ambiguous="NaT", nonexistent="NaT")
    return placed.dt.tz_convert("UTC")


def _raise_naive(naive: pd.Series, column: str) -> None:
    example = naive.iloc[0] if len(naive) else ""
    raise EventLogError(
        f"column '{column}': {len(naive)} timestamps have no UTC offset, such as "
        f"{example!r}; give their time zone (--timezone Europe/Amsterdam on the "
        "command line, timezone= in read_log) so they can be converted to UTC"
    )


def _reject_ambiguous_dates(texts: pd.Series, column: str) -> None:
    parts = texts.str.extract(_NUMERIC_DATE).dropna()
    if parts.empty:
        return
    first = parts[0].astype(int)
    second = parts[1].astype(int)
    if (first > 12).any() and not (second > 12).any():
        hint = "the data fit day first, such as --date-format '%d/%m/%Y %H:%M'"
    elif (second > 12).any() and not (first > 12).any():
        hint = "the data fit month first, such as --date-format '%m/%d/%Y %H:%M'"
    else:
        hint = "give --date-format '%d/%m/%Y %H:%M' (day first) or '%m/%d/%Y %H:%M'"
    raise EventLogError(
        f"column '{column}': dates such as {texts[parts.index[0]]!r} can be read "
        f"day first or month first; give the format with --date-format "
        f"(date_format= in read_log): {hint}"
    )


def _reason_for(
    text: str, column: str, timezone: str | None, date_format: str | None
) -> str:
    if date_format is not None:
        return f"'{column}' value {text!r} does not match the format {date_format!r}"
    if not _ISO_PATTERN.match(text):
        return (
            f"'{column}' value {text!r} is not an ISO 8601 timestamp; give "
            "--date-format for other layouts"
        )
    if timezone is not None and not _ISO_PATTERN.match(text).group("offset"):
        return (
            f"'{column}' value {text!r} does not exist or occurs twice in "
            f"{timezone} because of a daylight-saving change"
        )
    return f"'{column}' value {text!r} is not a valid date or time"
