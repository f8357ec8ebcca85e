"""Tests of the change list: model differences, grouping and one-at-a-time models."""

from __future__ import annotations

import pytest
from conftest import MODELS

from workbench import redesign
from workbench.loading import load_model, parse_model
from workbench.report.applying import apply_edits, apply_in_order, replayed_models
from workbench.report.changes import Edit, change_list, diff_models
from workbench.validation import find_problems

BEFORE = """
name: Permit counter
time_unit: minutes
lanes: [{name: Front desk}, {name: Back office}]
pools:
  - {name: Clerks, capacity: 2}
  - {name: Reviewers, capacity: 1}
arrivals:
  - {name: Walk-in, start: Take ticket, rate_per_hour: 4}
steps:
  - {name: Take ticket, lane: Front desk, duration: {dist: fixed, value: 1},
     next: Check form}
  - {name: Check form, lane: Front desk, pool: Clerks, pca: 80,
     duration: {dist: triangular, min: 5, mode: 10, max: 20}, next: Copy file}
  - {name: Copy file, lane: Back office, pool: Clerks,
     duration: {dist: fixed, value: 4}, next: Review}
  - {name: Review, lane: Back office, pool: Reviewers,
     duration: {dist: exponential, mean: 15}, end: resolved}
"""

AFTER = """
name: Permit counter redesigned
time_unit: minutes
lanes: [{name: Front desk}, {name: Back office}]
pools:
  - {name: Clerks, capacity: 3}
  - {name: Reviewers, capacity: 1}
arrivals:
  - {name: Walk-in, start: Take ticket, rate_per_hour: 4}
steps:
  - {name: Take ticket, lane: Front desk, duration: {dist: fixed, value: 1},
     next: Check form}
  - {name: Check form, lane: Front desk, pool: Clerks, pca: 95,
     duration: {dist: triangular, min: 5, mode: 10, max: 20}, next: Review}
  - {name: Review, lane: Back office, pool: Reviewers,
     duration: {dist: exponential, mean: 15}, end: resolved}
"""

RECORDED = """
changes:
  - {label: Stop copying files, action: remove_step, target: Copy file}
  - {label: Checklist at the counter, action: set_pca, target: Check form}
"""

PARALLEL_BEFORE = """
name: Review
lanes: [{name: Office}]
arrivals: [{name: Mail, start: Open, rate_per_hour: 1}]
steps:
  - {name: Open, lane: Office, duration: {dist: fixed, value: 1}, next: Check}
  - {name: Check, lane: Office, duration: {dist: fixed, value: 5}, next: Reply}
  - {name: Reply, lane: Office, duration: {dist: fixed, value: 2}, end: resolved}
"""

# Open splits into Check and Verify, which join at Decide. Changing Open alone
# leaves the Check branch ending the case at Reply, which breaks the parallel rule.
PARALLEL_AFTER = """
name: Review
lanes: [{name: Office}]
arrivals: [{name: Mail, start: Open, rate_per_hour: 1}]
steps:
  - {name: Open, lane: Office, duration: {dist: fixed, value: 1},
     parallel: {branches: [Check, Verify], join: Decide}}
  - {name: Check, lane: Office, duration: {dist: fixed, value: 5}, next: Decide}
  - {name: Verify, lane: Office, duration: {dist: fixed, value: 3}, next: Decide}
  - {name: Decide, lane: Office, duration: {dist: fixed, value: 2}, end: resolved}
"""


def test_diff_finds_each_element():
    before, after = parse_model(BEFORE), parse_model(AFTER)

    edits = diff_models(before, after)

    kinds = {(edit.section, edit.name): edit.kind for edit in edits}
    assert kinds == {
        ("steps", "Check form"): "changed",
        ("steps", "Copy file"): "removed",
        ("pools", "Clerks"): "changed",
    }


def test_diff_names_old_and_new_values():
    before, after = parse_model(BEFORE), parse_model(AFTER)

    edit = next(e for e in diff_models(before, after) if e.name == "Check form")

    assert "pca 80 -> 95" in edit.fields
    assert "next Copy file -> Review" in edit.fields
    assert edit.describe().startswith("Step 'Check form': ")


def test_diff_ignores_time_unit_alone():
    before = parse_model(BEFORE)
    data = before.model_dump(mode="json", exclude_defaults=True)
    data["time_unit"] = "seconds"
    for step in data["steps"]:
        for key in [k for k in step["duration"] if k != "dist"]:
            step["duration"][key] *= 60
    in_seconds = type(before).model_validate(data)

    assert diff_models(before, in_seconds) == []
    assert diff_models(in_seconds, before) == []


def test_diff_describes_distribution_change():
    before = parse_model(BEFORE)
    after = parse_model(
        BEFORE.replace("{dist: fixed, value: 4}", "{dist: fixed, value: 2}")
    )

    (edit,) = diff_models(before, after)

    assert edit.fields == ("duration fixed 4 -> fixed 2",)


def test_change_list_derives_changes_without_record():
    changes = change_list(parse_model(BEFORE), parse_model(AFTER))

    actions = [change.action for change in changes]
    assert actions == ["change_step", "remove_step", "set_staff"]
    assert not any(change.recorded for change in changes)
    assert changes[2].label == "Pool 'Clerks': capacity 2 -> 3"


def test_change_list_groups_by_recorded_change():
    changes = change_list(parse_model(BEFORE), parse_model(AFTER + RECORDED))

    labels = [change.label for change in changes]
    assert labels == [
        "Stop copying files",
        "Checklist at the counter",
        "Pool 'Clerks': capacity 2 -> 3",
    ]
    assert [edit.name for edit in changes[0].edits] == ["Copy file"]
    assert [edit.name for edit in changes[1].edits] == ["Check form"]
    assert changes[2].recorded is False


