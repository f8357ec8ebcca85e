"""AppTest of autosaved drafts: offered back after a refresh, private per session."""

from __future__ import annotations

import pytest
from app_harness import page_test

from workbench import tables
from workbench.drafts import DraftStore, new_session_id


@pytest.fixture(autouse=True)
def drafts_path(monkeypatch, tmp_path):
    path = tmp_path / "drafts.sqlite3"
    monkeypatch.setenv("WORKBENCH_DRAFTS", str(path))
    return path


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def _edited_session():
    at = page_test("build").run()
    _button(at, "Start from scratch").click()
    return at.run()


def _refresh(at):
    again = page_test("build")
    again.query_params["draft"] = at.query_params["draft"]
    return again.run()


def test_session_id_put_in_url():
    at = page_test("build").run()

    assert at.query_params["draft"] == at.session_state["session_id"]


def test_edit_saved_and_offered_after_refresh(drafts_path):
    at = _edited_session()

    again = _refresh(at)

    saved = DraftStore(drafts_path).load(at.session_state["session_id"])
    assert "New process" in saved.content["before"]
    assert any("A draft of your work" in i.value for i in again.info)
    assert again.session_state["before"].name != "New process"


def test_restore_brings_work_back():
    again = _refresh(_edited_session())

    _button(again, "Restore the draft").click()
    again.run()

    assert again.session_state["before"] == tables.blank_model()
    assert not any("A draft of your work" in i.value for i in again.info)


def test_discard_drops_offer():
    again = _refresh(_edited_session())
    opened = again.session_state["before"]

    _button(again, "Discard the draft").click()
    again.run()

    assert again.session_state["before"] == opened
    assert not any("A draft of your work" in i.value for i in again.info)


def test_other_session_sees_no_draft():
    _edited_session()
    stranger = page_test("build")
    stranger.query_params["draft"] = new_session_id()

    stranger.run()

    assert not any("A draft of your work" in i.value for i in stranger.info)
    assert stranger.session_state["before"].name != "New process"


def test_forged_session_id_replaced():
    at = page_test("build")
    at.query_params["draft"] = "../../etc/passwd"

    at.run()

    assert at.session_state["session_id"] != "../../etc/passwd"
    assert not at.exception


def test_corrupt_draft_reported_not_raised(drafts_path):
    session = new_session_id()
    DraftStore(drafts_path).save(session, {"before": "name: [", "after": "x: 1"})
    at = page_test("build")
    at.query_params["draft"] = session
    at.run()

    _button(at, "Restore the draft").click()
    at.run()

    errors = " ".join(e.value for e in at.error)
    assert "before-scenario of the draft is unusable" in errors
    assert "after-scenario of the draft is unusable" in errors
    assert not at.exception
