"""Apply the changes of a redesign to the before model, one at a time.

The savings attribution needs the model after each change. A change applied alone
can leave a reference dangling, such as a removed step that another step still
routes to. Each intermediate model therefore also takes from the after-model the
routing, pool or lane fields that keep its references whole and every step
reachable. That pulls part of a later change into an earlier one, so the order of
the changes matters.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from pydantic import ValidationError

from workbench.model import ProcessModel
from workbench.report.changes import (
    Edit,
    ReportChange,
    in_time_unit,
    model_data,
    replay_recorded,
)

__all__ = ["apply_edits", "apply_in_order", "replayed_models"]

logger = logging.getLogger(__name__)

#: Step fields that route a case onward, taken together when a reference breaks.
_ROUTING_FIELDS = ("next", "branches", "parallel", "end", "rework_to")


def apply_edits(
    before: ProcessModel, after: ProcessModel, edits: Iterable[Edit]
) -> ProcessModel:
    """Apply ``edits`` to ``before``, taking each element's version from ``after``.

    Elements needed to keep the result's references whole are taken from ``after``
    too (see the module docstring), so the result may contain more of ``after`` than
    ``edits`` names. Durations are in the time unit of ``after``.

    Returns
    -------
    ProcessModel
        A model with the name and description of ``after`` and no recorded changes.
    """
    data = model_data(in_time_unit(before, after.time_unit))
    target = model_data(after)
    for edit in edits:
        _take_from(data, target, edit.section, edit.name)
    _close_references(data, target)
    data["name"], data["changes"] = after.name, []
    data["description"] = after.description
    return ProcessModel.model_validate(data)


def apply_in_order(
    before: ProcessModel, after: ProcessModel, changes: list[ReportChange]
) -> tuple[list[ReportChange], list[ProcessModel]]:
    """Apply ``changes`` one at a time and return the changes and the models.

    Recorded moves that replay to the after-model give the intermediate models
    directly (see :func:`replayed_models`). Otherwise the edits of each change are
    applied with :func:`apply_edits`. A change whose intermediate model breaks a
    rule of :func:`workbench.validation.find_problems`, such as a parallel branch
    that can no longer reach its join, is then merged with the next change, and
    their labels are joined with " + ".

    Returns
    -------
    changes : list of ReportChange
        The changes as applied, merged where needed.
    models : list of ProcessModel
        ``before``, then the model after each change of ``changes``; the last is
        ``after`` itself, because the changes together account for every
        difference. With no change, only ``before``.
    """
    replayed = replayed_models(before, after, changes)
    if replayed is not None:
        return list(changes), replayed
    models, applied_changes = [before], []
    pending: list[ReportChange] = []
    applied: list[Edit] = []
    for index, change in enumerate(changes):
        pending.append(change)
        applied += change.edits
        model = (
            after if index == len(changes) - 1 else _valid_model(before, after, applied)
        )
        if model is not None:
            models.append(model)
            applied_changes.append(_merged(pending))
            pending = []
    return applied_changes, models


def replayed_models(
    before: ProcessModel, after: ProcessModel, changes: list[ReportChange]
) -> list[ProcessModel] | None:
    """Return the models after each change by replaying the recorded moves.

    This works when ``changes`` are exactly the after-model's recorded changes and
    they replay to it (see :func:`workbench.report.changes.replay_recorded`). The
    intermediate models are then exactly those the moves made. Otherwise this
    returns None.
    """
    if len(changes) != len(after.changes) or not all(c.recorded for c in changes):
        return None
    return replay_recorded(before, after)


def _valid_model(before, after, edits: list[Edit]) -> ProcessModel | None:
    from workbench.validation import find_problems

    try:
        model = apply_edits(before, after, edits)
    except ValidationError as error:
        logger.info("an intermediate model breaks a field rule: %s", error)
        return None
    errors = [p for p in find_problems(model) if p.severity == "error"]
    if errors:
        logger.info("an intermediate model is invalid: %s", errors[0])
        return None
    return model


def _merged(changes: list[ReportChange]) -> ReportChange:
    if len(changes) == 1:
        return changes[0]
    return ReportChange(
        label=" + ".join(change.label for change in changes),
        action=" + ".join(dict.fromkeys(change.action for change in changes)),
        edits=tuple(edit for change in changes for edit in change.edits),
        recorded=all(change.recorded for change in changes),
    )


def _take_from(data: dict, target: dict, section: str, name: str) -> None:
    """Make element ``name`` of ``data`` equal to its version in ``target``."""
    if section == "calendar":
        data["calendar"] = target.get("calendar")
        if data["calendar"] is None:
            data.pop("calendar")
        return
    items = data[section]
    wanted = _find(target[section], name)
    index = next((i for i, item in enumerate(items) if item["name"] == name), None)
    if wanted is None and index is not None:
        del items[index]
    elif wanted is not None and index is None:
        items.append(wanted)
    elif wanted is not None:
        items[index] = wanted


def _find(items: list[dict], name: str) -> dict | None:
    return next((item for item in items if item["name"] == name), None)


def _close_references(data: dict, target: dict) -> None:
    # Each pass makes at least one element or field equal to its after-version, and
    # it never changes again, so the loop ends at the latest at ``target``.
    while True:
        pull = _next_pull(data, target)
        if pull is None:
            return
        section, name, fields = pull
        if fields is None:
            _take_from(data, target, section, name)
        else:
            _take_fields(
                _find(data[section], name), _find(target[section], name), fields
            )


def _take_fields(item: dict, wanted: dict, fields: tuple[str, ...]) -> None:
    for key in fields:
        if key in wanted:
            item[key] = wanted[key]
        else:
            item.pop(key, None)


def _next_pull(data: dict, target: dict) -> tuple | None:
    """Return ``(section, name, fields)`` to take from ``target`` next, or None.

    ``fields`` is None to take the whole element, which also adds or removes it.
    """
    for section, item, missing, fields in _dangling(data):
        return _fix_for(data, target, section, item["name"], fields) or (
            _section_of(missing, target),
            missing,
            None,
        )
    for name in _unreachable_steps(data):
        if _find(target["steps"], name) is None:
            return "steps", name, None
        pull = _predecessor_to_pull(data, target, name)
        if pull is not None:
            return pull
    return None


def _fix_for(data: dict, target: dict, section: str, name: str, fields) -> tuple | None:
    """Return the pull that makes ``fields`` of element ``name`` as in ``target``."""
    wanted = _find(target[section], name)
    if wanted is None:
        return section, name, None
    current = _find(data[section], name)
    if current is None:
        return section, name, None
    if any(current.get(key) != wanted.get(key) for key in fields):
        return section, name, fields
    return None


def _predecessor_to_pull(data: dict, target: dict, name: str) -> tuple | None:
    """Return the routing of ``target`` that leads to step ``name`` if it differs."""
    for stream in target["arrivals"]:
        if stream["start"] == name:
            pull = _fix_for(data, target, "arrivals", stream["name"], ("start",))
            if pull is not None:
                return pull
    for step in target["steps"]:
        if name not in _step_targets(step):
            continue
        if _find(data["steps"], step["name"]) is None:
            return "steps", step["name"], None
        pull = _fix_for(data, target, "steps", step["name"], _ROUTING_FIELDS)
        if pull is not None:
            return pull
    return None


def _section_of(name: str, target: dict) -> str:
    for section in ("steps", "pools", "lanes"):
        if _find(target[section], name) is not None:
            return section
    raise KeyError(name)


def _dangling(data: dict):
    """Yield ``(section, element, missing name, fields)`` per broken reference."""
    steps = {item["name"] for item in data["steps"]}
    pools = {item["name"] for item in data["pools"]}
    lanes = {item["name"] for item in data["lanes"]}
    for stream in data["arrivals"]:
        if stream["start"] not in steps:
            yield "arrivals", stream, stream["start"], ("start",)
    for step in data["steps"]:
        for name in _step_targets(step):
            if name not in steps:
                yield "steps", step, name, _ROUTING_FIELDS
        if step.get("pool") and step["pool"] not in pools:
            yield "steps", step, step["pool"], ("pool",)
        if step.get("lane") and step["lane"] not in lanes:
            yield "steps", step, step["lane"], ("lane",)


def _step_targets(step: dict) -> list[str]:
    names = [step[key] for key in ("next", "rework_to") if step.get(key)]
    names += [branch["to"] for branch in step.get("branches") or []]
    parallel = step.get("parallel")
    if parallel:
        names += [*parallel["branches"], parallel["join"]]
    return names


def _unreachable_steps(data: dict) -> list[str]:
    by_name = {step["name"]: step for step in data["steps"]}
    seen: set[str] = set()
    stack = [stream["start"] for stream in data["arrivals"]]
    while stack:
        name = stack.pop()
        if name in seen or name not in by_name:
            continue
        seen.add(name)
        stack += _step_targets(by_name[name])
    return [name for name in by_name if name not in seen]
