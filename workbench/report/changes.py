"""The change list of a redesign: what differs between a before and an after model.

Differences are found element by element (steps, pools, arrival streams and lanes by
name, plus the calendar) and grouped into the changes that a report lists. When the
after-model records its redesign moves in ``changes``, each recorded change claims the
differences of the elements it names (its ``target`` and any name in its ``details``).
Differences that no recorded change claims become changes of their own.
:mod:`workbench.report.applying` applies the changes one at a time.
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass

from workbench.model import MINUTES_PER_UNIT, ProcessModel

__all__ = [
    "Edit",
    "ReportChange",
    "diff_models",
    "change_list",
    "replay_recorded",
]

logger = logging.getLogger(__name__)

#: Sections compared element by element, keyed by ``name``, with the element's noun.
SECTIONS = {
    "steps": "step",
    "pools": "pool",
    "arrivals": "arrival stream",
    "lanes": "lane",
}

_SECTION_TITLES = {
    "steps": "Steps",
    "pools": "Staffing",
    "arrivals": "Demand",
    "lanes": "Lanes",
    "calendar": "Calendar",
}
_MIXED_ACTIONS = {
    "steps": "change_steps",
    "pools": "set_staff",
    "arrivals": "change_arrivals",
    "lanes": "change_lanes",
    "calendar": "change_calendar",
}

#: Differences that no recorded change claims are listed one by one up to this
#: count, and grouped by section and kind above it.
MAX_SEPARATE_CHANGES = 6

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
        kinds = {(edit.section, edit.kind) for edit in self.edits}
        if len(self.edits) > 1 and len(kinds) == 1 and self.edits[0].kind != "changed":
            first = self.edits[0]
            names = ", ".join(f"'{edit.name}'" for edit in self.edits)
            return f"{_plural(first.section).capitalize()} {first.kind}: {names}"
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
    old = model_data(in_time_unit(before, after.time_unit))
    new = model_data(after)
    edits = []
    for section in SECTIONS:
        edits += _diff_section(section, old[section], new[section])
    if old.get("calendar") != new.get("calendar"):
        fields = _field_changes(old.get("calendar") or {}, new.get("calendar") or {})
        edits.append(Edit("calendar", "", "changed", fields))
    return edits


def model_data(model: ProcessModel) -> dict:
    """Return ``model`` as plain data without defaults, every section present."""
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

    When the after-model's recorded ``changes`` replay to it (see
    :func:`replay_recorded`), each change has the differences its move made, and
    there is no other change. Otherwise the recorded changes come first, in their
    recorded order, each with the differences it claims. The differences that no
    recorded change claims follow: one change each when there are at most
    :data:`MAX_SEPARATE_CHANGES`, otherwise steps grouped by kind (such as all
    steps removed) and one change for each other section (such as all staffing
    changes), so that the list fits one page.
    """
    replayed = replay_recorded(before, after)
    if replayed is not None:
        return [
            ReportChange(r.label, r.action, tuple(diff_models(*pair)), recorded=True)
            for r, pair in zip(after.changes, itertools.pairwise(replayed), strict=True)
        ]
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
    rest = [edit for edit in edits if edit not in claimed]
    if len(rest) <= MAX_SEPARATE_CHANGES:
        changes += [_derived_change([edit]) for edit in rest]
    else:
        changes += _grouped_changes(rest)
    return changes


def _derived_change(edits: list[Edit]) -> ReportChange:
    first = edits[0]
    action = _derived_action(first)
    if len(edits) == 1:
        return ReportChange(first.describe(), action, (first,), False)
    plural = _plural(first.section)
    if any(edit.kind != first.kind for edit in edits):
        label = f"{_SECTION_TITLES[first.section]}: {len(edits)} {plural} changed"
        return ReportChange(label, _MIXED_ACTIONS[first.section], tuple(edits), False)
    verb = {"added": "Add", "removed": "Remove", "changed": "Change"}[first.kind]
    label = f"{verb} {len(edits)} {plural}"
    return ReportChange(label, action, tuple(edits), False)


def _plural(section: str) -> str:
    return "calendar" if section == "calendar" else f"{SECTIONS[section]}s"


def _grouped_changes(edits: list[Edit]) -> list[ReportChange]:
    """Group ``edits``: steps by kind (removed, added, changed), then one group for
    each other section, so staffing, arrivals, lanes and the calendar take a row
    each."""
    groups = []
    for kind in ("removed", "added", "changed"):
        own = [e for e in edits if e.section == "steps" and e.kind == kind]
        if own:
            groups.append(_derived_change(own))
    for section in [*SECTIONS, "calendar"]:
        own = [e for e in edits if e.section == section != "steps"]
        if own:
            groups.append(_derived_change(own))
    return groups


def replay_recorded(
    before: ProcessModel, after: ProcessModel
) -> list[ProcessModel] | None:
    """Replay the after-model's recorded moves on ``before``, one at a time.

    Returns
    -------
    list of ProcessModel or None
        ``before``, the model after each recorded change, and ``after`` itself as
        the last. None when ``after`` records no change, a move does not apply
        with :func:`workbench.redesign.replay_changes`, or the replayed model
        differs from ``after`` (the after-model was edited besides the moves).
    """
    if not after.changes:
        return None
    from workbench.redesign import replay_changes

    count = len(after.changes)
    try:
        models = [
            replay_changes(before, after.changes[:k]) for k in range(1, count + 1)
        ]
    except ValueError as error:
        logger.info("the recorded changes do not replay: %s", error)
        return None
    if diff_models(models[-1], after):
        return None
    return [before, *models[:-1], after]


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


def in_time_unit(model: ProcessModel, unit: str) -> ProcessModel:
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
