"""The JSON Schema of model files: committed copy, bundled models, field rules."""

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, bundled_model_paths

from workbench.loading import parse_model, read_yaml
from workbench.schema import JSON_SCHEMA_DIALECT, model_json_schema, schema_text
from workbench.validation import validate

# jsonschema is not a dependency of the workbench, so these tests need it installed.
jsonschema = pytest.importorskip("jsonschema")

HERE = Path(__file__).resolve().parent
COMMITTED = REPO / "docs" / "model.schema.json"


def yaml_as_json(path: Path):
    """Return a model file's data as JSON data: YAML dates become ISO strings."""

    def encode(value):
        if isinstance(value, dt.date):
            return value.isoformat()
        raise TypeError(f"cannot encode {value!r}")

    return json.loads(json.dumps(read_yaml(path.read_bytes()), default=encode))


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(COMMITTED.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.FormatChecker()
    )


def test_committed_schema_is_current():
    committed = COMMITTED.read_text(encoding="utf-8")

    assert committed == schema_text(), (
        "docs/model.schema.json is out of date; regenerate it with "
        "python -m workbench.schema > docs/model.schema.json"
    )


def test_module_prints_schema():
    result = subprocess.run(
        [sys.executable, "-m", "workbench.schema"],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )

    assert result.stdout == schema_text()


def test_schema_is_valid_draft_2020_12():
    schema = model_json_schema()

    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == JSON_SCHEMA_DIALECT


def test_schema_top_level_structure():
    schema = model_json_schema()

    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"name", "lanes", "arrivals", "steps"}
    assert schema["properties"]["time_unit"]["enum"] == [
        "seconds",
        "minutes",
        "hours",
        "days",
    ]
    assert {"Step", "Pool", "ArrivalStream", "Calendar"} <= set(schema["$defs"])


@pytest.mark.parametrize(
    "path",
    [*bundled_model_paths(), HERE / "valid_models" / "licence_desk.yaml"],
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_model_file_matches_schema(validator, path):
    errors = list(validator.iter_errors(yaml_as_json(path)))

    assert errors == [], [error.message for error in errors]


# Broken models whose fault is a single field, which the schema also rejects.
FIELD_FAULTS = [
    "negative_duration",
    "two_steps_with_bad_fields",
    "misspelt_field",
    "unknown_distribution",
    "capacity_not_a_number",
]


@pytest.mark.parametrize("name", FIELD_FAULTS)
def test_field_fault_breaks_schema(validator, name):
    data = yaml_as_json(HERE / "broken_models" / f"{name}.yaml")

    assert not validator.is_valid(data)


def format_guide_example() -> str:
    """Return the YAML block under "Full example" in docs/model-format.md."""
    guide = (REPO / "docs" / "model-format.md").read_text(encoding="utf-8")
    section = guide.split("## Full example", 1)[1]
    return section.split("```yaml\n", 1)[1].split("```", 1)[0]


def test_format_guide_example_validates(validator):
    text = format_guide_example()
    model = parse_model(text)

    warnings = validate(model)

    assert warnings == []
    assert validator.is_valid(json.loads(json.dumps(read_yaml(text), default=str)))
    assert text.startswith("# yaml-language-server: $schema=")


def test_format_guide_lists_every_field():
    guide = (REPO / "docs" / "model-format.md").read_text(encoding="utf-8")
    schema = model_json_schema()
    definitions = [schema, *schema["$defs"].values()]

    for definition in definitions:
        for field in definition.get("properties", {}):
            assert f"`{field}`" in guide, f"{definition['title']}.{field}"
