"""AppTest of the Simulate and compare page, the Map shading and the Export page."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from app_harness import page_test, switch_page
from streamlit.proto.Metric_pb2 import Metric as MetricProto

from workbench import redesign


@pytest.fixture(autouse=True)
def drafts_file(monkeypatch, tmp_path):
    monkeypatch.setenv("WORKBENCH_DRAFTS", str(tmp_path / "drafts.sqlite3"))


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def _quick_settings(at):
    at.number_input(key="sim_replications").set_value(3)
    at.number_input(key="sim_days").set_value(5.0)
    return at


def _simulated():
    at = _quick_settings(page_test("simulate").run())
    before = at.session_state["before"]
    after = redesign.apply_move(
        redesign.start_after(before), "remove_step", before.steps[1].name
    )
    at.session_state["after"] = after
    _button(at, "Run the comparison").click()
    return at.run()


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("drafts")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WORKBENCH_DRAFTS", str(folder / "drafts.sqlite3"))
        return _simulated()


def test_no_results_before_run():
    at = page_test("simulate").run()

    assert any("Run the comparison to see results" in i.value for i in at.info)
    assert not at.exception


def test_comparison_shows_fewer_steps(simulated):
    at = simulated

    table = at.dataframe[0].value.set_index("metric")
    run = at.session_state["results"][at.session_state["latest_key"]]
    raw = run["comparison"].to_frame().set_index("metric")

    assert not at.exception
    steps = raw.loc["steps_per_case"]
    assert steps["after_mean"] < steps["before_mean"]
    assert table.loc["Steps per case", "% change"].startswith("-")
    assert table.loc["Steps per case", "unit"] == "per case"
    assert list(table.columns) == [
        "unit",
        "before (95% CI)",
        "after (95% CI)",
        "change (95% CI)",
        "% change",
    ]


def test_comparison_table_has_no_raw_ids(simulated):
    table = simulated.dataframe[0].value

    ids = [metric for metric in table["metric"] if "_" in metric]

    assert ids == []
    assert "Lead time, mean" in set(table["metric"])


def test_lead_time_unit_matches_magnitude(simulated):
    table = simulated.dataframe[0].value.set_index("metric")
    run = simulated.session_state["results"][simulated.session_state["latest_key"]]
    raw = run["comparison"].to_frame().set_index("metric")
    minutes = raw.loc["lead_time_mean_minutes", "before_mean"]
    shown = table.loc["Lead time, mean", "before (95% CI)"].split(" [")[0]
    size = {"minutes": 1.0, "hours": 60.0, "days": 1440.0}

    unit = table.loc["Lead time, mean", "unit"]

    assert float(shown.replace(",", "")) == pytest.approx(
        minutes / size[unit], rel=0.01
    )
    assert minutes / size[unit] >= 2 or unit == "minutes"


def test_headline_lead_time_states_unit(simulated):
    metrics = {m.label: m for m in simulated.metric}

    lead = metrics["Lead time, mean, after"]

    assert lead.value.split()[-1] in {"minutes", "hours", "days"}
    assert lead.delta.split(" (")[0].split()[-1] in {"minutes", "hours", "days"}
    assert metrics["Steps per case, after"].value.replace(".", "").isdigit()


def test_structure_table_readable(simulated):
    frames = [d.value for d in simulated.dataframe]
    structure = next(f for f in frames if "Permit" in " ".join(map(str, f.columns)))

    assert "Handoff edges" in structure.index
    assert "handoff_edges" not in structure.index


def test_charts_and_savings_shown(simulated):
    at = simulated

    charts = at.get("plotly_chart")
    savings = _savings_table(at)

    assert len(charts) == 4
    assert list(savings["saving per year"]) == [
        "Staff hours",
        "FTE",
        "Labour cost",
        "Customer waiting hours",
    ]
    assert savings.loc[0, "mean"] > 0


def test_changed_input_marks_results_stale():
    at = _simulated()
    table = at.dataframe[0].value

    at.number_input(key="sim_seed").set_value(99)
    at.run()

    warnings = " ".join(w.value for w in at.warning)
    assert "These results are for earlier inputs" in warnings
    assert at.dataframe[0].value.equals(table)


def test_cost_assumption_changes_savings():
    at = _simulated()
    at.checkbox[0].uncheck()
    at.run()

    _cost_input(at).set_value(100.0)
    at.run()
    cost_100 = _savings_table(at).loc[2, "mean"]
    _cost_input(at).set_value(50.0)
    at.run()
    cost_50 = _savings_table(at).loc[2, "mean"]

    # The table rounds costs of 100 or more to whole currency units.
    assert cost_100 == pytest.approx(2 * cost_50, abs=1.0)


def _savings_table(at):
    frames = [d.value for d in at.dataframe]
    return next(f for f in frames if "saving per year" in f.columns)


def _cost_input(at):
    return next(n for n in at.number_input if n.label == "Cost per staff hour")


def test_export_offers_results(simulated):
    at = simulated
    comparison = at.session_state["results"][at.session_state["latest_key"]]

    xlsx = _xlsx_sheets(comparison["comparison"])
    names = _zip_names(comparison["comparison"])

    assert xlsx[:3] == ["comparison", "savings", "warnings"]
    assert "metrics 1" in xlsx
    assert names[0].startswith("1-")
    assert any(name.endswith("/visits.csv") for name in names)


def _xlsx_sheets(comparison):
    from workbench.app.export_files import results_xlsx

    return openpyxl.load_workbook(io.BytesIO(results_xlsx(comparison))).sheetnames


def _zip_names(comparison):
    from workbench.app.export_files import trace_zip

    return zipfile.ZipFile(io.BytesIO(trace_zip(comparison))).namelist()


def test_export_page_without_results():
    at = page_test("export").run()

    labels = [b.label for b in at.get("download_button")]

    assert any("before-scenario (YAML)" in label for label in labels)
    assert not any("trace" in label for label in labels)
    assert not at.exception


def test_map_page_without_results():
    at = page_test("map").run()

    assert any("Run a comparison to shade" in c.value for c in at.caption)
    assert not at.exception


def test_map_shaded_by_utilization():
    at = switch_page(_simulated(), "map")

    at.radio(key="map_shading").set_value("utilization")
    at.run()

    source = at.get("graphviz_chart")[0].proto.spec
    labels = [b.label for b in at.get("download_button")]
    assert "utilization %" in source
    assert labels == ["Download the map (SVG)", "Download the map (PNG)"]
    assert not at.exception


def test_export_page_after_run():
    at = switch_page(_simulated(), "export")

    labels = [b.label for b in at.get("download_button")]

    assert "Download the trace (ZIP of CSV tables)" in labels
    assert "Download the before/after table as shown, with units (CSV)" in labels
    assert "Download the before/after table, raw, times in minutes (CSV)" in labels
    assert not any("earlier versions" in w.value for w in at.warning)
    assert "Download the results (XLSX)" in labels
    assert not at.exception


def test_report_section_offered(simulated):
    labels = [b.label for b in simulated.button]

    assert "Build the report" in labels


def test_headline_colour_follows_interval(simulated):
    run = simulated.session_state["results"][simulated.session_state["latest_key"]]
    raw = run["comparison"].to_frame().set_index("metric")
    steps = raw.loc["steps_per_case"]
    metric = next(m for m in simulated.metric if m.label == "Steps per case, after")

    assert steps["change_ci_high"] < 0
    assert metric.proto.color == MetricProto.MetricColor.GREEN


def test_export_warns_on_stale_results():
    at = _simulated()
    at.session_state["after"] = at.session_state["before"]
    switch_page(at, "export")

    warnings = " ".join(w.value for w in at.warning)

    assert "results are for earlier versions" in warnings
    assert not at.exception
