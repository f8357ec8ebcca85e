"""AppTest of the Build page: tables, uploads and problems."""

from __future__ import annotations

import pytest
from app_harness import page_test

from workbench import tables
from workbench.app.state import load_bundled_pair
from workbench.loading import MAX_MODEL_BYTES, dump_model


@pytest.fixture(autouse=True)
def drafts_file(monkeypatch, tmp_path):
    monkeypatch.setenv("WORKBENCH_DRAFTS", str(tmp_path / "drafts.sqlite3"))


def _uploader(at, label_start):
    return next(u for u in at.file_uploader if u.label.startswith(label_start))


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def test_opens_on_permit_pair():
    before, after = load_bundled_pair("permit_intake")

    at = page_test("build").run()

    assert not at.exception
    assert at.session_state["before"] == before
    assert at.session_state["after"] == after
    assert [t.label for t in at.tabs][:4] == [
        "Steps",
        "Routing",
        "Staff pools",
        "Arrival streams",
    ]


def test_valid_yaml_upload_replaces_model():
    at = page_test("build").run()
    blank = tables.blank_model("Call centre")

    _uploader(at, "Upload a model").set_value(
        ("call.yaml", dump_model(blank).encode(), "application/x-yaml")
    )
    at.run()

    assert not at.exception
    assert at.session_state["before"].name == "Call centre"
    assert any("Loaded call.yaml" in s.value for s in at.success)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"name: [unclosed", "invalid YAML"),
        (b"name: X\nlanes: 3\n", "lanes"),
        (b"- just\n- a list\n", "must be a YAML mapping"),
        (b"a: &x [1]\nb: *x\n", "anchors and aliases"),
        (b"#" * (MAX_MODEL_BYTES + 1), "more than the limit"),
    ],
)
def test_bad_yaml_upload_keeps_work(content, message):
    at = page_test("build").run()
    before = at.session_state["before"]

    _uploader(at, "Upload a model").set_value(("bad.yaml", content, "text/yaml"))
    at.run()

    assert not at.exception
    assert at.session_state["before"] == before
    errors = " ".join(e.value for e in at.error)
    assert "bad.yaml was not loaded" in errors
    assert message in errors


def test_start_from_scratch_gives_blank():
    at = page_test("build").run()

    _button(at, "Start from scratch").click()
    at.run()

    assert at.session_state["before"] == tables.blank_model()
    assert not at.exception
    assert any("No problems found" in s.value for s in at.success)


def test_steps_csv_import_updates_model():
    at = page_test("build").run()
    _button(at, "Start from scratch").click()
    at.run()
    csv = (
        b"name,lane,pool,time_min,time_likely,time_max,next,end\n"
        b"Serve customer,Counter,Clerks,2,3,5,Print receipt,\n"
        b"Print receipt,Counter,Clerks,1,1,1,,resolved\n"
    )

    _uploader(at, "Import steps").set_value(("steps.csv", csv, "text/csv"))
    at.run()

    model = at.session_state["before"]
    assert [s.name for s in model.steps] == ["Serve customer", "Print receipt"]
    assert model.step("Serve customer").next == "Print receipt"
    assert not at.exception


def test_bad_steps_import_keeps_work():
    at = page_test("build").run()
    before = at.session_state["before"]

    _uploader(at, "Import steps").set_value(("steps.csv", b"colour\nred\n", "text/csv"))
    at.run()

    assert at.session_state["before"] == before
    assert any("steps.csv was not loaded" in e.value for e in at.error)


def test_problems_shown_in_user_names():
    at = page_test("build").run()
    model = at.session_state["before"]
    broken = model.model_copy(
        update={"steps": [model.steps[0].model_copy(update={"pool": "Nobody"})]}
    )
    at.session_state["before"] = broken

    at.run()

    errors = " ".join(e.value for e in at.error)
    assert model.steps[0].name in errors
    assert "Nobody" in errors


def test_unexpected_error_shown_without_traceback(monkeypatch):
    def fail(model):
        raise RuntimeError("checker crashed")

    at = page_test("build").run()
    before = at.session_state["before"]
    monkeypatch.setattr("workbench.app.build_page.find_problems", fail)

    at.run()

    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "This page failed: RuntimeError: checker crashed" in errors
    assert at.session_state["before"] == before


def apply_step_edit(step_name: str, pca: object) -> None:
    """Apply an edited steps table the way the Build page does after an edit."""
    from workbench import tables
    from workbench.app import state
    from workbench.app.build_page import _apply_edits

    state.ensure_session()
    model = state.get_model("before")
    steps = tables.steps_frame(model).astype({"pca": object})
    steps.loc[0, ["name", "pca"]] = [step_name, pca]
    edited = {"steps": steps, "routing": None, "pools": None, "streams": None}
    _apply_edits("before", model, edited)


def _edit_test(step_name, pca):
    from streamlit.testing.v1 import AppTest

    return AppTest.from_function(
        apply_step_edit, args=(step_name, pca), default_timeout=60
    ).run()


def test_table_edit_rebuilds_model():
    before, _ = load_bundled_pair("permit_intake")

    at = _edit_test("Apply online", 75.0)

    model = at.session_state["before"]
    assert model.steps[0].name == "Apply online"
    assert model.steps[0].pca == 75
    assert model.steps[1:] == before.steps[1:]
    assert any(before.steps[0].name in e.value for e in at.error)


def test_invalid_table_edit_keeps_model():
    before, _ = load_bundled_pair("permit_intake")

    at = _edit_test("Apply online", "lots")

    assert at.session_state["before"] == before
    errors = " ".join(e.value for e in at.error)
    assert "not a valid model yet" in errors
    assert "'lots'" in errors


