"""Tests that the bundled example models load, validate, render and tell their story."""

from __future__ import annotations

import pytest

from tests.conftest import MODELS, bundled_model_paths
from workbench import _routing_checks
from workbench.maps import swimlane_map
from workbench.structure import expected_visits, start_shares, structural_metrics
from workbench.validation import load_and_validate

PROCESSES = ("permit_intake", "request_routing", "complaints", "report_request")


def _load(process: str, scenario: str):
    model, _ = load_and_validate(MODELS / process / f"{scenario}.yaml")
    return model


@pytest.mark.parametrize("process", PROCESSES)
def test_process_has_pair_and_readme(process):
    folder = MODELS / process
    readme = " ".join((folder / "README.md").read_text(encoding="utf-8").split())

    assert (folder / "before.yaml").is_file()
    assert (folder / "after.yaml").is_file()
    assert "not measured data" in readme
    assert "realistic example" in readme


@pytest.mark.parametrize(
    "path", bundled_model_paths(), ids=lambda p: str(p.parent.name)
)
def test_bundled_model_valid_and_renders(path):
    model, warnings = load_and_validate(path)

    svg = swimlane_map(model).pipe(format="svg")

    assert warnings == []
    assert b"<svg" in svg


@pytest.mark.parametrize("process", PROCESSES)
@pytest.mark.parametrize("scenario", ("before", "after"))
def test_bundled_model_conventions(process, scenario):
    model = _load(process, scenario)

    assert model.time_unit in ("minutes", "hours")
    assert model.calendar is not None
    assert all(pool.cost_per_hour > 0 for pool in model.pools)
    assert any(step.touchpoint for step in model.steps)
    assert {s.value_class for s in model.steps if s.kind != "decision"} >= {"VA", "BVA"}


@pytest.mark.parametrize("process", PROCESSES)
@pytest.mark.parametrize("scenario", ("before", "after"))
def test_visits_agree_with_validation_flow(process, scenario):
    model = _load(process, scenario)

    visits = expected_visits(model)
    shares = start_shares(model)

    for step in model.steps:
        flow = sum(
            share * _routing_checks.expected_visits(model, start)[step.name]
            for start, share in shares.items()
        )
        assert visits[step.name] == pytest.approx(flow), step.name


def test_permit_after_halves_steps():
    before = structural_metrics(_load("permit_intake", "before"))
    after = structural_metrics(_load("permit_intake", "after"))

    assert after.steps <= 0.55 * before.steps
    assert after.expected_steps_per_case <= 0.55 * before.expected_steps_per_case
    assert after.nva_steps < before.nva_steps
    assert after.expected_handoffs_per_case < before.expected_handoffs_per_case


def test_permit_batch_and_parallel():
    before = _load("permit_intake", "before")
    after = _load("permit_intake", "after")

    assert any(step.batch is not None for step in before.steps)
    assert any(step.parallel is not None for step in after.steps)


def test_request_routing_story():
    before = _load("request_routing", "before")
    after = _load("request_routing", "after")
    before_metrics = structural_metrics(before)
    after_metrics = structural_metrics(after)

    channels = {stream.channel for stream in before.arrivals}
    assert channels == {"phone", "email", "web", "walk_in", "social_media"}
    assert channels == {stream.channel for stream in after.arrivals}
    assert before_metrics.routing_cycles >= 1
    assert before_metrics.end_state_probabilities["withdrawn"] > 0
    assert any(step.patience is not None for step in before.steps)
    assert after_metrics.routing_cycles == 0
    assert after_metrics.end_state_probabilities == pytest.approx({"resolved": 1.0})
    assert after_metrics.expected_handoffs_per_case < (
        before_metrics.expected_handoffs_per_case
    )


def test_complaints_callback_and_customer_wait():
    before = _load("complaints", "before")
    after = _load("complaints", "after")

    after_names = {step.name for step in after.steps}
    assert "Call back with what to expect" in after_names
    assert after.step("Call back with what to expect").touchpoint
    assert any(s.kind == "wait" and s.wait_for == "customer" for s in after.steps)
    assert "Call back with what to expect" not in {s.name for s in before.steps}


def test_report_request_mail_to_self_service():
    before = _load("report_request", "before")
    after = _load("report_request", "after")
    after_visits = expected_visits(after)
    before_visits = expected_visits(before)

    mail = [s.name for s in before.steps if s.wait_for == "mail"]
    self_service = [s.name for s in after.steps if s.kind == "task" and s.pool is None]
    assert sum(before_visits[name] for name in mail) >= 1.0
    assert self_service
    assert sum(after_visits[name] for name in self_service) > 0.5
