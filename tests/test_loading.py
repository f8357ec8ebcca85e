"""Reading model files: safe YAML, field checks and round trips."""

import pytest

from workbench.errors import ModelFileError, ModelValidationError
from workbench.loading import MAX_MODEL_BYTES, dump_model, load_model, parse_model

TINY = """
name: Tiny counter
lanes: [{name: Counter}]
pools: [{name: Clerks, capacity: 2}]
arrivals: [{name: Walk-in, rate_per_hour: 5, start: Serve}]
steps:
  - name: Serve
    lane: Counter
    pool: Clerks
    duration: {dist: triangular, min: 2, mode: 4, max: 9}
    end: resolved
"""


def test_parse_tiny_model():
    model = parse_model(TINY)

    assert model.name == "Tiny counter"
    assert model.time_unit == "minutes"
    assert model.step("Serve").duration.mode == 4


def test_dump_round_trip():
    model = parse_model(TINY)

    assert parse_model(dump_model(model)) == model


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a: &x [1]\nb: *x\n", "anchors and aliases"),
        ("a: !!python/object/apply:os.system ['true']\n", "invalid YAML"),
        ("steps: [1, 2\n", "invalid YAML"),
    ],
)
def test_unsafe_or_broken_yaml_rejected(text, expected):
    with pytest.raises(ModelFileError, match=expected):
        parse_model(text)


def test_oversized_file_rejected(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_text("#" * (MAX_MODEL_BYTES + 10))

    with pytest.raises(ModelFileError, match="more than the limit"):
        load_model(path)


def test_missing_file_named(tmp_path):
    with pytest.raises(ModelFileError, match="file not found"):
        load_model(tmp_path / "absent.yaml")


def test_field_problems_name_the_step():
    text = TINY.replace("min: 2, mode: 4", "min: 5, mode: 4")

    with pytest.raises(ModelValidationError) as caught:
        parse_model(text)

    problem = caught.value.problems[0]
    assert problem.where == "step 'Serve'"
    assert problem.field == "duration"
    assert "min <= mode <= max" in problem.message
