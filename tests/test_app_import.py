"""AppTest of the Import page: an event log to a calibrated before-scenario."""

from __future__ import annotations

import pytest
from app_harness import page_test
from conftest import shared_data_file


@pytest.fixture(autouse=True)
def drafts_file(monkeypatch, tmp_path):
    monkeypatch.setenv("WORKBENCH_DRAFTS", str(tmp_path / "drafts.sqlite3"))


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def _uploaded(name: str, content: bytes):
    at = page_test("import").run()
    at.file_uploader(key="log_file").set_value((name, content, "text/csv"))
    at.run()
    _button(at, "Build the as-is model").click()
    return at.run()


def test_csv_log_becomes_before():
    content = shared_data_file("event_logs/running-example.csv").read_bytes()
    at = _uploaded("running-example.csv", content)

    summary = [t.value for t in at.text]
    _button(at, "Use it as the before-scenario").click()
    at.run()

    assert "6 cases" in summary[0]
    assert at.session_state["before"].name == "As-is model from event log"
    assert not at.exception


def test_xes_log_calibrated():
    content = shared_data_file("event_logs/running-example.xes").read_bytes()

    at = _uploaded("running-example.xes", content)

    assert any("Calibrated 'As-is model" in s.value for s in at.success)
    assert not at.exception


def test_bad_log_keeps_work():
    at = _uploaded("log.csv", b"colour,size\nred,3\n")

    assert any("log.csv was not imported" in e.value for e in at.error)
    assert at.session_state["before"].name != "As-is model from event log"
    assert not at.exception