def test_recorded_change_claims_names_in_details():
    recorded = """
changes:
  - {label: Merge, action: merge_steps, target: '',
     details: {steps: [Copy file, Check form], into: Check form}}
"""
    changes = change_list(parse_model(BEFORE), parse_model(AFTER + recorded))

    assert {edit.name for edit in changes[0].edits} == {"Copy file", "Check form"}


def test_recorded_change_without_difference():
    recorded = "changes:\n  - {label: Nothing, action: rename, target: Nowhere}\n"

    changes = change_list(parse_model(BEFORE), parse_model(AFTER + recorded))

    assert changes[0].edits == ()
    assert "no difference" in changes[0].describe()


def test_apply_removal_pulls_predecessor_routing():
    before, after = parse_model(BEFORE), parse_model(AFTER)
    removal = Edit("steps", "Copy file", "removed")

    model = apply_edits(before, after, [removal])

    assert [step.name for step in model.steps] == [
        "Take ticket",
        "Check form",
        "Review",
    ]
    assert model.step("Check form").next == "Review"
    assert model.step("Check form").pca == 80
    assert model.pool("Clerks").capacity == 2


def test_apply_routing_change_removes_orphan_step():
    before, after = parse_model(BEFORE), parse_model(AFTER)
    reroute = Edit("steps", "Check form", "changed")

    model = apply_edits(before, after, [reroute])

    assert "Copy file" not in [step.name for step in model.steps]
    assert model.step("Check form").pca == 95


def test_apply_added_step_pulls_its_predecessor():
    before, after = parse_model(AFTER), parse_model(BEFORE)
    added = Edit("steps", "Copy file", "added")

    model = apply_edits(before, after, [added])

    assert model.step("Check form").next == "Copy file"
    assert model.step("Copy file").next == "Review"


def test_intermediate_models_end_at_after():
    before, after = parse_model(BEFORE), parse_model(AFTER + RECORDED)
    changes = change_list(before, after)

    applied, models = apply_in_order(before, after, changes)

    assert applied == changes
    assert len(models) == len(changes) + 1
    assert models[0] is before
    assert models[-1] is after
    assert models[1].pool("Clerks").capacity == 2
    assert "Copy file" not in [step.name for step in models[1].steps]
    assert models[1].step("Check form").pca == 80
    assert models[2].step("Check form").pca == 95
    assert diff_models(models[2], after) == [
        Edit("pools", "Clerks", "changed", ("capacity 2 -> 3",))
    ]


def _bundled_pairs():
    return sorted(path.parent for path in MODELS.glob("*/after.yaml"))


@pytest.mark.parametrize("folder", _bundled_pairs(), ids=lambda path: path.name)
def test_bundled_pair_changes_apply(folder):
    before = load_model(folder / "before.yaml")
    after = load_model(folder / "after.yaml")
    changes = change_list(before, after)

    applied, models = apply_in_order(before, after, changes)

    assert changes
    assert len(models) == len(applied) + 1
    assert models[-1] is after
    for model in models[1:-1]:
        assert not [p for p in find_problems(model) if p.severity == "error"]
    assert (
        diff_models(apply_edits(before, after, diff_models(before, after)), after) == []
    )


def test_many_differences_grouped_by_kind():
    before = load_model(MODELS / "permit_intake/before.yaml")
    data = before.model_dump(mode="json", exclude_defaults=True)
    for step in data["steps"]:
        if step.get("kind", "task") != "decision":
            step["pca"] = 99
    after = type(before).model_validate(data)

    changes = change_list(before, after)

    task_count = sum(1 for step in before.steps if step.kind != "decision")
    assert task_count > 6
    assert len(changes) == 1
    assert changes[0].label == f"Change {task_count} steps"
    assert changes[0].action == "change_step"


def test_invalid_intermediate_merges_changes():
    before, after = parse_model(PARALLEL_BEFORE), parse_model(PARALLEL_AFTER)
    changes = change_list(before, after)

    applied, models = apply_in_order(before, after, changes)

    assert len(applied) < len(changes)
    assert any(" + " in change.label for change in applied)
    assert len(models) == len(applied) + 1
    for model in models[1:-1]:
        assert not [p for p in find_problems(model) if p.severity == "error"]


def test_recorded_moves_replay_exactly():
    before = parse_model(BEFORE)
    after = redesign.apply_move(
        redesign.start_after(before), "remove_step", "Copy file"
    )
    after = redesign.apply_move(after, "set_staff", "Clerks", capacity=3)
    changes = change_list(before, after)

    applied, models = apply_in_order(before, after, changes)

    assert [change.action for change in applied] == ["remove_step", "set_staff"]
    assert [edit.name for edit in changes[0].edits] == ["Check form", "Copy file"]
    assert replayed_models(before, after, changes) == models
    assert "Copy file" not in [step.name for step in models[1].steps]
    assert models[1].pool("Clerks").capacity == 2
    assert models[2] is after


def test_edited_after_model_is_not_replayed():
    before = parse_model(BEFORE)
    after = redesign.apply_move(
        redesign.start_after(before), "remove_step", "Copy file"
    )
    data = after.model_dump(mode="json", exclude_defaults=True)
    data["pools"][0]["capacity"] = 5
    edited = type(after).model_validate(data)

    changes = change_list(before, edited)

    assert replayed_models(before, edited, changes) is None
    assert [change.recorded for change in changes] == [True, False, False]
