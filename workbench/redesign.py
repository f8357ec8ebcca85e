"""LEAN redesign moves applied to a scenario and recorded in its change list.

Each move returns a new :class:`ProcessModel` whose ``changes`` end with one
:class:`Change` that names the move (``action``), the element it acts on (``target``)
and its arguments (``details``). Replaying the recorded changes on the before-scenario
rebuilds the after-scenario, which is how :func:`undo_change` removes one change from
the middle of the list.

Actions: ``remove_step``, ``merge_steps``, ``set_value_class``, ``set_duration``,
``set_pca``, ``move_lane``, ``set_staff``, ``set_route`` and ``set_probability``.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import ValidationError

from workbench.duration_sums import summed_duration
from workbench.errors import Problem, RedesignError
from workbench.loading import _problem_from_pydantic
from workbench.model import Change, ProcessModel

__all__ = [
    "ACTIONS",
    "apply_move",
    "apply_change",
    "replay_changes",
    "undo_change",
    "start_after",
    "describe_move",
]

_VALUE_RANK = {"NVA": 0, "BVA": 1, "VA": 2}


def start_after(before: ProcessModel, name: str | None = None) -> ProcessModel:
    """Return a copy of ``before`` with no recorded changes, to redesign as the after.

    ``name`` defaults to the before's name with a trailing ``(before)`` replaced by
    ``(after)``, or followed by ``(after)``.
    """
    base = before.name.removesuffix("(before)").rstrip()
    update = {"name": name or f"{base} (after)", "changes": []}
    return before.model_copy(update=update)


def apply_move(
    model: ProcessModel,
    action: str,
    target: str,
    label: str = "",
    **details: object,
) -> ProcessModel:
    """Apply one redesign move to ``model`` and record it as the last change.

    Parameters
    ----------
    model : ProcessModel
        The scenario to change; it is left as it is.
    action : str
        One of :data:`ACTIONS`.
    target : str
        The step (or, for ``set_staff``, the pool) that the move acts on.
    label : str, default ""
        The change's label in the change list; a description is made when empty.
    **details
        The move's arguments, such as ``capacity=3`` for ``set_staff``; see each
        action in :data:`ACTIONS`.

    Raises
    ------
    RedesignError
        If the action is unknown, the target does not exist, or the move would leave
        an invalid model. The message names the step or pool and what to change.
    """
    change = Change(
        label=label or describe_move(action, target, details),
        action=action,
        target=target,
        details=dict(details),
    )
    return apply_change(model, change)


def apply_change(model: ProcessModel, change: Change) -> ProcessModel:
    """Apply a recorded ``change`` to ``model`` and append it to ``model.changes``.

    Raises
    ------
    RedesignError
        As :func:`apply_move`.
    """
    if change.action not in ACTIONS:
        raise RedesignError(
            f"unknown redesign action {change.action!r}; expected one of "
            f"{', '.join(ACTIONS)}",
            source=f"change '{change.label}'",
        )
    data = model.model_dump(mode="json", exclude_defaults=True)
    try:
        ACTIONS[change.action](data, change.target, **change.details)
    except TypeError as error:
        raise RedesignError(
            f"invalid arguments {sorted(change.details)} for {change.action}: {error}",
            source=f"change '{change.label}'",
        ) from None
    except ValidationError as error:
        raise RedesignError(
            f"invalid duration: {error.errors()[0]['msg']}",
            source=f"change '{change.label}'",
        ) from None
    data["changes"] = [*data.get("changes", []), change.model_dump(mode="json")]
    return _validated(data, change)


def replay_changes(before: ProcessModel, changes: list[Change]) -> ProcessModel:
    """Apply ``changes`` in order to a fresh copy of ``before``.

    Raises
    ------
    RedesignError
        If a change no longer applies, such as a move on a step that an earlier
        change removed.
    """
    model = start_after(before)
    for change in changes:
        model = apply_change(model, change)
    return model


def undo_change(before: ProcessModel, after: ProcessModel, index: int) -> ProcessModel:
    """Return ``after`` rebuilt from ``before`` without its change number ``index``.

    The after's name is kept. The other changes are replayed in order.

    Raises
    ------
    IndexError
        If ``index`` is not a position in ``after.changes``.
    RedesignError
        If a later change depends on the undone one, such as a move on a step that
        the undone change merged. Undo that later change first.
    """
    remaining = list(after.changes)
    del remaining[index]
    rebuilt = replay_changes(before, remaining)
    return rebuilt.model_copy(update={"name": after.name})


def describe_move(action: str, target: str, details: dict) -> str:
    """Return a short label for a move, such as ``Remove step 'Copy file'``."""
    describe = _DESCRIPTIONS.get(action)
    return describe(target, details) if describe else f"{action} '{target}'"


def _validated(data: dict, change: Change) -> ProcessModel:
    try:
        return ProcessModel.model_validate(data)
    except ValidationError as error:
        problems = [_problem_from_pydantic(item, data) for item in error.errors()]
        raise RedesignError(problems, source=f"change '{change.label}'") from None


def _fail(target: str, message: str, element: str = "step") -> RedesignError:
    return RedesignError([Problem(f"{element} '{target}'", "", message)])


def _step(data: dict, name: str) -> dict:
    for step in data["steps"]:
        if step["name"] == name:
            return step
    names = ", ".join(s["name"] for s in data["steps"])
    raise _fail(name, f"step not found; the steps are {names}")


def _pool(data: dict, name: str) -> dict:
    for pool in data.get("pools", []):
        if pool["name"] == name:
            return pool
    names = ", ".join(p["name"] for p in data.get("pools", [])) or "none"
    raise _fail(name, f"pool not found; the pools are {names}", "pool")


def _routes_into(data: dict, name: str) -> list[str]:
    """Return how other elements reach step ``name``, such as ``step 'A' (next)``."""
    found = []
    for step in data["steps"]:
        if step.get("next") == name:
            found.append(f"step '{step['name']}' (next)")
        for branch in step.get("branches") or []:
            if branch["to"] == name:
                found.append(f"step '{step['name']}' (branch)")
        parallel = step.get("parallel")
        if parallel and (name in parallel["branches"] or parallel["join"] == name):
            found.append(f"step '{step['name']}' (parallel)")
    return found


def _redirect(data: dict, old: str, new: str) -> None:
    """Point every route, rework target and stream start at ``old`` to ``new``."""
    for step in data["steps"]:
        if step.get("next") == old:
            step["next"] = new
        if step.get("rework_to") == old:
            step["rework_to"] = new
        for branch in step.get("branches") or []:
            if branch["to"] == old:
                branch["to"] = new
    for stream in data["arrivals"]:
        if stream["start"] == old:
            stream["start"] = new


def remove_step(data: dict, target: str) -> None:
    """Remove a task or wait step; what led to it now leads to its next step.

    A step that ends the case passes its end state to the steps whose ``next`` it
    was. A decision, a parallel split and a step inside a parallel block cannot be
    removed this way.
    """
    step = _step(data, target)
    if step.get("kind") == "decision" or step.get("parallel") or step.get("branches"):
        raise _fail(
            target,
            "a decision or parallel split cannot be removed alone; change the routes "
            "that lead to it instead",
        )
    inside = [r for r in _routes_into(data, target) if r.endswith("(parallel)")]
    if inside:
        raise _fail(
            target,
            f"the step is part of a parallel block of {inside[0]}; "
            "change the parallel split first",
        )
    if step.get("next"):
        _redirect(data, target, step["next"])
    else:
        _remove_end_step(data, step)
    data["steps"] = [s for s in data["steps"] if s["name"] != target]
    _clear_self_rework(data)


def _remove_end_step(data: dict, step: dict) -> None:
    target = step["name"]
    blocking = [r for r in _routes_into(data, target) if not r.endswith("(next)")]
    starts = [a["name"] for a in data["arrivals"] if a["start"] == target]
    if blocking or starts:
        reached_by = blocking + [f"stream '{s}'" for s in starts]
        raise _fail(
            target,
            f"the step ends the case and is reached by {', '.join(reached_by)}; "
            "change those routes first",
        )
    for other in data["steps"]:
        if other.get("next") == target:
            del other["next"]
            other["end"] = step["end"]
        if other.get("rework_to") == target:
            del other["rework_to"]


def _clear_self_rework(data: dict) -> None:
    # rework_to the step itself is the default, so it is not written out.
    for step in data["steps"]:
        if step.get("rework_to") == step["name"]:
            del step["rework_to"]


def merge_steps(data: dict, target: str, other: str, name: str = "") -> None:
    """Merge step ``other`` into ``target``, the step just before it.

    ``target`` must route to ``other`` by ``next``. The merged step keeps the lane,
    pool and name of ``target`` (or ``name`` when given) and the routing of
    ``other``. It takes the higher value class, is a touchpoint if either step is
    one, has the product of both %C&A (rolled %C&A), and a duration whose mean is
    the sum of both means.
    """
    first, second = _step(data, target), _step(data, other)
    if first.get("next") != other:
        raise _fail(
            target,
            f"only a step and the step it leads to by 'next' can merge; "
            f"'{target}' does not lead to '{other}'",
        )
    if second.get("kind") == "decision":
        raise _fail(other, "a decision cannot merge into a step")
    merged_name = name or target
    _combine_into(first, second)
    data["steps"] = [s for s in data["steps"] if s["name"] != other]
    _redirect(data, other, merged_name)
    if merged_name != target:
        _redirect(data, target, merged_name)
        first["name"] = merged_name
    _clear_self_rework(data)


def _combine_into(first: dict, second: dict) -> None:
    for field in ("next", "branches", "parallel", "end"):
        first.pop(field, None)
        if field in second:
            first[field] = second[field]
    first["pca"] = round(first.get("pca", 100.0) * second.get("pca", 100.0) / 100, 6)
    ranks = [first.get("value_class", "NVA"), second.get("value_class", "NVA")]
    first["value_class"] = max(ranks, key=_VALUE_RANK.__getitem__)
    if second.get("touchpoint"):
        first["touchpoint"] = True
    duration = summed_duration(first.get("duration"), second.get("duration"))
    if duration is not None:
        first["duration"] = duration
    first.pop("rework_to", None)


def set_value_class(data: dict, target: str, value_class: str) -> None:
    """Set the value class (VA, BVA or NVA) of step ``target``."""
    _step(data, target)["value_class"] = value_class


def set_duration(data: dict, target: str, duration: dict) -> None:
    """Set the duration of step ``target``, given as a distribution mapping."""
    _step(data, target)["duration"] = dict(duration)


def set_pca(data: dict, target: str, pca: float) -> None:
    """Set the %C&A (above 0, at most 100) of step ``target``."""
    _step(data, target)["pca"] = pca


def move_lane(data: dict, target: str, lane: str) -> None:
    """Move step ``target`` to ``lane``, adding the lane as a department if new."""
    _step(data, target)["lane"] = lane
    if lane not in {item["name"] for item in data["lanes"]}:
        data["lanes"].append({"name": lane})


def set_staff(data: dict, target: str, capacity: int) -> None:
    """Set the staff on duty in pool ``target`` to ``capacity``."""
    _pool(data, target)["capacity"] = capacity


def set_route(data: dict, target: str, to: str = "", end: str = "") -> None:
    """Route step ``target`` to step ``to`` by ``next``, or end it with ``end``."""
    step = _step(data, target)
    if to:
        _step(data, to)
    for field in ("next", "branches", "parallel", "end"):
        step.pop(field, None)
    if to:
        step["next"] = to
    else:
        step["end"] = end or "resolved"


def set_probability(data: dict, target: str, to: str, probability: float) -> None:
    """Set the probability of decision ``target``'s branch to ``to``.

    The other branches are scaled so that the probabilities still sum to 1; when
    they were all zero, the rest is shared equally among them.
    """
    branches = _step(data, target).get("branches") or []
    chosen = [b for b in branches if b["to"] == to]
    if not chosen:
        targets = ", ".join(b["to"] for b in branches) or "none"
        raise _fail(target, f"no branch to '{to}'; the branches go to {targets}")
    if not 0 <= probability <= 1:
        raise _fail(target, f"probability must be 0 to 1, received {probability}")
    others = [b for b in branches if b["to"] != to]
    if not others and probability != 1:
        raise _fail(target, "the only branch of a decision must have probability 1")
    rest = sum(b["probability"] for b in others)
    for branch in others:
        share = branch["probability"] / rest if rest > 0 else 1 / len(others)
        branch["probability"] = round((1 - probability) * share, 12)
    chosen[0]["probability"] = probability


#: Redesign actions by name, each a function that edits the model's data in place.
ACTIONS: dict[str, Callable[..., None]] = {
    "remove_step": remove_step,
    "merge_steps": merge_steps,
    "set_value_class": set_value_class,
    "set_duration": set_duration,
    "set_pca": set_pca,
    "move_lane": move_lane,
    "set_staff": set_staff,
    "set_route": set_route,
    "set_probability": set_probability,
}

_DESCRIPTIONS: dict[str, Callable[[str, dict], str]] = {
    "remove_step": lambda t, d: f"Remove step '{t}'",
    "merge_steps": lambda t, d: f"Merge '{d.get('other')}' into '{t}'",
    "set_value_class": lambda t, d: f"Classify '{t}' as {d.get('value_class')}",
    "set_duration": lambda t, d: f"Change the time of '{t}'",
    "set_pca": lambda t, d: f"Set %C&A of '{t}' to {d.get('pca')}",
    "move_lane": lambda t, d: f"Move '{t}' to lane '{d.get('lane')}'",
    "set_staff": lambda t, d: f"Set staff of '{t}' to {d.get('capacity')}",
    "set_route": lambda t, d: f"Route '{t}' to {d.get('to') or d.get('end')}",
    "set_probability": lambda t, d: (
        f"Send {d.get('probability')} of '{t}' to '{d.get('to')}'"
    ),
}
