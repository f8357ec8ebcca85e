"""Tests of the editable tables: model to tables and back, and steps files."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from conftest import bundled_model_paths
from workshop_models import permit_model

from workbench import tables
from workbench.errors import ModelValidationError
from workbench.loading import load_model
from workbench.model import ProcessModel
from workbench.validation import find_problems


def test_tables_round_trip_unchanged():
    model = permit_model()

    frames = tables.model_tables(model)
    rebuilt = tables.model_from_tables(
        model, frames["steps"], frames["routing"], frames["pools"], frames["streams"]
    )

    assert rebuilt == model


@pytest.mark.parametrize(
    "path", bundled_model_paths(), ids=lambda p: f"{p.parent.name}/{p.stem}"
)
def test_bundled_model_round_trip(path):
    model = load_model(path)

    rebuilt = tables.model_from_tables(model, **tables.model_tables(model))

    assert rebuilt == model
    assert find_problems(rebuilt) == find_problems(model)


def test_steps_frame_shows_three_points():
    frame = tables.steps_frame(permit_model()).set_index("name")

    assert tuple(frame.loc["Take application", tables._TIME_COLUMNS]) == (5, 8, 15)
    assert tuple(frame.loc["Copy file", tables._TIME_COLUMNS]) == (4, 4, 4)
    assert tuple(frame.loc["Zoning check", tables._TIME_COLUMNS]) == (3, 5, 7)
    exponential = frame.loc["Wait for documents", tables._TIME_COLUMNS]
    assert math.isnan(exponential["time_min"])
    assert exponential["time_likely"] == 120


def test_unedited_exponential_time_kept():
    model = permit_model()

    rebuilt = tables.model_from_tables(model, tables.steps_frame(model))

    assert rebuilt.step("Wait for documents").duration.dist == "exponential"


def test_edited_times_become_triangular():
    model = permit_model()
    steps = tables.steps_frame(model)
    row = steps.index[steps["name"] == "Copy file"][0]
    steps.loc[row, tables._TIME_COLUMNS] = [2.0, 3.0, 6.0]

    rebuilt = tables.model_from_tables(model, steps)

    duration = rebuilt.step("Copy file").duration
    assert duration.dist == "triangular"
    assert (duration.min, duration.mode, duration.max) == (2, 3, 6)


def test_likely_time_alone_is_fixed():
    model = permit_model()
    steps = tables.steps_frame(model)
    row = steps.index[steps["name"] == "Wait for documents"][0]
    steps.loc[row, "time_likely"] = 60.0

    rebuilt = tables.model_from_tables(model, steps)

    duration = rebuilt.step("Wait for documents").duration
    assert duration.dist == "fixed"
    assert duration.value == 60


def test_new_step_row_and_lane_added():
    model = permit_model()
    steps = tables.steps_frame(model)
    issue = steps.index[steps["name"] == "Issue permit"][0]
    steps.loc[issue, ["next", "end"]] = ["Mail permit", ""]
    new_row = {
        "name": "Mail permit",
        "kind": "task",
        "lane": "Mail room",
        "value_class": "NVA",
        "time_min": 1.0,
        "time_likely": 2.0,
        "time_max": 4.0,
        "pca": 100,
        "end": "resolved",
    }
    steps = pd.concat([steps, pd.DataFrame([new_row])], ignore_index=True)

    rebuilt = tables.model_from_tables(model, steps)

    assert rebuilt.step("Issue permit").next == "Mail permit"
    assert rebuilt.step("Mail permit").end == "resolved"
    assert [lane.name for lane in rebuilt.lanes][-1] == "Mail room"


def test_patience_kept_for_same_name():
    data = permit_model().model_dump(mode="json", exclude_defaults=True)
    data["steps"][0]["patience"] = {"dist": "fixed", "value": 30}
    model = ProcessModel.model_validate(data)
    steps = tables.steps_frame(model)
    steps.loc[0, "pca"] = 95.0

    rebuilt = tables.model_from_tables(model, steps)

    assert rebuilt.step("Take application").patience.value == 30
    assert rebuilt.step("Take application").pca == 95


def test_routing_edit_changes_branches():
    model = permit_model()
    routing = tables.routing_frame(model)
    routing.loc[0, "probability"] = 0.6
    routing.loc[1, "probability"] = 0.4

    rebuilt = tables.model_from_tables(model, tables.steps_frame(model), routing)

    probabilities = [b.probability for b in rebuilt.step("Complete?").branches]
    assert probabilities == [0.6, 0.4]
    assert rebuilt.step("Review plans").parallel.join == "Issue permit"


def test_invalid_rows_named_by_step():
    model = permit_model()
    steps = tables.steps_frame(model)
    steps["pca"] = steps["pca"].astype(object)
    steps.loc[0, "value_class"] = "XYZ"
    steps.loc[1, "pca"] = "lots"
    steps.loc[2, "name"] = ""

    with pytest.raises(ModelValidationError) as caught:
        tables.model_from_tables(model, steps)

    text = str(caught.value)
    assert "step 'Take application'" in text
    assert "value_class" in text
    assert "step 'Copy file'" in text
    assert "'lots'" in text
    assert "step row 3" in text


def test_routing_for_missing_step_reported():
    model = permit_model()
    routing = tables.routing_frame(model)
    routing.loc[0, "step"] = "No such step"

    with pytest.raises(ModelValidationError, match="routing of 'No such step'"):
        tables.model_from_tables(model, tables.steps_frame(model), routing)


def test_two_routes_in_one_row_rejected():
    model = permit_model()
    steps = tables.steps_frame(model)
    steps.loc[0, "end"] = "resolved"

    with pytest.raises(ModelValidationError, match="exactly one of next"):
        tables.model_from_tables(model, steps)


def test_pools_and_streams_edited():
    model = permit_model()
    pools = tables.pools_frame(model)
    pools.loc[0, "capacity"] = 4
    streams = tables.streams_frame(model)
    streams.loc[0, ["rate_per_hour", "rate_per_day"]] = [math.nan, 20.0]

    rebuilt = tables.model_from_tables(
        model, tables.steps_frame(model), pools=pools, streams=streams
    )

    assert rebuilt.pool("Clerks").capacity == 4
    assert rebuilt.arrivals[0].rate_per_day == 20
    assert rebuilt.arrivals[0].rate_per_hour is None
    assert rebuilt.arrivals[0].hour_profile == model.arrivals[0].hour_profile


def test_blank_model_valid_and_editable():
    model = tables.blank_model()
    steps = tables.steps_frame(model)
    steps.loc[0, "name"] = "Answer call"
    streams = tables.streams_frame(model)
    streams.loc[0, "start"] = "Answer call"

    rebuilt = tables.model_from_tables(model, steps, streams=streams)

    assert [s.name for s in rebuilt.steps] == ["Answer call"]
    assert rebuilt.arrivals[0].start == "Answer call"


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_steps_file_round_trip(suffix):
    model = permit_model()
    steps = tables.steps_frame(model)
    writer = tables.steps_to_csv if suffix == "csv" else tables.steps_to_xlsx

    read = tables.read_steps_table(writer(steps), f"steps.{suffix}")
    rebuilt = tables.model_from_tables(model, read)

    assert rebuilt == model


def test_steps_file_partial_columns_filled():
    data = b"Name,Lane,time_likely,end\nServe customer,Counter,7,resolved\n"

    read = tables.read_steps_table(data, "steps.csv")

    assert list(read.columns) == list(tables.STEP_COLUMNS)
    rebuilt = tables.model_from_tables(tables.blank_model(), read)
    assert rebuilt.step("Serve customer").duration.value == 7


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"step,lane\nA,B\n", "steps.csv", "name is required"),
        (b"name,colour\nA,red\n", "steps.csv", "unknown columns \\['colour'\\]"),
        (b"PK\x03\x04 not a workbook", "steps.xlsx", "cannot read the file as XLSX"),
        (b"name\nA\n", "steps.txt", "expected a .csv or .xlsx file"),
        (b"x" * (tables.MAX_TABLE_BYTES + 1), "steps.csv", "more than the limit"),
    ],
)
def test_bad_steps_file_rejected(data, filename, message):
    with pytest.raises(ModelValidationError, match=message):
        tables.read_steps_table(data, filename)


def _renamed_names(model, changes):
    steps = tables.steps_frame(model)
    for position, name in changes.items():
        steps.loc[position, "name"] = name
    return steps


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({4: "Plan review"}, ("Review plans", "Plan review")),
        ({4: "  Plan review "}, ("Review plans", "Plan review")),
        ({4: "Plan review", 5: "Fire safety"}, None),
        ({4: ""}, None),
        ({4: "Copy file"}, None),
        ({}, None),
    ],
)
def test_step_rename_found(changes, expected):
    model = permit_model()

    found = tables.find_step_rename(
        tables.steps_frame(model), _renamed_names(model, changes)
    )

    assert found == expected


def test_added_row_not_rename():
    model = permit_model()
    steps = _renamed_names(model, {4: "Plan review"})
    steps.loc[len(steps)] = steps.iloc[0]
    steps.loc[len(steps) - 1, "name"] = "Archive"

    assert tables.find_step_rename(tables.steps_frame(model), steps) is None


def test_rename_updates_references():
    model = permit_model()
    frames = tables.model_tables(model)
    frames["steps"] = _renamed_names(model, {4: "Plan review"})

    renamed = tables.rename_step_references(frames, "Review plans", "Plan review")
    rebuilt = tables.model_from_tables(model, **renamed)

    assert rebuilt.step("Wait for documents").next == "Plan review"
    branches = [b.to for b in rebuilt.step("Complete?").branches]
    assert branches == ["Plan review", "Wait for documents"]
    assert rebuilt.step("Plan review").parallel == model.step("Review plans").parallel
    assert frames["steps"].loc[3, "next"] == "Review plans"


def test_rename_updates_stream_start():
    model = permit_model()
    frames = tables.model_tables(model)
    frames["steps"] = _renamed_names(model, {0: "Apply"})
    frames = tables.rename_step_references(frames, "Take application", "Apply")

    rebuilt = tables.model_from_tables(model, **frames)

    assert rebuilt.arrivals[0].start == "Apply"


def test_rename_updates_join():
    model = permit_model()
    frames = tables.model_tables(model)
    frames["steps"] = _renamed_names(model, {7: "Permit issued"})
    frames = tables.rename_step_references(frames, "Issue permit", "Permit issued")

    rebuilt = tables.model_from_tables(model, **frames)

    assert rebuilt.step("Review plans").parallel.join == "Permit issued"
    assert rebuilt.step("Fire check").next == "Permit issued"
    assert rebuilt.step("Zoning check").next == "Permit issued"


def test_renamed_step_keeps_hidden_fields():
    model = load_model(
        next(
            p
            for p in bundled_model_paths()
            if p.parent.name == "permit_intake" and p.stem == "before"
        )
    )
    old = "Review board decision"
    frames = tables.model_tables(model)
    position = frames["steps"].index[frames["steps"]["name"] == old][0]
    frames["steps"].loc[position, "name"] = "Board decision"
    frames = tables.rename_step_references(frames, old, "Board decision")

    rebuilt = tables.model_from_tables(model, **frames)

    assert model.step(old).batch is not None
    assert rebuilt.step("Board decision").batch == model.step(old).batch
    assert rebuilt.step("Route to review board").next == "Board decision"
