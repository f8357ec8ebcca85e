"""Tests of the comparison charts' tables against the simulated case table."""

from __future__ import annotations

import pytest
from workshop_models import permit_model

from workbench import redesign
from workbench.app import charts
from workbench.sim.compare import compare_scenarios
from workbench.sim.experiment import ExperimentSettings


@pytest.fixture(scope="module")
def comparison():
    before = permit_model()
    after = redesign.apply_move(
        redesign.start_after(before), "remove_step", "Copy file"
    )
    settings = ExperimentSettings(replications=3, days=5, jobs=1)
    return compare_scenarios([before, after], settings)


def test_value_stream_sums_match_cases(comparison):
    frame = charts.value_stream_frame(comparison)
    cases = charts.completed_cases(comparison)

    for name in comparison.scenarios:
        steps = frame[frame["scenario"] == name]
        done = cases[cases["scenario"] == name]
        assert steps["process_time"].sum() == pytest.approx(done["process_time"].mean())
        assert steps["waiting_time"].sum() == pytest.approx(done["waiting_time"].mean())


def test_value_stream_follows_step_order(comparison):
    order = [step.name for step in permit_model().steps]

    frame = charts.value_stream_frame(comparison, order)

    before = list(frame[frame["scenario"] == comparison.scenarios[0]]["step"])
    after = list(frame[frame["scenario"] == comparison.scenarios[1]]["step"])
    assert before == [s for s in order if s in before]
    assert "Copy file" in before
    assert "Copy file" not in after


def test_utilization_matches_metrics(comparison):
    frame = charts.utilization_frame(comparison).set_index(["scenario", "pool"])

    for name, metrics in comparison.metrics.items():
        for pool in ("Clerks", "Planners"):
            expected = metrics[f"utilization_percent[{pool}]"].mean()
            assert frame.loc[(name, pool), "utilization_percent"] == expected
            assert 0 < expected <= 100


def test_step_load_by_pool_and_queue(comparison):
    model = permit_model()
    name = comparison.scenarios[0]

    utilization = charts.step_load(comparison, name, model, "utilization")
    queue = charts.step_load(comparison, name, model, "queue")

    assert utilization["Fire check"] == utilization["Review plans"]
    assert "Complete?" not in utilization
    assert "Wait for documents" not in utilization
    assert all(value > 0 for value in queue.values())
    assert set(queue) <= {step.name for step in model.steps if step.pool}


def test_value_stream_figure_scales_unit(comparison):
    frame = charts.value_stream_frame(comparison)
    size = {"minutes": 1.0, "hours": 60.0, "days": 1440.0}

    figure = charts.value_stream_figure(comparison)

    unit = figure.layout.xaxis.title.text
    shown = max(max(trace.x) for trace in figure.data)
    largest = frame[["process_time", "waiting_time"]].max().max()
    assert unit in size
    assert shown == pytest.approx(largest / size[unit])
    assert unit in figure.layout.title.text


def test_value_stream_facets_named_by_scenario(comparison):
    figure = charts.value_stream_figure(comparison)

    titles = [note.text for note in figure.layout.annotations]

    assert sorted(titles) == sorted(comparison.scenarios)
