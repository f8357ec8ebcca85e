"""Step renames in the Build tables, and the references that follow them.

A rename is one row of the steps table whose name changed while every other step
name stayed the same. The other columns and tables may still name the old step.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

__all__ = ["STEP_REFERENCE_COLUMNS", "find_step_rename", "rename_step_references"]

#: Columns of each table that refer to steps by name, other than the step's own name.
STEP_REFERENCE_COLUMNS = {
    "steps": ("next", "rework_to"),
    "routing": ("step", "to", "join"),
    "streams": ("start",),
}


def find_step_rename(
    start: pd.DataFrame, edited: pd.DataFrame
) -> tuple[str, str] | None:
    """Return ``(old name, new name)`` if ``edited`` renames one step of ``start``.

    Both frames are steps tables. A rename needs the same number of rows, exactly
    one name of ``start`` missing from ``edited``, exactly one new non-empty name in
    ``edited``, and the two names in the same row position. Otherwise the result
    is None, such as when a row was added, deleted or cleared.
    """
    old_names = [_text(value) for value in start["name"]]
    new_names = [_text(value) for value in edited["name"]]
    if len(old_names) != len(new_names):
        return None
    removed = set(old_names) - set(new_names) - {""}
    added = set(new_names) - set(old_names) - {""}
    if len(removed) != 1 or len(added) != 1:
        return None
    old, new = removed.pop(), added.pop()
    for position, name in enumerate(old_names):
        if name == old and new_names[position] == new:
            return old, new
    return None


def rename_step_references(
    frames: dict[str, pd.DataFrame], old: str, new: str
) -> dict[str, pd.DataFrame]:
    """Return copies of the Build tables with each reference to step ``old`` renamed.

    ``frames`` maps table names, as :func:`workbench.tables.model_tables` returns
    them, to tables. The columns in :data:`STEP_REFERENCE_COLUMNS` that contain
    exactly ``old`` (surrounding spaces ignored) get ``new``. Other tables and
    columns are copied unchanged.
    """
    renamed = {}
    for name, frame in frames.items():
        frame = frame.copy()
        for column in STEP_REFERENCE_COLUMNS.get(name, ()):
            if column in frame.columns:
                matches = frame[column].map(_text) == old
                frame.loc[matches, column] = new
        renamed[name] = frame
    return renamed


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()
