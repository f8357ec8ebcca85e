"""AppTest of the savings-report download section on its own."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

TIMEOUT = 180


def run_section() -> None:
    """Show the report section for the bundled permit pair with short runs."""
    from conftest import MODELS

    from workbench.app.report_section import report_section
    from workbench.loading import load_model
    from workbench.sim.experiment import ExperimentSettings

    before = load_model(MODELS / "permit_intake" / "before.yaml")
    after = load_model(MODELS / "permit_intake" / "after.yaml")
    settings = ExperimentSettings(replications=2, days=3, jobs=1, seed=3)
    report_section(before, after, settings, run_key="permit")


def _section() -> AppTest:
    return AppTest.from_function(run_section, default_timeout=TIMEOUT).run()


def test_section_waits_for_request():
    at = _section()

    assert not at.exception
    assert [button.label for button in at.button] == ["Build the report"]
    assert at.session_state["reports"] == {}


def test_section_builds_html_report():
    at = _section()

    at.button(key="report_build").click().run()

    assert not at.exception
    assert not at.error
    (data,) = at.session_state["reports"].values()
    assert data.startswith(b"<!DOCTYPE html>")
    assert b"Permit intake: before and after the redesign" in data
    (download,) = at.get("download_button")
    assert download.label == "Download the report (HTML)"


def test_section_builds_chosen_format():
    at = _section()
    at.radio(key="report_format").set_value("xlsx").run()

    at.button(key="report_build").click().run()

    (data,) = at.session_state["reports"].values()
    assert data.startswith(b"PK")
    (download,) = at.get("download_button")
    assert download.label == "Download the report (XLSX)"


def test_section_keeps_report_after_rerun():
    at = _section()
    at.button(key="report_build").click().run()

    at.run()

    assert len(at.session_state["reports"]) == 1
    assert not at.exception
