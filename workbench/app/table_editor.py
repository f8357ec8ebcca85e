"""Editors of the Build tables that keep their widget identity while the user types.

For a keyed ``st.data_editor`` with ``num_rows="dynamic"``, Streamlit 1.67 derives
the widget id from the key and from the full input data. A new key or new input data
gives a new widget, and the browser then loses the cursor, the scroll position and
the edits in progress. So each scenario keeps, in the session state:

- ``base``: the frames given to the editors, unchanged while the user edits. The
  editor's widget state stores the edits (edited, added and deleted rows) relative
  to these frames.
- ``edited``: the tables as the user last left them, the source of truth between
  reruns. When Streamlit drops an editor's widget state, because another page or
  scenario was shown, ``edited`` becomes the new ``base``.
- ``revision``: part of the widget keys. It changes only when the model was
  replaced from outside the tables (upload, import, start from scratch, draft
  restore, a Redesign move), or when a dropped widget state is rebuilt. A step
  rename changes it too, because the references to that step change with it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from workbench import tables
from workbench.app import state
from workbench.model import ProcessModel

__all__ = [
    "TABLE_LABELS",
    "edit_tables",
    "keep_model",
    "unsaved_tables",
    "restore_tables",
]

#: Tab label of each table that :func:`workbench.tables.model_tables` returns.
TABLE_LABELS = {
    "steps": "Steps",
    "routing": "Routing",
    "pools": "Staff pools",
    "streams": "Arrival streams",
}

_SESSIONS = "table_editors"

# Cell values that a saved table may contain, as JSON gives them back.
_CELL_TYPES = (str, int, float, bool, type(None))


@dataclass
class _EditorSession:
    model_hash: str
    replacements: int
    revision: int
    base: dict[str, pd.DataFrame]
    edited: dict[str, pd.DataFrame]


def edit_tables(
    scenario: str, model: ProcessModel, configs: dict[str, dict]
) -> dict[str, pd.DataFrame | None]:
    """Show the four tables of ``scenario`` in tabs and return the edited ones.

    ``configs`` maps a table name to its ``column_config``. A table is returned when
    it differs from the same table of ``model``, and is ``None`` otherwise. Edits made
    in earlier reruns stay in the tables until the model is replaced from outside.
    When an edit renames one step in its row, the references to the old name in the
    other rows and tables are renamed too (:func:`tables.find_step_rename`).
    """
    session = _session(scenario, model)
    tabs = st.tabs(list(TABLE_LABELS.values()))
    previous_steps = session.edited["steps"]
    for tab, name in zip(tabs, TABLE_LABELS, strict=True):
        key = _widget_key(scenario, session, name)
        with tab:
            session.edited[name] = st.data_editor(
                session.base[name],
                key=key,
                num_rows="dynamic",
                hide_index=True,
                column_config=configs.get(name, {}),
                width="stretch",
            )
    rename = tables.find_step_rename(previous_steps, session.edited["steps"])
    if rename is not None:
        # The editors shown in this run still have the old references.
        _rename_step(session, *rename)
        st.rerun()
    current = tables.model_tables(model)
    return {
        name: None if _same_table(frame, current[name]) else frame
        for name, frame in session.edited.items()
    }


def keep_model(scenario: str, model: ProcessModel) -> None:
    """Record ``model`` as the model that the tables of ``scenario`` now show.

    Call it after the tables were applied, so the next rerun keeps the editors.
    """
    session = st.session_state.get(_SESSIONS, {}).get(scenario)
    if session is not None:
        session.model_hash = state.model_hash(model)


def _session(scenario: str, model: ProcessModel) -> _EditorSession:
    sessions = st.session_state.setdefault(_SESSIONS, {})
    session = sessions.get(scenario)
    model_hash = state.model_hash(model)
    replacements = state.replacement_count(scenario)
    replaced = session is None or (
        session.replacements != replacements or session.model_hash != model_hash
    )
    if replaced:
        revision = 0 if session is None else session.revision + 1
        frames = tables.model_tables(model)
        session = _EditorSession(
            model_hash, replacements, revision, frames, dict(frames)
        )
        sessions[scenario] = session
    return session


def _widget_key(scenario: str, session: _EditorSession, name: str) -> str:
    key = f"editor-{name}-{scenario}-{session.revision}"
    if key in st.session_state or session.base[name] is session.edited[name]:
        return key
    # Streamlit dropped this editor's state while it was not shown, so the edits
    # made so far become the input of a new editor.
    session.revision += 1
    for table in TABLE_LABELS:
        session.base[table] = session.edited[table].reset_index(drop=True)
        session.edited[table] = session.base[table]
    return f"editor-{name}-{scenario}-{session.revision}"


def _rename_step(session: _EditorSession, old: str, new: str) -> None:
    # The renamed references become the input of new editors, because an editor's
    # cells change only through its input data.
    renamed = tables.rename_step_references(session.edited, old, new)
    session.revision += 1
    for table in TABLE_LABELS:
        session.base[table] = renamed[table].reset_index(drop=True)
        session.edited[table] = session.base[table]


def _same_table(first: pd.DataFrame, second: pd.DataFrame) -> bool:
    return first.reset_index(drop=True).equals(second.reset_index(drop=True))


def unsaved_tables(scenario: str, model: ProcessModel) -> dict | None:
    """Return the Build tables of ``scenario`` as JSON if they differ from ``model``.

    The result maps each table name to ``{"columns": [...], "rows": [[...]]}``, with
    missing cells as None. It is None when the tables show ``model`` as it is, or
    when ``model`` was replaced since the tables were last shown.
    """
    session = st.session_state.get(_SESSIONS, {}).get(scenario)
    if session is None or session.replacements != state.replacement_count(scenario):
        return None
    if session.model_hash != state.model_hash(model):
        return None
    current = tables.model_tables(model)
    if all(_same_table(session.edited[n], current[n]) for n in TABLE_LABELS):
        return None
    return {name: _table_data(session.edited[name]) for name in TABLE_LABELS}


def restore_tables(scenario: str, model: ProcessModel, data: object) -> None:
    """Show ``data``, from :func:`unsaved_tables`, as the Build tables of ``scenario``.

    Call it after ``model`` became the model of ``scenario``. The Build page then
    applies the tables to ``model`` as if the user had typed them.

    Raises
    ------
    ValueError
        If ``data`` does not have the form that :func:`unsaved_tables` returns or
        its columns differ from the tables of ``model``.
    """
    frames = _frames_from_data(data, tables.model_tables(model))
    sessions = st.session_state.setdefault(_SESSIONS, {})
    old = sessions.get(scenario)
    sessions[scenario] = _EditorSession(
        model_hash=state.model_hash(model),
        replacements=state.replacement_count(scenario),
        revision=0 if old is None else old.revision + 1,
        base=frames,
        edited=dict(frames),
    )


def _table_data(frame: pd.DataFrame) -> dict:
    cells = frame.astype(object).where(frame.notna(), None)
    rows = [[_native(value) for value in row] for row in cells.itertuples(index=False)]
    return {"columns": [str(c) for c in frame.columns], "rows": rows}


def _native(value: object) -> object:
    # numpy scalars become the Python values that json.dumps accepts.
    return value.item() if hasattr(value, "item") else value


def _frames_from_data(
    data: object, references: dict[str, pd.DataFrame]
) -> dict[str, pd.DataFrame]:
    if not isinstance(data, dict) or set(data) != set(references):
        received = sorted(data) if isinstance(data, dict) else type(data).__name__
        raise ValueError(
            f"expected the tables {', '.join(references)}, received {received}"
        )
    return {
        name: _frame_from_data(name, data[name], reference)
        for name, reference in references.items()
    }


def _frame_from_data(name: str, data: object, reference: pd.DataFrame) -> pd.DataFrame:
    columns = list(reference.columns)
    received = data.get("columns") if isinstance(data, dict) else None
    if received != columns:
        raise ValueError(
            f"the {name} table has the columns {received}, expected {columns}"
        )
    rows = data.get("rows")
    if not isinstance(rows, list) or not all(
        isinstance(row, list)
        and len(row) == len(columns)
        and all(isinstance(cell, _CELL_TYPES) for cell in row)
        for row in rows
    ):
        raise ValueError(
            f"the {name} table rows must be lists of {len(columns)} plain values"
        )
    frame = pd.DataFrame(rows, columns=columns)
    for column in columns:
        # A column keeps the type that JSON gave it when it no longer fits the
        # model's table, such as text typed into a number column.
        try:
            frame[column] = frame[column].astype(reference[column].dtype)
        except (TypeError, ValueError):
            pass
    return frame
