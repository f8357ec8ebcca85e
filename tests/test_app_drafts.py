"""AppTest of autosaved drafts: offered back after a refresh, private per session."""

from __future__ import annotations

import pytest
from app_harness import page_test

from workbench import tables
from workbench.drafts import DraftStore, new_session_id
from workbench.loading import dump_model


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


def _steps_editor(at):
    return next(e for e in at.data_editor if e.key.startswith("editor-steps-"))


def _type_invalid_row(at):
    # The browser sends the editor's whole edit state, relative to its input data.
    at.session_state[_steps_editor(at).key] = {
        "edited_rows": {0: {"time_min": 9.0}},
        "added_rows": [{"name": "Check fee", "kind": "task", "touchpoint": False}],
        "deleted_rows": [],
    }
    return at.run()


def test_invalid_rows_saved_in_draft(drafts_path):
    at = _type_invalid_row(page_test("build").run())

    saved = DraftStore(drafts_path).load(at.session_state["session_id"])

    steps = saved.content["tables"]["before"]["steps"]
    names = [row[steps["columns"].index("name")] for row in steps["rows"]]
    assert "Check fee" in names
    assert "after" not in saved.content["tables"]


def test_restore_brings_invalid_rows_back():
    typed = _type_invalid_row(page_test("build").run())
    last_valid = typed.session_state["before"]
    typed_errors = [e.value for e in typed.error]
    again = _refresh(typed)

    _button(again, "Restore the draft").click()
    again.run()

    assert not again.exception
    table = _steps_editor(again).value
    assert table.loc[0, "time_min"] == 9
    assert table["name"].tolist()[-1] == "Check fee"
    errors = [e.value for e in again.error]
    assert any("not a valid model yet" in e for e in errors)
    assert errors == typed_errors
    assert again.session_state["before"] == last_valid


def test_draft_without_tables_restores(drafts_path):
    session = new_session_id()
    blank = dump_model(tables.blank_model())
    DraftStore(drafts_path).save(session, {"before": blank, "after": blank})
    at = page_test("build")
    at.query_params["draft"] = session
    at.run()

    _button(at, "Restore the draft").click()
    at.run()

    assert not at.exception
    assert at.session_state["before"] == tables.blank_model()
    table_names = _steps_editor(at).value["name"].tolist()
    assert table_names == [s.name for s in tables.blank_model().steps]


@pytest.mark.parametrize(
    "saved_tables",
    [
        "not tables",
        {"steps": {"columns": ["name"], "rows": []}},
        {
            "steps": {"columns": list(tables.STEP_COLUMNS), "rows": [["x"]]},
            "routing": {"columns": list(tables.ROUTING_COLUMNS), "rows": []},
            "pools": {"columns": list(tables.POOL_COLUMNS), "rows": []},
            "streams": {"columns": list(tables.STREAM_COLUMNS), "rows": []},
        },
    ],
)
def test_corrupt_tables_reported_not_raised(drafts_path, saved_tables):
    session = new_session_id()
    blank = dump_model(tables.blank_model())
    DraftStore(drafts_path).save(
        session, {"before": blank, "after": blank, "tables": {"before": saved_tables}}
    )
    at = page_test("build")
    at.query_params["draft"] = session
    at.run()

    _button(at, "Restore the draft").click()
    at.run()

    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "saved Build tables of the before-scenario are unusable" in errors
    assert at.session_state["before"] == tables.blank_model()
    table_names = _steps_editor(at).value["name"].tolist()
    assert table_names == [s.name for s in tables.blank_model().steps]


def test_tables_not_mapping_reported(drafts_path):
    session = new_session_id()
    blank = dump_model(tables.blank_model())
    DraftStore(drafts_path).save(
        session, {"before": blank, "after": blank, "tables": ["steps"]}
    )
    at = page_test("build")
    at.query_params["draft"] = session
    at.run()

    _button(at, "Restore the draft").click()
    at.run()

    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "saved Build tables of the draft are unusable" in errors
    assert at.session_state["after"] == tables.blank_model()
