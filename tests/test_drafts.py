"""Tests of the SQLite draft store."""

from __future__ import annotations

import sqlite3
import time

import pytest

from workbench import drafts


@pytest.fixture
def store(tmp_path):
    return drafts.DraftStore(tmp_path / "nested" / "drafts.sqlite3")


def test_save_then_load(store):
    session = drafts.new_session_id()
    content = {"before": "name: A\n", "after": "name: B\n", "page": "Build"}

    store.save(session, content)
    draft = store.load(session)

    assert draft.content == content
    assert draft.session_id == session
    assert draft.saved_at == pytest.approx(time.time(), abs=60)


def test_sessions_kept_apart(store):
    first, second = drafts.new_session_id(), drafts.new_session_id()

    store.save(first, {"owner": "first"})
    store.save(second, {"owner": "second"})

    assert store.load(first).content == {"owner": "first"}
    assert store.load(second).content == {"owner": "second"}
    assert first != second


def test_later_save_replaces_draft(store):
    session = drafts.new_session_id()

    store.save(session, {"version": 1})
    store.save(session, {"version": 2})

    assert store.load(session).content == {"version": 2}
    with sqlite3.connect(store.path) as connection:
        count = connection.execute("SELECT COUNT(*) FROM drafts").fetchone()[0]
    assert count == 1


def test_unknown_session_has_no_draft(store):
    assert store.load(drafts.new_session_id()) is None


def test_draft_survives_new_store(store):
    session = drafts.new_session_id()
    store.save(session, {"kept": True})

    reopened = drafts.DraftStore(store.path)

    assert reopened.load(session).content == {"kept": True}


def test_delete_and_purge(store):
    old, new = drafts.new_session_id(), drafts.new_session_id()
    store.save(old, {})
    store.save(new, {})
    with sqlite3.connect(store.path) as connection:
        connection.execute(
            "UPDATE drafts SET saved_at = 0 WHERE session_id = ?", (old,)
        )

    purged = store.purge_older_than(3600)
    store.delete(new)

    assert purged == 1
    assert store.load(old) is None
    assert store.load(new) is None


@pytest.mark.parametrize("session", ["", "short", "a" * 65, "../../etc", None, 42])
def test_invalid_session_id_rejected(store, session):
    with pytest.raises(ValueError, match="invalid draft session id"):
        store.save(session, {})


def test_oversized_draft_rejected(store, monkeypatch):
    monkeypatch.setattr(drafts, "MAX_DRAFT_BYTES", 100)

    with pytest.raises(ValueError, match="more than the limit"):
        store.save(drafts.new_session_id(), {"text": "x" * 200})


def test_corrupt_draft_treated_as_missing(store):
    session = drafts.new_session_id()
    store.save(session, {})
    with sqlite3.connect(store.path) as connection:
        connection.execute("UPDATE drafts SET content = '{broken'")

    assert store.load(session) is None


def test_default_path_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(drafts.DRAFTS_ENV, str(tmp_path / "mine.sqlite3"))

    assert drafts.default_path() == tmp_path / "mine.sqlite3"


def test_default_path_under_home(monkeypatch, tmp_path):
    monkeypatch.delenv(drafts.DRAFTS_ENV, raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))

    path = drafts.default_path()

    assert path == tmp_path / ".local" / "share" / "lean-workbench" / "drafts.sqlite3"


def test_session_ids_random_and_valid():
    ids = {drafts.new_session_id() for _ in range(100)}

    assert len(ids) == 100
    assert all(drafts.is_session_id(i) for i in ids)
