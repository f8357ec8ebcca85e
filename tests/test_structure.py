"""Tests of the structural metrics on small models with hand-calculated results."""

from __future__ import annotations

import dataclasses
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import MODELS
from tests.test_graph import PARALLEL, ROUTED
from workbench import _routing_checks
from workbench.errors import ModelValidationError
from workbench.loading import model_from_data, parse_model, read_yaml
from workbench.sim.engine import simulate_replication
from workbench.sim.experiment import ExperimentSettings
from workbench.structure import expected_visits, start_shares, structural_metrics
from workbench.validation import validate

LANES = """
name: Structure test
lanes:
  - {name: Intake}
  - {name: Right department}
  - {name: Wrong department}
pools:
  - {name: Staff, capacity: 3}
"""

REWORK = (
    LANES
    + """
arrivals:
  - {name: Calls, start: Check form, rate_per_hour: 1}
steps:
  - name: Check form
    lane: Intake
    pool: Staff
    pca: 80
    duration: {dist: fixed, value: 5}
    end: resolved
"""
)

TRANSFER_LOOP = (
    LANES
    + """
arrivals:
  - {name: Calls, start: Log request, rate_per_hour: 1}
steps:
  - name: Log request
    lane: Intake
    pool: Staff
    duration: {dist: fixed, value: 5}
    next: Right department?
  - name: Right department?
    kind: decision
    branches:
      - {to: Resolve request, probability: 0.7}
      - {to: Transfer request, probability: 0.3}
  - name: Transfer request
    lane: Wrong department
    pool: Staff
    duration: {dist: fixed, value: 5}
    next: Right department?
  - name: Resolve request
    lane: Right department
    pool: Staff
    value_class: VA
    duration: {dist: fixed, value: 5}
    end: resolved
"""
)

TWO_STREAMS = (
    LANES
    + """
arrivals:
  - name: Phone
    start: Answer call
    rate_per_hour: 2
    hour_profile: [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1,
                   1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
  - {name: Email, start: Read email, rate_per_hour: 1}
steps:
  - name: Answer call
    lane: Intake
    pool: Staff
    duration: {dist: fixed, value: 5}
    end: resolved
  - name: Read email
    lane: Intake
    pool: Staff
    duration: {dist: fixed, value: 5}
    end: resolved
"""
)

TRAPPED = (
    LANES
    + """
arrivals:
  - {name: Calls, start: Log request, rate_per_hour: 1}
steps:
  - name: Log request
    lane: Intake
    pool: Staff
    duration: {dist: fixed, value: 5}
    next: Done?
  - name: Done?
    kind: decision
    branches:
      - {to: Log request, probability: 1.0}
      - {to: Close request, probability: 0.0}
  - name: Close request
    lane: Intake
    pool: Staff
    duration: {dist: fixed, value: 5}
    end: resolved
"""
)


def test_rework_pca_80_gives_visits_1_25():
    model = parse_model(REWORK)

    visits = expected_visits(model)
    metrics = structural_metrics(model)

    assert visits["Check form"] == pytest.approx(1.25)
    assert metrics.expected_steps_per_case == pytest.approx(1.25)
    assert metrics.rolled_pca_percent == pytest.approx(80.0)
    assert metrics.rework_loops == 1
    assert metrics.routing_cycles == 0


def test_transfer_loop_visits():
    visits = expected_visits(parse_model(TRANSFER_LOOP))

    assert visits["Log request"] == pytest.approx(1.0)
    assert visits["Right department?"] == pytest.approx(1 / 0.7)
    assert visits["Transfer request"] == pytest.approx(0.3 / 0.7)
    assert visits["Resolve request"] == pytest.approx(1.0)


def test_transfer_loop_metrics():
    metrics = structural_metrics(parse_model(TRANSFER_LOOP))

    assert metrics.steps == 3
    assert metrics.decisions == 1
    assert metrics.va_steps == 1
    assert metrics.nva_steps == 2
    assert metrics.routing_cycles == 1
    assert metrics.rework_loops == 0
    assert metrics.expected_steps_per_case == pytest.approx(2 + 0.3 / 0.7)
    assert metrics.expected_decisions_per_case == pytest.approx(1 / 0.7)
    # Every case changes lane once after intake. Each transfer (0.3/0.7 per case)
    # moves on to the right department with probability 0.7.
    assert metrics.expected_handoffs_per_case == pytest.approx(1 + 0.3)
    assert metrics.end_state_probabilities == pytest.approx({"resolved": 1.0})


def test_branch_end_state_probabilities():
    metrics = structural_metrics(parse_model(ROUTED))

    assert metrics.end_state_probabilities == pytest.approx(
        {"resolved": 0.6, "withdrawn": 0.4}
    )


def test_touchpoints_and_handoffs_with_rework():
    metrics = structural_metrics(parse_model(ROUTED))

    # "Take request" is visited 1.25 times (pca 80). 0.8 * 0.4 of its visits go to
    # the back office, and each of those cases then moves to the customer lane.
    assert metrics.expected_touchpoints_per_case == pytest.approx(1.25)
    assert metrics.expected_handoffs_per_case == pytest.approx(0.4 + 0.4)
    assert metrics.touchpoint_steps == 1
    assert metrics.handoff_edges == 2


def test_parallel_branches_visited_once():
    model = parse_model(PARALLEL)

    visits = expected_visits(model)
    metrics = structural_metrics(model)

    assert visits["Take request"] == pytest.approx(1.0)
    assert visits["Check A"] == pytest.approx(1 / 0.9)
    assert visits["Check B"] == pytest.approx(1.0)
    assert visits["Check B2"] == pytest.approx(1.0)
    assert visits["Decide"] == pytest.approx(1.0)
    assert metrics.expected_steps_per_case == pytest.approx(4 + 1 / 0.9)
    assert metrics.expected_handoffs_per_case == pytest.approx(2.0)
    assert metrics.end_state_probabilities == pytest.approx({"resolved": 1.0})