_NEW_STEP = {
    "name": "Check fee",
    "kind": "task",
    "lane": "Records",
    "value_class": "BVA",
    "pool": "Records clerks",
    "time_min": 1.0,
    "time_likely": 2.0,
    "time_max": 3.0,
    "pca": 100.0,
    "end": "resolved",
    "touchpoint": False,
}


def _steps_editor(at):
    return next(e for e in at.data_editor if e.key.startswith("editor-steps-"))


def _edit_steps(at, edited_rows=None, added_rows=None):
    # The browser sends the editor's whole edit state, relative to its input data.
    key = _steps_editor(at).key
    at.session_state[key] = {
        "edited_rows": edited_rows or {},
        "added_rows": added_rows or [],
        "deleted_rows": [],
    }
    return at.run()


def test_consecutive_edits_keep_editor():
    before, _ = load_bundled_pair("permit_intake")
    at = page_test("build").run()
    key = _steps_editor(at).key
    input_frame = _steps_editor(at).value

    _edit_steps(at, added_rows=[_NEW_STEP])
    assert not at.exception
    assert _steps_editor(at).key == key
    assert at.session_state["before"].step("Check fee").pool == "Records clerks"

    _edit_steps(at, edited_rows={1: {"pca": 70.0}}, added_rows=[_NEW_STEP])
    assert not at.exception
    assert _steps_editor(at).key == key
    assert _steps_editor(at).value.equals(input_frame)
    model = at.session_state["before"]
    times = tables.steps_frame(model).set_index("name").loc["Check fee"]
    assert times[["time_min", "time_likely", "time_max"]].tolist() == [1, 2, 3]
    assert model.steps[1].name == before.steps[1].name
    assert model.steps[1].pca == 70
    assert [s.name for s in model.steps] == [s.name for s in before.steps] + [
        "Check fee"
    ]


def test_edits_survive_scenario_switch():
    at = page_test("build").run()
    _edit_steps(at, edited_rows={1: {"pca": 70.0}})
    scenario = next(r for r in at.radio if r.key == "build_scenario")

    scenario.set_value("after").run()
    assert _steps_editor(at).key.startswith("editor-steps-after-")
    scenario.set_value("before").run()

    assert not at.exception
    assert _steps_editor(at).value.loc[1, "pca"] == 70
    assert at.session_state["before"].steps[1].pca == 70


def test_invalid_edit_kept_until_fixed():
    before, _ = load_bundled_pair("permit_intake")
    at = page_test("build").run()

    _edit_steps(at, edited_rows={0: {"time_min": 9.0}})
    at.run()
    assert _steps_editor(at).value.loc[0, "time_min"] == 3
    errors = " ".join(e.value for e in at.error)
    assert "not a valid model yet" in errors
    assert "min=9.0" in errors
    assert at.session_state["before"] == before

    _edit_steps(
        at, edited_rows={0: {"time_min": 9.0, "time_likely": 10.0, "time_max": 12.0}}
    )
    assert not at.exception
    assert not any("not a valid model yet" in e.value for e in at.error)
    duration = tables.steps_frame(at.session_state["before"]).iloc[0]
    assert duration[["time_min", "time_likely", "time_max"]].tolist() == [9, 10, 12]


def test_invalid_edit_survives_scenario_switch():
    before, _ = load_bundled_pair("permit_intake")
    at = page_test("build").run()
    _edit_steps(at, edited_rows={0: {"time_min": 9.0}})
    scenario = next(r for r in at.radio if r.key == "build_scenario")

    scenario.set_value("after").run()
    scenario.set_value("before").run()

    assert not at.exception
    assert _steps_editor(at).value.loc[0, "time_min"] == 9
    errors = " ".join(e.value for e in at.error)
    assert "not a valid model yet" in errors
    assert at.session_state["before"] == before


def test_start_from_scratch_resets_tables():
    at = page_test("build").run()
    key = _steps_editor(at).key
    _edit_steps(at, edited_rows={0: {"time_min": 9.0}})

    _button(at, "Start from scratch").click()
    at.run()

    assert _steps_editor(at).key != key
    table_names = _steps_editor(at).value["name"].tolist()
    assert table_names == [s.name for s in tables.blank_model().steps]
    assert any("No problems found" in s.value for s in at.success)


def test_step_rename_follows_references():
    before, _ = load_bundled_pair("permit_intake")
    old = "Review board decision"
    position = [s.name for s in before.steps].index(old)
    at = page_test("build").run()

    _edit_steps(at, edited_rows={position: {"name": "Board decision"}})

    assert not at.exception
    assert not any("not a valid model yet" in e.value for e in at.error)
    model = at.session_state["before"]
    assert model.step("Route to review board").next == "Board decision"
    assert model.step("Board decision").batch == before.step(old).batch
    table = _steps_editor(at).value
    assert table.loc[position - 1, "next"] == "Board decision"

    _edit_steps(at, edited_rows={1: {"pca": 70.0}})
    assert not at.exception
    assert at.session_state["before"].steps[1].pca == 70
    assert at.session_state["before"].step("Board decision").batch is not None


def test_stream_start_follows_rename():
    at = page_test("build").run()

    _edit_steps(at, edited_rows={0: {"name": "Open post"}})

    assert not at.exception
    starts = [s.start for s in at.session_state["before"].arrivals]
    assert "Open post" in starts
    assert "Open mail" not in starts
