"""The change list of a redesign: what differs between a before and an after model.

Differences are found element by element (steps, pools, arrival streams and lanes by
name, plus the calendar) and grouped into the changes that a report lists. When the
after-model records its redesign moves in ``changes``, each recorded change claims the
differences of the elements it names (its ``target`` and any name in its ``details``).
Differences that no recorded change claims become changes of their own.

:func:`intermediate_models` applies the changes one at a time, which the attribution
of savings needs. A change applied alone can leave a reference dangling (a removed
step that another step still routes to), so each intermediate model also takes from
the after-model the routing, pool or lane fields needed to keep its references whole
and every step reachable. That pulls part of a later change into an earlier one, so
the order of the changes matters.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from workbench.model import MINUTES_PER_UNIT, ProcessModel

__all__ = [
    "Edit",
    "ReportChange",
    "diff_models",
    "change_list",
    "apply_edits",
    "intermediate_models",
]

#: Sections compared element by element, keyed by ``name``, with the element's noun.
SECTIONS = {
    "steps": "step",
    "pools": "pool",
    "arrivals": "arrival stream",
    "lanes": "lane",
}

#: Step fields that route a case onward, taken together when a reference breaks.
_ROUTING_FIELDS = ("next", "branches", "parallel", "end", "rework_to")

_DISTRIBUTION_FIELDS = {
    "fixed": ("value",),
    "uniform": ("low", "high"),
    "triangular": ("min", "mode", "max"),
    "exponential": ("mean",),
    "normal": ("mean", "sd"),
    "lognormal": ("mean", "sd"),
    "empirical": ("samples",),
}


@dataclass(frozen=True)
class Edit:
    """One element that differs between the before and the after model.

    Attributes
    ----------
    section : str
        ``steps``, ``pools``, ``arrivals``, ``lanes`` or ``calendar``.
    name : str
        The element's name as the user wrote it; empty for the calendar.
    kind : str
        ``added``, ``removed`` or ``changed``.
    fields : tuple of str
        For a changed element, one ``"field: before -> after"`` text per field.
    """

    section: str
    name: str
    kind: str
    fields: tuple[str, ...] = ()

    @property
    def element(self) -> str:
        """The element as a reader names it, such as ``step 'Check form'``."""
        if self.section == "calendar":
            return "the calendar"
        return f"{SECTIONS[self.section]} '{self.name}'"

    def describe(self) -> str:
        """Return one sentence saying what changed in this element."""
        if self.kind != "changed":
            return f"{self.element[0].upper()}{self.element[1:]} {self.kind}"
        return f"{self.element[0].upper()}{self.element[1:]}: " + "; ".join(self.fields)


@dataclass(frozen=True)
class ReportChange:
    """One row of the change list.

    Attributes
    ----------
    label : str
        The recorded change's label, or a description of a derived change.
    action : str
        The recorded action (such as ``remove_step``), or one derived from the edits
        (``add_step``, ``remove_step``, ``change_step``, ``set_staff`` and so on).
    edits : tuple of Edit
        The element differences this change accounts for; empty when a recorded
        change names no element that differs.
    recorded : bool
        True for a change listed in the after-model's ``changes``.
    """

    label: str
    action: str
    edits: tuple[Edit, ...]
    recorded: bool

    def describe(self) -> str:
        """Return the element differences of this change as one text."""
        if not self.edits:
            return "no difference between the models matches this change"
        return ". ".join(edit.describe() for edit in self.edits)


def diff_models(before: ProcessModel, after: ProcessModel) -> list[Edit]:
    """Find every element that differs between ``before`` and ``after``.

    Steps, pools, arrival streams and lanes are matched by name, so a renamed step
    shows as one step removed and one added. Durations of ``before`` are converted to
    the time unit of ``after`` first, so a change of unit alone is no difference.

    Returns
    -------
    list of Edit
        In section order (steps, pools, arrival streams, lanes, calendar), and within
        a section in the order of the after-model, removed elements last.
    """
    old = _model_data(_in_unit(before, after.time_unit))
    new = _model_data(after)
    edits = []
    for section in SECTIONS:
        edits += _diff_section(section, old[section], new[section])
    if old.get("calendar") != new.get("calendar"):
        fields = _field_changes(old.get("calendar") or {}, new.get("calendar") or {})
        edits.append(Edit("calendar", "", "changed", fields))
    return edits


def _model_data(model: ProcessModel) -> dict:
    data = model.model_dump(mode="json", exclude_defaults=True)
    for section in SECTIONS:
        data.setdefault(section, [])
    return data


def _diff_section(section: str, old: list[dict], new: list[dict]) -> list[Edit]:
    old_by_name = {item["name"]: item for item in old}
    new_names = {item["name"] for item in new}
    edits = []
    for item in new:
        previous = old_by_name.get(item["name"])
        if previous is None:
            edits.append(Edit(section, item["name"], "added"))
        elif previous != item:
            fields = _field_changes(previous, item)
            edits.append(Edit(section, item["name"], "changed", fields))
    for item in old:
        if item["name"] not in new_names:
            edits.append(Edit(section, item["name"], "removed"))
    return edits


def _field_changes(old: dict, new: dict) -> tuple[str, ...]:
    texts = []
    for key in [*new, *(k for k in old if k not in new)]:
        if old.get(key) != new.get(key):
            was, now = _format_value(old.get(key)), _format_value(new.get(key))
            texts.append(f"{key} {was} -> {now}")
    return tuple(texts)


def _format_value(value: object) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, dict) and value.get("dist") in _DISTRIBUTION_FIELDS:
        names = _DISTRIBUTION_FIELDS[value["dist"]]
        if value["dist"] == "empirical":
            return f"empirical ({len(value['samples'])} samples)"
        numbers = "/".join(f"{value.get(name, 0):g}" for name in names)
        return f"{value['dist']} {numbers}"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return f"{len(value)} entries"
    return str(value)


def change_list(before: ProcessModel, after: ProcessModel) -> list[ReportChange]:
    """Return the redesign changes from ``before`` to ``after``, in order.

    The after-model's recorded ``changes`` come first, in their recorded order, each
    with the differences it claims. Every difference that no recorded change claims
    follows as a derived change of its own.
    """
    edits = diff_models(before, after)
    claimed: set[Edit] = set()
    changes = []
    for recorded in after.changes:
        names = _names_in(recorded.target, recorded.details)
        own = [e for e in edits if e not in claimed and _claims(names, e)]
        claimed.update(own)
        changes.append(
            ReportChange(recorded.label, recorded.action, tuple(own), recorded=True)
        )
    for edit in edits:
        if edit not in claimed:
            action = _derived_action(edit)
            changes.append(ReportChange(edit.describe(), action, (edit,), False))
    return changes


def _names_in(target: str, details: dict) -> set[str]:
    names = {target} if target else set()
    for value in details.values():
        values = value if isinstance(value, list | tuple) else [value]
        names.update(v for v in values if isinstance(v, str))
    return names


def _claims(names: set[str], edit: Edit) -> bool:
    if edit.section == "calendar":
        return "calendar" in names
    return edit.name in names


def _derived_action(edit: Edit) -> str:
    if edit.section == "pools" and edit.kind == "changed":
        return "set_staff"
    noun = {"arrivals": "arrivals"}.get(edit.section, edit.section.rstrip("s"))
    verb = {"added": "add", "removed": "remove", "changed": "change"}[edit.kind]
    return f"{verb}_{noun}"


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
    data = _model_data(_in_unit(before, after.time_unit))
    target = _model_data(after)
    for edit in edits:
        _take_from(data, target, edit.section, edit.name)
    _close_references(data, target)
    data["name"], data["changes"] = after.name, []
    data["description"] = after.description
    return ProcessModel.model_validate(data)


def intermediate_models(
    before: ProcessModel, after: ProcessModel, changes: list[ReportChange]
) -> list[ProcessModel]:
    """Return ``before``, then the model after each change in turn.

    The list has ``len(changes) + 1`` models. The last is ``after`` itself, because
    the changes together account for every difference.
    """
    models = [before]
    applied: list[Edit] = []
    for change in changes[:-1]:
        applied += change.edits
        models.append(apply_edits(before, after, applied))
    if changes:
        models.append(after)
    return models


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
    if any(current.get(key) != wanted.get(key) for key in fields):
        return section, name, fields
    return None


def _predecessor_to_pull(data: dict, target: dict, name: str) -> tuple | None:
    """Return the routing of ``target`` that leads to step ``name`` if it differs."""
    for stream in target["arrivals"]:
        if stream["start"] == name:
            pull = _fix_for(data, target, "arrivals", stream["name"], ("start",))
            if pull is not None and _find(data["arrivals"], stream["name"]):
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


def _in_unit(model: ProcessModel, unit: str) -> ProcessModel:
    """Return ``model`` with every duration converted to ``unit``."""
    if model.time_unit == unit:
        return model
    factor = model.minutes_per_unit / MINUTES_PER_UNIT[unit]
    data = model.model_dump(mode="json", exclude_defaults=True)
    for step in data["steps"]:
        for key in ("duration", "patience"):
            if step.get(key):
                step[key] = _scaled_distribution(step[key], factor)
    for stream in data["arrivals"]:
        if stream.get("mean_interarrival"):
            stream["mean_interarrival"] *= factor
    data["time_unit"] = unit
    return ProcessModel.model_validate(data)


def _scaled_distribution(dist: dict, factor: float) -> dict:
    scaled = dict(dist)
    for name in _DISTRIBUTION_FIELDS[dist["dist"]]:
        if name == "samples":
            scaled[name] = [value * factor for value in dist[name]]
        elif name in dist:
            scaled[name] = dist[name] * factor
    return scaled
