"""Rules across the elements of a process model, checked all at once.

:func:`find_problems` lists every problem of a model that pydantic's field checks in
:mod:`workbench.model` cannot see. These are unknown or duplicate names, branch
probabilities, fields that do not fit a step's kind, unreachable steps and steps
with no path to an end. They also include parallel splits whose join can never
receive every branch, pools without staff and pools whose offered load exceeds
their capacity. :func:`validate` raises
:class:`~workbench.errors.ModelValidationError` when any problem is an error.

A problem names the element by the name the user wrote, the field, the rule and the
value received, and states what to change.
"""

from __future__ import annotations

import difflib
import math
from collections import Counter
from pathlib import Path

from workbench import _routing_checks, calendar
from workbench.distributions import mean_of
from workbench.errors import ModelValidationError, Problem
from workbench.loading import load_model
from workbench.model import PROBABILITY_TOLERANCE, ProcessModel, Step

__all__ = ["find_problems", "validate", "load_and_validate"]

#: At most this many names are listed in a message about an unknown name.
MAX_NAMES_LISTED = 12

# Fields that a decision must not have, because it routes at no cost in time.
_DECISION_FORBIDDEN = ("duration", "pool", "patience", "batch", "rework_to")
# Fields that have no effect on a step of the given kind when written.
_IGNORED_FIELDS = {
    "decision": ("value_class", "touchpoint", "wait_for", "working_hours_only"),
    "task": ("wait_for", "working_hours_only"),
    "wait": (),
}


def find_problems(model: ProcessModel) -> list[Problem]:
    """Find every problem across the elements of ``model``, errors and warnings.

    The routing checks (reachability, paths to an end, parallel splits) run only
    when every name and routing field is valid. The offered-load check runs only
    when no error was found. So one typo does not cause a cascade of problems.

    Parameters
    ----------
    model : ProcessModel
        A model that passed the field checks of :mod:`workbench.model`.

    Returns
    -------
    list of Problem
        Errors first, each group in model order. Empty for a clean model.
    """
    problems = _find_name_problems(model)
    for step in model.steps:
        problems += _find_step_problems(model, step)
    problems += _find_supply_problems(model)
    if not _has_errors(problems):
        problems += _routing_checks.find_routing_problems(model)
    if not _has_errors(problems):
        problems += _routing_checks.find_load_problems(model)
    return sorted(problems, key=lambda problem: problem.severity != "error")


def validate(model: ProcessModel, source: str | None = None) -> list[Problem]:
    """Check ``model`` and return its warnings.

    Parameters
    ----------
    model : ProcessModel
    source : str, optional
        The file name to show in the error message.

    Returns
    -------
    list of Problem
        The warnings, when no problem is an error.

    Raises
    ------
    ModelValidationError
        If any problem is an error. Its ``problems`` hold the errors and warnings.
    """
    problems = find_problems(model)
    if _has_errors(problems):
        raise ModelValidationError(problems, source=source)
    return problems


def load_and_validate(path: str | Path) -> tuple[ProcessModel, list[Problem]]:
    """Load the model file at ``path``, check it and return it with its warnings.

    Raises
    ------
    ModelFileError
        If the file is missing, unreadable, unsafe, oversized or not YAML.
    ModelValidationError
        If a field breaks its rule or any rule across elements finds an error.
    """
    model = load_model(path)
    return model, validate(model, source=str(path))


def _has_errors(problems: list[Problem]) -> bool:
    return any(problem.severity == "error" for problem in problems)


def quote_names(names: list[str]) -> str:
    """Return names as a quoted list, shortened after :data:`MAX_NAMES_LISTED`."""
    quoted = ", ".join(f"'{name}'" for name in names[:MAX_NAMES_LISTED])
    hidden = len(names) - MAX_NAMES_LISTED
    return quoted + (f" and {hidden} more" if hidden > 0 else "")


def unknown_name(kind: str, name: str, known: list[str]) -> str:
    """Return the message for a reference to a ``kind`` that does not exist."""
    message = f"no {kind} is called '{name}'"
    if not known:
        return message + f"; the model has no {kind}s, so add one or remove the field"
    message += f". The {kind}s are {quote_names(known)}"
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close:
        message += f". Did you mean '{close[0]}'?"
    return message


def _find_name_problems(model: ProcessModel) -> list[Problem]:
    problems = []
    sections = (
        ("step", model.steps),
        ("lane", model.lanes),
        ("pool", model.pools),
        ("arrival stream", model.arrivals),
    )
    for kind, elements in sections:
        counts = Counter(element.name for element in elements)
        for name, count in counts.items():
            if count > 1:
                message = f"{count} {kind}s have this name; give each a unique name"
                problems.append(Problem(f"{kind} '{name}'", "name", message))
    step_names = [step.name for step in model.steps]
    for stream in model.arrivals:
        if stream.start not in step_names:
            message = unknown_name("step", stream.start, step_names)
            problems.append(
                Problem(f"arrival stream '{stream.name}'", "start", message)
            )
    return problems + _find_unused(model)