def test_streams_weighted_by_mean_rate():
    model = parse_model(TWO_STREAMS)

    shares = start_shares(model)
    visits = expected_visits(model)

    # 2 per hour for 12 of 24 hours is a mean of 1 per hour, like the email stream.
    assert shares == pytest.approx({"Answer call": 0.5, "Read email": 0.5})
    assert visits["Answer call"] == pytest.approx(0.5)
    assert visits["Read email"] == pytest.approx(0.5)


def test_trapped_loop_raises():
    with pytest.raises(ModelValidationError) as caught:
        structural_metrics(parse_model(TRAPPED))

    message = str(caught.value)
    assert "'Log request'" in message
    assert "loop forever" in message


def test_metrics_frozen_and_serialisable():
    metrics = structural_metrics(parse_model(ROUTED))

    data = metrics.as_dict()

    with pytest.raises(dataclasses.FrozenInstanceError):
        metrics.steps = 0
    assert json.loads(json.dumps(data)) == data
    assert data["steps"] == 4
    assert data["bva_steps"] == 1
    assert data["lanes"] == 3


@pytest.mark.parametrize(
    "path",
    [
        MODELS / "permit_intake" / "after.yaml",
        MODELS / "report_request" / "before.yaml",
        MODELS / "complaints" / "before.yaml",
    ],
    ids=lambda p: f"{p.parent.name}-{p.stem}",
)
def test_expectations_match_simulation(path):
    # Patience is removed, because the chain ignores abandonment.
    data = read_yaml(path.read_text(encoding="utf-8"))
    for step in data["steps"]:
        step.pop("patience", None)
    model = model_from_data(data)
    settings = ExperimentSettings(replications=1, cases=3000, jobs=1)

    metrics = structural_metrics(model)
    cases = simulate_replication(model, settings, 0).cases

    assert set(cases["end_state"]) <= set(metrics.end_state_probabilities)
    for column, expected in (
        ("steps", metrics.expected_steps_per_case),
        ("handoffs", metrics.expected_handoffs_per_case),
        ("touchpoints", metrics.expected_touchpoints_per_case),
    ):
        half_width = 4 * cases[column].std() / math.sqrt(len(cases))
        assert abs(cases[column].mean() - expected) <= half_width, column
    for state, probability in metrics.end_state_probabilities.items():
        share = (cases["end_state"] == state).mean()
        half_width = 4 * math.sqrt(probability * (1 - probability) / len(cases))
        assert abs(share - probability) <= half_width + 1e-9, state


@st.composite
def looping_models(draw):
    """Build a valid model of tasks, each followed by a decision that may loop back."""
    count = draw(st.integers(min_value=2, max_value=7))
    steps = []
    for index in range(count - 1):
        back = draw(st.integers(min_value=0, max_value=index))
        forward = draw(st.floats(min_value=0.1, max_value=1.0))
        steps.append(
            {
                "name": f"Task {index}",
                "lane": draw(st.sampled_from(["Intake", "Right department"])),
                "pca": draw(st.sampled_from([60, 80, 95, 100])),
                "duration": {"dist": "fixed", "value": 1},
                "next": f"Route {index}",
            }
        )
        steps.append(
            {
                "name": f"Route {index}",
                "kind": "decision",
                "branches": [
                    {"to": f"Task {index + 1}", "probability": forward},
                    {"to": f"Task {back}", "probability": 1 - forward},
                ],
            }
        )
    steps.append(
        {
            "name": f"Task {count - 1}",
            "lane": "Wrong department",
            "duration": {"dist": "fixed", "value": 1},
            "end": "resolved",
        }
    )
    data = read_yaml(LANES)
    data["arrivals"] = [{"name": "Calls", "start": "Task 0", "rate_per_hour": 1}]
    data["steps"] = steps
    return model_from_data(data)


@settings(max_examples=40, deadline=None)
@given(looping_models())
def test_chain_properties_on_random_loops(model):
    validate(model)

    metrics = structural_metrics(model)
    visits = expected_visits(model)
    flow = _routing_checks.expected_visits(model, "Task 0")

    assert sum(metrics.end_state_probabilities.values()) == pytest.approx(1.0)
    assert visits["Task 0"] >= 1.0
    # Every case visits the first and the last task at least once.
    assert metrics.expected_steps_per_case >= 2 - 1e-9
    assert metrics.expected_handoffs_per_case <= metrics.expected_steps_per_case
    for name, count in visits.items():
        assert count == pytest.approx(flow[name]), name


def test_unreached_loop_does_not_raise():
    # "Spin" loops forever but gets probability 0, so no case is ever trapped.
    text = TRAPPED.replace(
        "      - {to: Log request, probability: 1.0}\n"
        "      - {to: Close request, probability: 0.0}\n",
        "      - {to: Close request, probability: 1.0}\n"
        "      - {to: Spin, probability: 0.0}\n",
    ) + (
        """  - name: Spin
    kind: decision
    branches:
      - {to: Spin, probability: 1.0}
"""
    )
    model = parse_model(text)

    metrics = structural_metrics(model)
    visits = expected_visits(model)

    assert visits["Spin"] == 0.0
    assert metrics.expected_steps_per_case == pytest.approx(2.0)
    assert metrics.expected_handoffs_per_case == 0.0
