"""AppTest of the Redesign page: moves, the change list and undo."""

from __future__ import annotations

import pytest
from app_harness import page_test

from workbench import redesign


@pytest.fixture(autouse=True)
def drafts_file(monkeypatch, tmp_path):
    monkeypatch.setenv("WORKBENCH_DRAFTS", str(tmp_path / "drafts.sqlite3"))


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def _copy_before(at):
    _button(at, "Start the after-scenario as a copy of the before").click()
    return at.run()


def _remove(at, step, label=""):
    at.selectbox(key="move_action").set_value("remove_step")
    at.selectbox(key="move_step").set_value(step)
    at.text_input(key="move_label").set_value(label)
    _button(at, "Apply the move").click()
    return at.run()


def test_copy_starts_after_from_before():
    at = page_test("redesign").run()

    _copy_before(at)

    before, after = at.session_state["before"], at.session_state["after"]
    assert after.steps == before.steps
    assert after.changes == []
    assert not at.exception


def test_remove_step_listed_with_label():
    at = _copy_before(page_test("redesign").run())
    before = at.session_state["before"]
    step = before.steps[1].name

    _remove(at, step, "No re-keying")

    after = at.session_state["after"]
    assert len(after.steps) == len(before.steps) - 1
    assert [c.label for c in after.changes] == ["No re-keying"]
    assert any("No re-keying" in m.value for m in at.markdown)


def test_undo_restores_step():
    at = _copy_before(page_test("redesign").run())
    before = at.session_state["before"]
    _remove(at, before.steps[1].name)

    _button(at, "Undo").click()
    at.run()

    after = at.session_state["after"]
    assert after.steps == before.steps
    assert after.changes == []


def test_staff_move_records_capacity():
    at = _copy_before(page_test("redesign").run())
    pool = at.session_state["before"].pools[0]

    at.selectbox(key="move_action").set_value("set_staff")
    at.run()
    at.selectbox(key="move_pool").set_value(pool.name)
    at.number_input[0].set_value(pool.capacity + 2)
    _button(at, "Apply the move").click()
    at.run()

    after = at.session_state["after"]
    assert after.pool(pool.name).capacity == pool.capacity + 2
    assert after.changes[0].action == "set_staff"


def test_invalid_move_shows_error_keeps_after():
    at = _copy_before(page_test("redesign").run())
    after = at.session_state["after"]
    decision = next(s.name for s in after.steps if s.kind == "decision")

    _remove(at, decision)

    assert at.session_state["after"] == after
    assert any("The after-scenario is unchanged" in e.value for e in at.error)
    assert not at.exception


def test_hand_edited_after_warned():
    at = page_test("redesign").run()

    warnings = " ".join(w.value for w in at.warning)

    assert "differs from the before plus this change list" in warnings


def test_replay_on_edited_before():
    at = _copy_before(page_test("redesign").run())
    before = at.session_state["before"]
    _remove(at, before.steps[1].name)
    pool = before.pools[0]
    at.session_state["before"] = redesign.apply_move(
        before, "set_staff", pool.name, capacity=pool.capacity + 5
    ).model_copy(update={"changes": []})

    _button(at, "Replay the change list on the current before").click()
    at.run()

    after = at.session_state["after"]
    assert after.pool(pool.name).capacity == pool.capacity + 5
    assert len(after.steps) == len(before.steps) - 1