def _find_unused(model: ProcessModel) -> list[Problem]:
    used_lanes = {step.lane for step in model.steps}
    used_pools = {step.pool for step in model.steps}
    problems = []
    for lane in model.lanes:
        if lane.name not in used_lanes:
            message = "no step is in this lane; remove it or put a step in it"
            problems.append(Problem(f"lane '{lane.name}'", "", message, "warning"))
    for pool in model.pools:
        if pool.name not in used_pools:
            message = "no step uses this pool; remove it or set it as a step's pool"
            problems.append(Problem(f"pool '{pool.name}'", "", message, "warning"))
    return problems


def _find_step_problems(model: ProcessModel, step: Step) -> list[Problem]:
    where = f"step '{step.name}'"
    problems = _find_reference_problems(model, step, where)
    problems += _find_kind_problems(step, where)
    if step.branches is not None:
        problems += _find_branch_problems(step, where)
    for field in ("duration", "patience"):
        dist = getattr(step, field)
        if dist is not None:
            problems += _find_distribution_problems(dist, where, field)
    if step.batch is not None and step.batch.size is not None:
        if step.batch.max_size is not None:
            message = (
                "max_size only limits the cases a meeting releases, and this batch "
                "is released by size; remove max_size"
            )
            problems.append(Problem(where, "batch.max_size", message, "warning"))
    if step.pool is not None and step.duration is not None and step.kind == "task":
        if _finite_mean(step.duration) == 0:
            message = (
                "the mean duration is 0 although the step uses staff; give the "
                "time staff spend on it, or remove the pool"
            )
            problems.append(Problem(where, "duration", message, "warning"))
    return problems


def _find_reference_problems(
    model: ProcessModel, step: Step, where: str
) -> list[Problem]:
    step_names = [s.name for s in model.steps]
    references = [
        ("lane", step.lane, "lane", [lane.name for lane in model.lanes]),
        ("pool", step.pool, "pool", [pool.name for pool in model.pools]),
        ("next", step.next, "step", step_names),
        ("rework_to", step.rework_to, "step", step_names),
    ]
    for index, branch in enumerate(step.branches or []):
        references.append((f"branches[{index}].to", branch.to, "step", step_names))
    if step.parallel is not None:
        for index, name in enumerate(step.parallel.branches):
            references.append((f"parallel.branches[{index}]", name, "step", step_names))
        references.append(("parallel.join", step.parallel.join, "step", step_names))
    problems = []
    for field, name, kind, known in references:
        if name is not None and name not in known:
            problems.append(Problem(where, field, unknown_name(kind, name, known)))
    return problems


def _find_kind_problems(step: Step, where: str) -> list[Problem]:
    if step.kind == "decision":
        problems = _find_decision_problems(step, where)
    else:
        problems = _find_work_step_problems(step, where)
    for field in _IGNORED_FIELDS[step.kind]:
        if field in step.model_fields_set:
            message = f"a {step.kind} step ignores {field}; remove the field"
            problems.append(Problem(where, field, message, "warning"))
    return problems


def _find_decision_problems(step: Step, where: str) -> list[Problem]:
    problems = []
    for field in _DECISION_FORBIDDEN:
        if getattr(step, field) is not None:
            message = (
                "a decision routes at no cost in time, so it takes no "
                f"{field}; remove the field or make the step a task"
            )
            problems.append(Problem(where, field, message))
    if step.pca != 100:
        message = (
            f"a decision has no rework, so pca must be 100, received "
            f"{step.pca:g}; put the pca on the task before the decision"
        )
        problems.append(Problem(where, "pca", message))
    if step.branches is None:
        message = "a decision needs branches with probabilities; add branches"
        problems.append(Problem(where, "branches", message))
    return problems


def _find_work_step_problems(step: Step, where: str) -> list[Problem]:
    kind = step.kind
    problems = []
    if step.rework_to is not None and step.pca == 100:
        message = "pca is 100, so rework never happens; lower pca or remove rework_to"
        problems.append(Problem(where, "rework_to", message, "warning"))
    if step.lane is None:
        message = f"a {kind} step needs a lane; set lane to the name of a lane"
        problems.append(Problem(where, "lane", message))
    if step.duration is None:
        noun = "process time" if kind == "task" else "waiting time"
        message = f"a {kind} step needs a duration (its {noun}); add a duration"
        problems.append(Problem(where, "duration", message))
    if step.branches is not None:
        message = (
            f"only a decision has branches, and this step is a {kind}; set "
            "kind: decision on a step of its own, or route with next"
        )
        problems.append(Problem(where, "branches", message))
    if kind == "wait" and step.pool is not None:
        message = (
            "a wait step uses no staff, so it takes no pool; make it a task if "
            "staff work on it"
        )
        problems.append(Problem(where, "pool", message))
    if step.patience is not None and (kind != "task" or step.pool is None):
        message = (
            "only a task with a pool has a queue to abandon, so patience needs "
            "kind: task and a pool; remove patience or set a pool"
        )
        problems.append(Problem(where, "patience", message))
    return problems


