"""Tests of the LEAN redesign moves, their change records and undo."""

from __future__ import annotations

import pytest
from workshop_models import permit_model

from workbench import redesign
from workbench.duration_sums import summed_duration
from workbench.errors import RedesignError


def _after():
    return redesign.start_after(permit_model())


def test_start_after_copies_without_changes():
    before = permit_model()

    after = redesign.start_after(before)

    assert after.steps == before.steps
    assert after.changes == []
    assert after.name == "Permit counter (after)"


def test_start_after_replaces_before_suffix():
    before = permit_model().model_copy(update={"name": "Permit intake (before)"})

    assert redesign.start_after(before).name == "Permit intake (after)"


def test_remove_step_reroutes_and_records():
    after = redesign.apply_move(_after(), "remove_step", "Copy file")

    assert "Copy file" not in [s.name for s in after.steps]
    assert after.step("Take application").next == "Complete?"
    (change,) = after.changes
    assert change.action == "remove_step"
    assert change.target == "Copy file"
    assert change.label == "Remove step 'Copy file'"


def test_remove_first_step_moves_stream_start():
    after = redesign.apply_move(_after(), "remove_step", "Take application")

    assert after.arrivals[0].start == "Copy file"


def test_remove_branch_target_reroutes_branch():
    after = redesign.apply_move(_after(), "remove_step", "Wait for documents")

    targets = [b.to for b in after.step("Complete?").branches]
    assert targets == ["Review plans", "Review plans"]


def test_remove_end_step_passes_end_state():
    model = _after()
    model = redesign.apply_move(model, "set_route", "Fire check", to="Zoning check")
    model = redesign.apply_move(model, "set_route", "Review plans", to="Fire check")
    model = redesign.apply_move(model, "set_route", "Zoning check", to="Issue permit")

    after = redesign.apply_move(model, "remove_step", "Issue permit")

    assert after.step("Zoning check").end == "resolved"
    assert after.step("Zoning check").next is None


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("Complete?", "decision or parallel split"),
        ("Review plans", "decision or parallel split"),
        ("Fire check", "parallel block"),
        ("Issue permit", "parallel"),
        ("No such step", "step not found"),
    ],
)
def test_remove_step_rejected(target, message):
    with pytest.raises(RedesignError, match=message):
        redesign.apply_move(_after(), "remove_step", target)


def test_merge_steps_combines_fields():
    after = redesign.apply_move(
        _after(), "merge_steps", "Take application", other="Copy file"
    )

    merged = after.step("Take application")
    assert "Copy file" not in [s.name for s in after.steps]
    assert merged.next == "Complete?"
    assert merged.value_class == "VA"
    assert merged.touchpoint is True
    duration = merged.duration
    assert (duration.min, duration.mode, duration.max) == (9, 12, 19)
    assert after.changes[0].details == {"other": "Copy file"}


def test_merge_multiplies_pca_and_renames():
    model = redesign.apply_move(_after(), "set_pca", "Copy file", pca=50)

    after = redesign.apply_move(
        model, "merge_steps", "Take application", other="Copy file", name="Intake"
    )

    assert after.step("Intake").pca == 50
    assert after.arrivals[0].start == "Intake"


def test_merge_unbounded_keeps_mean():
    model = redesign.apply_move(
        _after(), "set_route", "Complete?", to="Wait for documents"
    )

    after = redesign.apply_move(
        model, "merge_steps", "Wait for documents", other="Review plans"
    )

    duration = after.step("Wait for documents").duration
    assert duration.dist == "lognormal"
    assert duration.mean == pytest.approx(120 + 55 / 3)


def test_merge_requires_next_link():
    with pytest.raises(RedesignError, match="does not lead to 'Issue permit'"):
        redesign.apply_move(
            _after(), "merge_steps", "Take application", other="Issue permit"
        )


def test_step_field_moves():
    model = _after()
    model = redesign.apply_move(model, "set_value_class", "Copy file", value_class="VA")
    model = redesign.apply_move(model, "set_pca", "Review plans", pca=99)
    model = redesign.apply_move(model, "move_lane", "Copy file", lane="Records")
    duration = {"dist": "fixed", "value": 2}
    model = redesign.apply_move(model, "set_duration", "Copy file", duration=duration)

    step = model.step("Copy file")
    assert step.value_class == "VA"
    assert step.lane == "Records"
    assert step.duration.value == 2
    assert model.step("Review plans").pca == 99
    assert "Records" in [lane.name for lane in model.lanes]
    assert len(model.changes) == 4


def test_set_staff_changes_capacity():
    after = redesign.apply_move(_after(), "set_staff", "Planners", capacity=3)

    assert after.pool("Planners").capacity == 3
    assert after.changes[0].label == "Set staff of 'Planners' to 3"


