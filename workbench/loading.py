"""Read and write model files safely.

Model files are YAML read with ruamel.yaml's safe loader: custom tags are rejected,
and so are anchors and aliases, which model files never need and which alias bombs
abuse. Files over :data:`MAX_MODEL_BYTES` are rejected before parsing.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.events import AliasEvent

from workbench.errors import ModelFileError, ModelValidationError, Problem
from workbench.model import ProcessModel

__all__ = [
    "MAX_MODEL_BYTES",
    "MAX_FLOW_NESTING",
    "load_model",
    "parse_model",
    "read_yaml",
    "model_from_data",
    "dump_model",
    "save_model",
]

#: Largest model file accepted, in bytes. Hand-written models are a few kilobytes.
MAX_MODEL_BYTES = 2_000_000

#: Deepest nesting of flow brackets (``[`` and ``{``) accepted in a model file.
#: A model written wholly in flow style needs five, for a batch's ``meets``.
MAX_FLOW_NESTING = 50
# A flow bracket, or a comment (which may contain brackets) to skip.
_FLOW_TOKEN = re.compile(r"[\[\]{}]|(?:^|(?<=\s))#[^\n]*", re.MULTILINE)

_SECTION_ELEMENT = {
    "lanes": "lane",
    "pools": "pool",
    "arrivals": "arrival stream",
    "steps": "step",
    "changes": "change",
}


def read_yaml(text: str | bytes, source: str = "model") -> Any:
    """Parse YAML text into plain data, rejecting unsafe or oversized input.

    Raises
    ------
    ModelFileError
        If the text is too large, is not UTF-8, uses anchors or aliases, has a
        custom tag, is nested too deeply, has an invalid value such as the date
        2026-02-30, or is not valid YAML.
    """
    _check_size(len(text.encode("utf-8") if isinstance(text, str) else text), source)
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ModelFileError(
                f"the file is not UTF-8 text ({error.reason} at byte {error.start})",
                source=source,
            ) from None
    _check_flow_nesting(text, source)
    yaml = YAML(typ="safe", pure=True)
    try:
        for event in yaml.parse(io.StringIO(text)):
            if isinstance(event, AliasEvent):
                raise ModelFileError(
                    "YAML anchors and aliases (&name, *name) are not allowed in "
                    "model files; write each value out in full",
                    source=source,
                )
        return yaml.load(text)
    except YAMLError as error:
        raise ModelFileError(
            f"invalid YAML: {_first_line(error)}", source=source
        ) from None
    except RecursionError:
        raise ModelFileError("the YAML is nested too deeply", source=source) from None
    except ModelFileError:
        raise
    except (ValueError, TypeError) as error:
        # The safe constructor raises these for values such as 2026-02-30.
        raise ModelFileError(
            f"invalid YAML value: {error}; check dates (YYYY-MM-DD) and times",
            source=source,
        ) from None


def _check_size(size: int, source: str) -> None:
    """Reject a file of ``size`` bytes above :data:`MAX_MODEL_BYTES`."""
    if size > MAX_MODEL_BYTES:
        raise ModelFileError(
            f"the file is {size:,} bytes, more than the limit of "
            f"{MAX_MODEL_BYTES:,}; a model file is normally a few kilobytes",
            source=source,
        )


def _check_flow_nesting(text: str, source: str) -> None:
    """Reject flow brackets nested deeper than :data:`MAX_FLOW_NESTING`.

    The time that ruamel.yaml's pure-Python parser takes grows faster than linearly
    with the depth of ``[`` and ``{`` nesting (seconds for 1,000 levels with
    ruamel.yaml 0.19), so deep nesting is rejected before parsing. Brackets in
    comments are skipped. Brackets inside quoted strings are counted too, which can
    only overstate the depth.
    """
    depth = 0
    for match in _FLOW_TOKEN.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_FLOW_NESTING:
                raise ModelFileError(
                    f"the YAML is nested too deeply: more than {MAX_FLOW_NESTING} "
                    f"levels of [ ] or {{ }} at character {match.start()}; a model "
                    "file needs only a few levels",
                    source=source,
                )
        elif token in "]}":
            depth = max(0, depth - 1)


def _first_line(error: Exception) -> str:
    # ruamel.yaml appends advice on turning its duplicate-key check off.
    text = str(error).split("To suppress this check", 1)[0]
    return " ".join(text.split())


def model_from_data(data: Any, source: str = "model") -> ProcessModel:
    """Build a :class:`ProcessModel` from parsed data, checking each field.

    Only field rules are checked here; use :func:`workbench.validation.validate`
    for the rules across elements.

    Raises
    ------
    ModelValidationError
        With one problem per invalid field, named by the user's element names.
    """
    if not isinstance(data, dict):
        kind = "empty" if data is None else type(data).__name__
        raise ModelValidationError(
            f"a model file must be a YAML mapping with name, lanes, arrivals and "
            f"steps, received {kind}",
            source=source,
        )
    try:
        return ProcessModel.model_validate(data)
    except ValidationError as error:
        problems = [_problem_from_pydantic(item, data) for item in error.errors()]
        raise ModelValidationError(problems, source=source) from None


def _problem_from_pydantic(item: dict, data: dict) -> Problem:
    loc = list(item["loc"])
    where = "model"
    if len(loc) >= 2 and loc[0] in _SECTION_ELEMENT and isinstance(loc[1], int):
        section, index = loc[0], loc[1]
        element = _SECTION_ELEMENT[section]
        entries = data.get(section)
        name = None
        if isinstance(entries, list) and index < len(entries):
            entry = entries[index]
            name = (
                entry.get("name") or entry.get("label")
                if isinstance(entry, dict)
                else None
            )
        where = f"{element} '{name}'" if name else f"{element} number {index + 1}"
        loc = loc[2:]
    # Discriminated unions add the tag (such as 'triangular') to the location.
    field = ".".join(str(part) for part in loc if not _is_union_tag(part))
    message = item["msg"].removeprefix("Value error, ")
    if item["type"] not in ("missing", "extra_forbidden") and "input" in item:
        received = item["input"]
        if not isinstance(received, dict | list):
            message += f" (received {received!r})"
    if item["type"] == "extra_forbidden":
        message = "unknown field; check its spelling in docs/model-format.md"
    elif item["type"] == "missing":
        message = "this required field is missing; add it"
    elif item["type"] in ("union_tag_not_found", "model_attributes_type") and (
        field.endswith(("duration", "patience"))
    ):
        message = (
            f"a duration is a mapping with dist and its parameters, such as "
            f"{{dist: fixed, value: 5}}{_received(item)}; dist is one of "
            + ", ".join(_DISTRIBUTION_TAGS)
        )
    return Problem(where=where, field=field, message=message)


def _received(item: dict) -> str:
    received = item.get("input")
    if isinstance(received, dict | list) or received is None:
        return ""
    return f", received {received!r}"


_DISTRIBUTION_TAGS = (
    "fixed",
    "uniform",
    "triangular",
    "exponential",
    "normal",
    "lognormal",
    "empirical",
)


def _is_union_tag(part: object) -> bool:
    return part in _DISTRIBUTION_TAGS


def parse_model(text: str | bytes, source: str = "model") -> ProcessModel:
    """Parse the text of a model file into a field-checked model.

    See :func:`read_yaml` and :func:`model_from_data` for what is raised.
    """
    return model_from_data(read_yaml(text, source), source)


def load_model(path: str | Path) -> ProcessModel:
    """Load and field-check the model file at ``path``.

    Raises
    ------
    ModelFileError
        If the file is missing, unreadable, unsafe, oversized or not YAML.
    ModelValidationError
        If a field breaks its rule.
    """
    path = Path(path)
    try:
        _check_size(path.stat().st_size, str(path))
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ModelFileError(
            "file not found; check the path", source=str(path)
        ) from None
    except IsADirectoryError:
        raise ModelFileError(
            "this is a folder, not a model file", source=str(path)
        ) from None
    except OSError as error:
        raise ModelFileError(
            f"cannot read the file: {error.strerror}", source=str(path)
        ) from None
    return parse_model(raw, str(path))


def dump_model(model: ProcessModel) -> str:
    """Return the YAML text of ``model``, leaving out fields at their defaults."""
    data = model.model_dump(mode="json", exclude_defaults=True)
    yaml = YAML()
    yaml.default_flow_style = None
    yaml.width = 88
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


def save_model(model: ProcessModel, path: str | Path) -> None:
    """Write ``model`` to ``path`` as YAML, replacing the file only once written."""
    path = Path(path)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(dump_model(model), encoding="utf-8")
    temporary.replace(path)
