"""The steps table as a CSV or XLSX file, for spreadsheets in and out of the app."""

from __future__ import annotations

import io
import math

import pandas as pd

from workbench.errors import ModelValidationError

__all__ = [
    "MAX_TABLE_BYTES",
    "STEP_COLUMNS",
    "steps_to_csv",
    "steps_to_xlsx",
    "read_steps_table",
]

#: Columns of the steps table, one row per step; times are in the model's unit.
STEP_COLUMNS = (
    "name",
    "kind",
    "lane",
    "value_class",
    "pool",
    "time_min",
    "time_likely",
    "time_max",
    "pca",
    "next",
    "end",
    "rework_to",
    "touchpoint",
    "wait_for",
)
#: Largest steps file accepted for import, in bytes.
MAX_TABLE_BYTES = 2_000_000


def steps_to_csv(steps: pd.DataFrame) -> bytes:
    """Return the steps table as UTF-8 CSV with a header row."""
    return steps.to_csv(index=False).encode("utf-8")


def steps_to_xlsx(steps: pd.DataFrame) -> bytes:
    """Return the steps table as an XLSX workbook with one sheet, ``steps``."""
    buffer = io.BytesIO()
    steps.to_excel(buffer, index=False, sheet_name="steps", engine="openpyxl")
    return buffer.getvalue()


def read_steps_table(data: bytes, filename: str) -> pd.DataFrame:
    """Read a steps table from CSV or XLSX bytes, chosen by the file name's suffix.

    Columns are matched to :data:`STEP_COLUMNS` ignoring case and surrounding
    spaces; missing columns are added empty. In an XLSX file the first sheet is
    read.

    Raises
    ------
    ModelValidationError
        If the file is too large, cannot be read, has no ``name`` column or has
        columns that the steps table does not know.
    """
    source = filename or "steps table"
    if len(data) > MAX_TABLE_BYTES:
        raise ModelValidationError(
            f"the file is {len(data):,} bytes, more than the limit of "
            f"{MAX_TABLE_BYTES:,}; a steps table is normally a few kilobytes",
            source=source,
        )
    frame = _read_frame(data, source)
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    unknown = [c for c in frame.columns if c not in STEP_COLUMNS]
    if unknown or "name" not in frame.columns:
        raise ModelValidationError(
            f"expected the columns {', '.join(STEP_COLUMNS)} (name is required), "
            f"received unknown columns {unknown} and columns {list(frame.columns)}",
            source=source,
        )
    for column in STEP_COLUMNS:
        if column not in frame.columns:
            frame[column] = math.nan if column.startswith("time_") else ""
    return frame[list(STEP_COLUMNS)]


def _read_frame(data: bytes, source: str) -> pd.DataFrame:
    suffix = source.lower().rsplit(".", 1)[-1]
    try:
        if suffix == "xlsx":
            return pd.read_excel(io.BytesIO(data), sheet_name=0, engine="openpyxl")
        if suffix == "csv":
            return pd.read_csv(io.BytesIO(data), encoding="utf-8")
    except (ValueError, KeyError, OSError, UnicodeDecodeError) as error:
        raise ModelValidationError(
            f"cannot read the file as {suffix.upper()}: {error}", source=source
        ) from None
    except Exception as error:  # openpyxl and zipfile raise their own types.
        raise ModelValidationError(
            f"cannot read the file as {suffix.upper()}: {type(error).__name__}",
            source=source,
        ) from None
    raise ModelValidationError(
        f"expected a .csv or .xlsx file, received {source!r}", source=source
    )
