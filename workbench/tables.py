"""Editable tables of a process model, and the steps table as CSV or XLSX.

The Build page shows a model as four tables (steps, routing, pools and arrival
streams) and turns the edited tables back into a :class:`ProcessModel`. A step is one
row: its name, lane, value class, three-point time (min, most likely, max in the
model's time unit), %C&A and next step. Decision branches and parallel splits are
rows of the routing table.

Fields that the tables do not show (patience, batching, shifts, arrival profiles) are
kept from the element of the same name in the model being edited.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from pydantic import ValidationError

from workbench.errors import ModelValidationError, Problem
from workbench.loading import _problem_from_pydantic
from workbench.model import ArrivalStream, Lane, Pool, ProcessModel, Step

# The table views and the steps table as a file are kept in their own modules and
# re-exported here.
from workbench.table_files import (
    MAX_TABLE_BYTES,
    STEP_COLUMNS,
    read_steps_table,
    steps_to_csv,
    steps_to_xlsx,
)
from workbench.table_renames import find_step_rename, rename_step_references
from workbench.table_views import (
    POOL_COLUMNS,
    ROUTING_COLUMNS,
    STREAM_COLUMNS,
    model_tables,
    pools_frame,
    routing_frame,
    steps_frame,
    streams_frame,
    three_point,
)

__all__ = [
    "MAX_TABLE_BYTES",
    "STEP_COLUMNS",
    "ROUTING_COLUMNS",
    "POOL_COLUMNS",
    "STREAM_COLUMNS",
    "model_tables",
    "steps_frame",
    "routing_frame",
    "pools_frame",
    "streams_frame",
    "model_from_tables",
    "blank_model",
    "steps_to_csv",
    "steps_to_xlsx",
    "read_steps_table",
    "find_step_rename",
    "rename_step_references",
]

_TEXT_STEP_FIELDS = ("kind", "lane", "value_class", "pool", "next", "end")
_TEXT_STEP_FIELDS += ("rework_to", "wait_for")


def model_from_tables(
    model: ProcessModel,
    steps: pd.DataFrame,
    routing: pd.DataFrame | None = None,
    pools: pd.DataFrame | None = None,
    streams: pd.DataFrame | None = None,
) -> ProcessModel:
    """Build a new model from ``model`` with the edited tables applied.

    Tables left as ``None`` keep that part of ``model``. Lanes are the lanes that the
    steps use, in the order of ``model.lanes`` and then of first use; a new lane is a
    department. A step renamed in its row (see :func:`find_step_rename`) keeps the
    fields that the tables do not show. This function leaves references to the old
    name as they are, and :func:`rename_step_references` renames them.

    Raises
    ------
    ModelValidationError
        With one problem per invalid row or field, named by the step, pool or stream
        name in the table.
    """
    routing = routing_frame(model) if routing is None else routing
    problems: list[Problem] = []
    step_data = _steps_data(model, steps, routing, problems)
    pool_data = _pools_data(model, pools) if pools is not None else None
    stream_data = _streams_data(model, streams) if streams is not None else None
    data = model.model_dump(mode="json", exclude_defaults=True)
    data["steps"] = step_data
    data["lanes"] = _lanes_data(model, step_data)
    if pool_data is not None:
        data["pools"] = pool_data
    if stream_data is not None:
        data["arrivals"] = stream_data
    return _validated(data, problems)


def _validated(data: dict, problems: list[Problem]) -> ProcessModel:
    try:
        built = ProcessModel.model_validate(data)
    except ValidationError as error:
        problems += [_problem_from_pydantic(item, data) for item in error.errors()]
        raise ModelValidationError(problems, source="tables") from None
    if problems:
        raise ModelValidationError(problems, source="tables")
    return built


def _steps_data(
    model: ProcessModel,
    steps: pd.DataFrame,
    routing: pd.DataFrame,
    problems: list[Problem],
) -> list[dict]:
    originals = {s.name: s for s in model.steps}
    rename = find_step_rename(steps_frame(model), steps)
    if rename is not None:
        originals[rename[1]] = originals.pop(rename[0])
    routes = _routes_by_step(routing, problems)
    result = []
    for number, row in enumerate(_records(steps), start=1):
        name = _text(row.get("name"))
        if not name:
            if any(_text(v) for v in row.values()):
                problems.append(
                    Problem(f"step row {number}", "name", "missing step name")
                )
            continue
        original = originals.get(name)
        result.append(_step_data(row, original, routes.pop(name, {}), problems))
    for name in routes:
        problems.append(
            Problem(
                f"routing of '{name}'",
                "step",
                "no step of that name in the steps table; add the step or "
                "delete its routing rows",
            )
        )
    return result


def _step_data(row: dict, original: Any, routes: dict, problems: list[Problem]) -> dict:
    name = _text(row["name"])
    data = original.model_dump(mode="json", exclude_defaults=True) if original else {}
    for field in ("next", "branches", "parallel", "end", "duration"):
        data.pop(field, None)
    data["name"] = name
    for field in _TEXT_STEP_FIELDS:
        value = _text(row.get(field))
        if value:
            data[field] = value
        else:
            data.pop(field, None)
    data["pca"] = _number(row.get("pca"), 100.0)
    data["touchpoint"] = _flag(row.get("touchpoint"))
    duration = _duration(row, original, name, problems)
    if duration is not None:
        data["duration"] = duration
    data.update(routes)
    return _without_defaults(data, Step)


def _duration(row: dict, original: Any, name: str, problems: list[Problem]) -> Any:
    cells = tuple(_number(row.get(c), math.nan) for c in _TIME_COLUMNS)
    if not all(isinstance(v, float) for v in cells):
        problems.append(
            Problem(
                f"step '{name}'",
                "time",
                "times must be numbers, received "
                f"{[row.get(c) for c in _TIME_COLUMNS]}",
            )
        )
        return None
    before = three_point(original.duration if original else None)
    if original is not None and _same_numbers(cells, before):
        duration = original.duration
        return None if duration is None else duration.model_dump(mode="json")
    low, likely, high = cells
    if all(math.isnan(v) for v in cells):
        return None
    if math.isnan(low) and math.isnan(high):
        return {"dist": "fixed", "value": likely}
    if math.isnan(likely):
        likely = (low + high) / 2.0 if not math.isnan(low + high) else math.nan
    if any(math.isnan(v) for v in (low, likely, high)):
        problems.append(
            Problem(
                f"step '{name}'",
                "time",
                "give the most likely time, or all three of min, most likely "
                f"and max; received min={low}, most likely={likely}, max={high}",
            )
        )
        return None
    if low == high:
        return {"dist": "fixed", "value": likely}
    return {"dist": "triangular", "min": low, "mode": likely, "max": high}


_TIME_COLUMNS = ("time_min", "time_likely", "time_max")


def _same_numbers(first: tuple, second: tuple) -> bool:
    return all(
        (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9)
        for a, b in zip(first, second, strict=True)
    )


def _routes_by_step(routing: pd.DataFrame, problems: list[Problem]) -> dict:
    routes: dict[str, dict] = {}
    for row in _records(routing):
        step, target = _text(row.get("step")), _text(row.get("to"))
        if not step and not target:
            continue
        kind = _text(row.get("route")) or "branch"
        entry = routes.setdefault(step, {})
        if kind == "parallel":
            block = entry.setdefault("parallel", {"branches": [], "join": ""})
            block["branches"].append(target)
            block["join"] = _text(row.get("join")) or block["join"]
        elif kind == "branch":
            branch = {"to": target, "probability": _number(row.get("probability"), 0)}
            label = _text(row.get("label"))
            if label:
                branch["label"] = label
            entry.setdefault("branches", []).append(branch)
        else:
            problems.append(
                Problem(
                    f"routing of '{step}'",
                    "route",
                    f"expected 'branch' or 'parallel', received {kind!r}",
                )
            )
    return routes


def _lanes_data(model: ProcessModel, step_data: list[dict]) -> list[dict]:
    used = [s["lane"] for s in step_data if s.get("lane")]
    known = {lane.name: lane for lane in model.lanes}
    names = [lane.name for lane in model.lanes if lane.name in used]
    names += [name for name in dict.fromkeys(used) if name not in names]
    lanes = [known.get(name) or Lane(name=name) for name in names]
    return [lane.model_dump(mode="json", exclude_defaults=True) for lane in lanes]


def _without_defaults(data: dict, element: type) -> dict:
    # Cells always hold a value, but a field written at its default counts as set
    # (validation warns about value_class on a decision, for one), so defaults are
    # left out as dump_model leaves them out.
    fields = element.model_fields
    return {
        key: value
        for key, value in data.items()
        if key not in fields
        or fields[key].is_required()
        or value != fields[key].get_default(call_default_factory=True)
    }


def _original_data(original: Pool | ArrivalStream | None) -> dict:
    """Return the fields of the element a table row edits, or {} for a new one."""
    if original is None:
        return {}
    return original.model_dump(mode="json", exclude_defaults=True)


def _pools_data(model: ProcessModel, pools: pd.DataFrame) -> list[dict]:
    originals = {p.name: p for p in model.pools}
    result = []
    for row in _records(pools):
        name = _text(row.get("name"))
        if not name:
            continue
        data = _original_data(originals.get(name))
        data["name"] = name
        data["capacity"] = _integer(row.get("capacity"), 1)
        data["cost_per_hour"] = _number(row.get("cost_per_hour"), 0.0)
        result.append(_without_defaults(data, Pool))
    return result


def _streams_data(model: ProcessModel, streams: pd.DataFrame) -> list[dict]:
    originals = {s.name: s for s in model.arrivals}
    result = []
    for row in _records(streams):
        name = _text(row.get("name"))
        if not name:
            continue
        data = _original_data(originals.get(name))
        data.update(name=name, start=_text(row.get("start")))
        data["channel"] = _text(row.get("channel")) or "in_person"
        for rate in ("rate_per_hour", "rate_per_day", "mean_interarrival"):
            value = _number(row.get(rate), None)
            data[rate] = value
        data["open_hours_only"] = _flag(row.get("open_hours_only"))
        data["priority"] = _integer(row.get("priority"), 0)
        data["backlog"] = _integer(row.get("backlog"), 0)
        result.append(_without_defaults(data, ArrivalStream))
    return result


def blank_model(name: str = "New process") -> ProcessModel:
    """Return the smallest valid model, a starting point for building from scratch.

    It has one lane ``Counter``, one pool ``Clerks`` of one member of staff, one
    stream of 4 cases per hour and one task ``Serve customer`` of 5 to 15 minutes.
    """
    return ProcessModel.model_validate(
        {
            "name": name,
            "time_unit": "minutes",
            "lanes": [{"name": "Counter"}],
            "pools": [{"name": "Clerks", "capacity": 1}],
            "arrivals": [
                {"name": "Walk-ins", "start": "Serve customer", "rate_per_hour": 4}
            ],
            "steps": [
                {
                    "name": "Serve customer",
                    "lane": "Counter",
                    "pool": "Clerks",
                    "value_class": "VA",
                    "duration": {"dist": "triangular", "min": 5, "mode": 8, "max": 15},
                    "end": "resolved",
                }
            ],
        }
    )


def _records(frame: pd.DataFrame) -> list[dict]:
    return frame.to_dict(orient="records")


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _number(value: Any, default: float) -> Any:
    # Text that is not a number passes through, so that pydantic reports it with
    # the element's name instead of it being replaced by the default.
    if _text(value) == "":
        return default
    try:
        return float(value)
    except (TypeError, ValueError):
        return _text(value)


def _integer(value: Any, default: int) -> Any:
    number = _number(value, default)
    if isinstance(number, float) and number.is_integer():
        return int(number)
    return number


def _flag(value: Any) -> Any:
    # pydantic reads yes/no, true/false, on/off and 1/0, and rejects other text.
    if isinstance(value, bool):
        return value
    return _text(value).lower() or False