def _find_branch_problems(step: Step, where: str) -> list[Problem]:
    branches = step.branches or []
    problems = []
    if not branches:
        problems.append(Problem(where, "branches", "the list is empty; add branches"))
        return problems
    total = math.fsum(branch.probability for branch in branches)
    if abs(total - 1.0) > PROBABILITY_TOLERANCE:
        message = (
            f"the branch probabilities sum to {total:.10g}, not 1 (tolerance "
            f"{PROBABILITY_TOLERANCE:g}); change them so that they sum to 1"
        )
        problems.append(Problem(where, "branches", message))
    targets = Counter(branch.to for branch in branches)
    for target, count in targets.items():
        if count > 1:
            message = (
                f"{count} branches go to '{target}'; merge them into one branch "
                "with the summed probability"
            )
            problems.append(Problem(where, "branches", message, "warning"))
    return problems


def _find_distribution_problems(dist, where: str, field: str) -> list[Problem]:
    values = dist.model_dump(exclude={"dist"})
    pairs = [("samples", value) for value in values.pop("samples", [])]
    pairs += list(values.items())
    for parameter, value in pairs:
        if not math.isfinite(value):
            message = (
                f"the {dist.dist} distribution needs finite numbers, received "
                f"{parameter}={value}; give a finite value"
            )
            return [Problem(where, f"{field}.{parameter}", message)]
    return []


def _finite_mean(dist) -> float:
    mean = mean_of(dist)
    return mean if math.isfinite(mean) else math.nan


def _find_supply_problems(model: ProcessModel) -> list[Problem]:
    """Find pools that never have staff on duty and streams that never arrive."""
    problems = _find_calendar_flag_problems(model)
    for pool in model.pools:
        used = any(step.pool == pool.name for step in model.steps)
        if used and calendar.mean_pool_capacity(model, pool.name) == 0:
            problems.append(_empty_pool_problem(model, pool))
    for stream in model.arrivals:
        if calendar.mean_arrival_rate_per_minute(model, stream.name) > 0:
            continue
        severity = "warning" if stream.backlog > 0 else "error"
        message = (
            "the arrival rate is zero in every hour of the week, so no new case "
            f"arrives; {_zero_rate_fix(model, stream)}"
        )
        problems.append(
            Problem(f"arrival stream '{stream.name}'", "", message, severity)
        )
    return problems


_NO_CALENDAR = "the model has no calendar, so it is always open and this has no effect"


def _find_calendar_flag_problems(model: ProcessModel) -> list[Problem]:
    if model.calendar is not None:
        return _find_closed_calendar_waits(model)
    problems = []
    for stream in model.arrivals:
        if stream.open_hours_only:
            message = _NO_CALENDAR
            where = f"arrival stream '{stream.name}'"
            problems.append(Problem(where, "open_hours_only", message, "warning"))
    for step in model.steps:
        if step.kind == "wait" and step.working_hours_only:
            message = _NO_CALENDAR
            where = f"step '{step.name}'"
            problems.append(Problem(where, "working_hours_only", message, "warning"))
    return problems


def _find_closed_calendar_waits(model: ProcessModel) -> list[Problem]:
    if model.calendar.hours:
        return []
    message = (
        "the calendar has no open hours, so a wait that advances only in working "
        "hours never ends; give the calendar hours or set working_hours_only: false"
    )
    return [
        Problem(f"step '{step.name}'", "working_hours_only", message)
        for step in model.steps
        if step.kind == "wait" and step.working_hours_only
    ]


def _empty_pool_problem(model: ProcessModel, pool) -> Problem:
    where = f"pool '{pool.name}'"
    if pool.shifts:
        message = (
            "every shift has capacity 0, so no staff are ever on duty and the "
            "steps that use the pool never start; give a shift staff"
        )
        return Problem(where, "shifts", message)
    message = (
        "the calendar has no open hours, and this pool has no shifts, so no staff "
        "are ever on duty; give the calendar hours or the pool shifts"
    )
    return Problem(where, "", message)


def _zero_rate_fix(model: ProcessModel, stream) -> str:
    if stream.open_hours_only and model.calendar is not None:
        return (
            "open_hours_only is set, so give the profile positive weights in the "
            "calendar's open hours"
        )
    return "give the hour or weekday profile some positive weights"
