"""Autosaved drafts of the app's work, kept in SQLite.

Each browser session has its own private session id, a random token that only that
browser has. The app keeps it in the page's URL, so it survives a refresh. A draft
is stored under that id, so two people using one server never see each other's
drafts. The database file is :func:`default_path` unless the ``WORKBENCH_DRAFTS``
environment variable names another file.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import secrets
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "DRAFTS_ENV",
    "MAX_DRAFT_BYTES",
    "Draft",
    "DraftStore",
    "default_path",
    "new_session_id",
    "is_session_id",
]

logger = logging.getLogger(__name__)

#: Environment variable that names the drafts database file.
DRAFTS_ENV = "WORKBENCH_DRAFTS"

#: Largest draft stored, in bytes of JSON; two model files and their tables fit well.
MAX_DRAFT_BYTES = 8_000_000

_SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{22,64}$")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS drafts (
    session_id TEXT PRIMARY KEY,
    saved_at REAL NOT NULL,
    content TEXT NOT NULL
)
"""


@dataclass(frozen=True)
class Draft:
    """One saved draft.

    Attributes
    ----------
    session_id : str
        The browser session that saved it.
    saved_at : float
        When it was saved, in seconds since the Unix epoch.
    content : dict
        What the app saved, such as the before and after model files as YAML.
    """

    session_id: str
    saved_at: float
    content: dict


def default_path() -> Path:
    """Return the drafts database path.

    That is ``$WORKBENCH_DRAFTS`` when set, else ``drafts.sqlite3`` in the user's
    application folder: ``%APPDATA%/lean-workbench`` on Windows,
    ``$XDG_DATA_HOME/lean-workbench`` when set, else ``~/.local/share/lean-workbench``.
    """
    configured = os.environ.get(DRAFTS_ENV)
    if configured:
        return Path(configured).expanduser()
    if os.name == "nt" and os.environ.get("APPDATA"):
        base = Path(os.environ["APPDATA"])
    elif os.environ.get("XDG_DATA_HOME"):
        base = Path(os.environ["XDG_DATA_HOME"])
    else:
        base = Path.home() / ".local" / "share"
    return base / "lean-workbench" / "drafts.sqlite3"


def new_session_id() -> str:
    """Return a new random session id (32 URL-safe characters, 192 random bits)."""
    return secrets.token_urlsafe(24)


def is_session_id(text: object) -> bool:
    """Return True if ``text`` has the form of a :func:`new_session_id` result."""
    return isinstance(text, str) and bool(_SESSION_ID.match(text))


class DraftStore:
    """Drafts in one SQLite file, one draft per session id (the latest save).

    Parameters
    ----------
    path : str or Path, optional
        The database file, created with its folder when missing; defaults to
        :func:`default_path`.
    """

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path is not None else default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as connection:
            connection.execute(_SCHEMA)

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # Commits on success, rolls back on error and always closes the file.
        connection = sqlite3.connect(self.path, timeout=10)
        try:
            with connection:
                yield connection
        finally:
            connection.close()

    def save(self, session_id: str, content: dict) -> None:
        """Store ``content`` as the draft of ``session_id``, replacing the previous one.

        Raises
        ------
        ValueError
            If ``session_id`` is not a session id, or the content is not JSON
            serialisable or is over :data:`MAX_DRAFT_BYTES`.
        """
        self._check(session_id)
        text = json.dumps(content)
        if len(text) > MAX_DRAFT_BYTES:
            raise ValueError(
                f"the draft is {len(text):,} bytes, more than the limit of "
                f"{MAX_DRAFT_BYTES:,}"
            )
        with self._connect() as connection:
            connection.execute(
                "INSERT OR REPLACE INTO drafts (session_id, saved_at, content) "
                "VALUES (?, ?, ?)",
                (session_id, time.time(), text),
            )

    def load(self, session_id: str) -> Draft | None:
        """Return the draft of ``session_id``, or None when it has none.

        A draft whose content is not valid JSON is logged and treated as missing.
        """
        self._check(session_id)
        with self._connect() as connection:
            row = connection.execute(
                "SELECT saved_at, content FROM drafts WHERE session_id = ?",
                (session_id,),
            ).fetchone()
        if row is None:
            return None
        try:
            content = json.loads(row[1])
        except json.JSONDecodeError as error:
            logger.warning("draft of session %s is unreadable: %s", session_id, error)
            return None
        return Draft(session_id=session_id, saved_at=row[0], content=content)

    def delete(self, session_id: str) -> None:
        """Delete the draft of ``session_id``, if any."""
        self._check(session_id)
        with self._connect() as connection:
            connection.execute("DELETE FROM drafts WHERE session_id = ?", (session_id,))

    def purge_older_than(self, seconds: float) -> int:
        """Delete drafts last saved more than ``seconds`` ago; return how many."""
        cutoff = time.time() - seconds
        with self._connect() as connection:
            cursor = connection.execute(
                "DELETE FROM drafts WHERE saved_at < ?", (cutoff,)
            )
        return cursor.rowcount

    @staticmethod
    def _check(session_id: str) -> None:
        if not is_session_id(session_id):
            raise ValueError(
                "invalid draft session id: expected 22 to 64 URL-safe characters, "
                f"received {session_id!r}"
            )