def test_set_probability_rescales_others():
    after = redesign.apply_move(
        _after(), "set_probability", "Complete?", to="Review plans", probability=0.95
    )

    probabilities = [b.probability for b in after.step("Complete?").branches]
    assert probabilities == pytest.approx([0.95, 0.05])


@pytest.mark.parametrize(
    ("action", "target", "details", "message"),
    [
        ("set_staff", "Nobody", {"capacity": 2}, "pool not found"),
        ("set_staff", "Clerks", {"capacity": 0}, "greater than or equal to 1"),
        ("set_pca", "Copy file", {"pca": 150}, "less than or equal to 100"),
        ("set_value_class", "Copy file", {"value_class": "XYZ"}, "value_class"),
        ("set_route", "Copy file", {"to": "Nowhere"}, "step not found"),
        (
            "set_probability",
            "Complete?",
            {"to": "Nowhere", "probability": 1},
            "no branch",
        ),
        (
            "set_duration",
            "Copy file",
            {"duration": {"dist": "fixed"}},
            "duration.value",
        ),
        ("set_staff", "Clerks", {"size": 3}, "invalid arguments"),
        ("teleport", "Copy file", {}, "unknown redesign action"),
    ],
)
def test_invalid_moves_rejected(action, target, details, message):
    model = _after()

    with pytest.raises(RedesignError, match=message):
        redesign.apply_move(model, action, target, **details)

    assert model.changes == []


def test_undo_middle_change_replays_rest():
    before = permit_model()
    after = redesign.start_after(before, "Redesign")
    after = redesign.apply_move(after, "remove_step", "Copy file", label="No copies")
    after = redesign.apply_move(after, "set_staff", "Planners", capacity=2)
    after = redesign.apply_move(after, "set_pca", "Review plans", pca=98)

    undone = redesign.undo_change(before, after, 1)

    assert [c.label for c in undone.changes] == [
        "No copies",
        "Set %C&A of 'Review plans' to 98",
    ]
    assert undone.pool("Planners").capacity == 1
    assert undone.step("Review plans").pca == 98
    assert "Copy file" not in [s.name for s in undone.steps]
    assert undone.name == "Redesign"


def test_undo_all_restores_before():
    before = permit_model()
    after = redesign.apply_move(
        redesign.start_after(before), "remove_step", "Copy file"
    )

    undone = redesign.undo_change(before, after, 0)

    assert undone.steps == before.steps
    assert undone.changes == []


def test_undo_dependency_rejected():
    before = permit_model()
    after = redesign.start_after(before)
    after = redesign.apply_move(
        after, "set_route", "Copy file", to="Wait for documents"
    )
    after = redesign.apply_move(
        after, "merge_steps", "Copy file", other="Wait for documents"
    )

    with pytest.raises(RedesignError, match="does not lead to"):
        redesign.undo_change(before, after, 0)


def test_replay_rebuilds_after():
    before = permit_model()
    after = redesign.apply_move(
        redesign.start_after(before), "remove_step", "Copy file"
    )
    after = redesign.apply_move(after, "set_staff", "Clerks", capacity=1)

    replayed = redesign.replay_changes(before, after.changes)

    assert replayed.steps == after.steps
    assert replayed.pools == after.pools


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        (
            {"dist": "fixed", "value": 2},
            {"dist": "fixed", "value": 3},
            {"dist": "fixed", "value": 5},
        ),
        (
            {"dist": "uniform", "low": 2, "high": 4},
            {"dist": "triangular", "min": 1, "mode": 2, "max": 6},
            {"dist": "triangular", "min": 3, "mode": 5, "max": 10},
        ),
        (
            {"dist": "exponential", "mean": 10},
            {"dist": "fixed", "value": 5},
            {"dist": "lognormal", "mean": 15, "sd": 10},
        ),
        (
            {"dist": "normal", "mean": 6, "sd": 3},
            {"dist": "lognormal", "mean": 4, "sd": 4},
            {"dist": "lognormal", "mean": 10, "sd": 5},
        ),
        (None, {"dist": "fixed", "value": 5}, {"dist": "fixed", "value": 5}),
    ],
)
def test_summed_duration_cases(first, second, expected):
    assert summed_duration(first, second) == pytest.approx(expected)


def test_summed_empirical_uses_sample_variance():
    samples = {"dist": "empirical", "samples": [1, 3]}

    merged = summed_duration(samples, {"dist": "exponential", "mean": 2})

    assert merged["mean"] == pytest.approx(4)
    assert merged["sd"] == pytest.approx(5**0.5)
