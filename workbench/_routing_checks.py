"""Routing rules of :mod:`workbench.validation`: reachability, splits and staff load.

These checks assume that every name a step refers to exists and is unique, so
:func:`workbench.validation.find_problems` runs them only after the name checks pass.

The routing graph has an edge from each step to every step it can pass a case to.
These are ``next``, each branch target, each parallel branch and the parallel
join (where the case continues), and the rework target when ``pca`` is below 100.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from workbench import calendar
from workbench.distributions import mean_of
from workbench.errors import Problem
from workbench.model import ProcessModel, Step

__all__ = ["routing_graph", "find_routing_problems", "find_load_problems"]

#: The virtual node that cases leave to, at an ``end`` step or a branch's join. It is
#: not a string, so no step name can equal it.
_EXIT = object()


def rework_target(step: Step) -> str | None:
    """Return the step that rework returns to, or None when the step has no rework."""
    if step.kind == "decision" or step.pca >= 100:
        return None
    return step.rework_to or step.name


def routing_graph(model: ProcessModel) -> dict[str, list[str]]:
    """Return each step's successors in the routing graph, by step name."""
    graph = {}
    for step in model.steps:
        successors = _routing_targets(step)
        target = rework_target(step)
        if target is not None:
            successors.append(target)
        graph[step.name] = successors
    return graph


def _routing_targets(step: Step) -> list[str]:
    if step.next is not None:
        return [step.next]
    if step.branches is not None:
        return [branch.to for branch in step.branches]
    if step.parallel is not None:
        return [*step.parallel.branches, step.parallel.join]
    return []


def _predecessors(graph: dict[str, list[str]]) -> dict[str, list[str]]:
    predecessors: dict[str, list[str]] = {name: [] for name in graph}
    for name, successors in graph.items():
        for successor in successors:
            if name not in predecessors[successor]:
                predecessors[successor].append(name)
    return predecessors


def _reachable(
    graph: dict[str, list[str]], starts, stop: str | None = None
) -> set[str]:
    """Return the nodes reachable from ``starts``, never entering ``stop``."""
    seen = set()
    pending = [name for name in starts if name != stop]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        pending += [s for s in graph.get(name, []) if s != stop and s not in seen]
    return seen


def find_routing_problems(model: ProcessModel) -> list[Problem]:
    """Find unreachable steps, steps with no path to an end and broken splits."""
    graph = routing_graph(model)
    problems = []
    for step in model.steps:
        if step.parallel is not None:
            problems += _find_split_problems(model, graph, step)
    problems += _find_unreachable(model, graph)
    problems += _find_dead_ends(model, graph)
    if not any(problem.severity == "error" for problem in problems):
        problems += _find_zero_probability_problems(model)
    return problems


def _find_unreachable(
    model: ProcessModel, graph: dict[str, list[str]]
) -> list[Problem]:
    reached = _reachable(graph, [stream.start for stream in model.arrivals])
    predecessors = _predecessors(graph)
    problems = []
    for step in model.steps:
        if step.name in reached:
            continue
        sources = [name for name in predecessors[step.name] if name != step.name]
        if sources:
            detail = f"only steps that no case reaches route to it ({_quote(sources)})"
        else:
            detail = "no step routes to it and no arrival stream starts at it"
        message = (
            f"no case can reach this step, because {detail}; route a reachable step "
            "to it, or remove it"
        )
        problems.append(Problem(f"step '{step.name}'", "", message))
    return problems


def _find_dead_ends(model: ProcessModel, graph: dict[str, list[str]]) -> list[Problem]:
    ends = [step.name for step in model.steps if step.end is not None]
    can_finish = _reachable(_predecessors(graph), ends)
    trapped = [step.name for step in model.steps if step.name not in can_finish]
    rule = "no path leads from there to a step with end"
    fix = "route one of them towards a step with end"
    return _trap_problems(graph, trapped, rule, fix)


def _trap_problems(graph, trapped: list[str], rule: str, fix: str) -> list[Problem]:
    """Report each closed group of ``trapped`` steps once, at its first step.

    A closed group is a strongly connected set of steps that no route leaves. The
    other trapped steps lead only into such groups and are counted in the message.
    """
    subgraph = nx.DiGraph()
    subgraph.add_nodes_from(trapped)
    subgraph.add_edges_from(
        (name, successor)
        for name in trapped
        for successor in graph[name]
        if successor in subgraph
    )
    condensed = nx.condensation(subgraph)
    problems = []
    for group_id in condensed.nodes:
        if condensed.out_degree(group_id) > 0:
            continue
        group = [n for n in trapped if n in condensed.nodes[group_id]["members"]]
        feeders = sum(
            len(condensed.nodes[other]["members"])
            for other in nx.ancestors(condensed, group_id)
        )
        subject = f"step '{group[0]}'" if len(group) == 1 else f"steps {_quote(group)}"
        message = f"cases that reach {subject} never finish, because {rule}"
        if feeders:
            message += f" ({feeders} other steps lead only there)"
        problems.append(Problem(f"step '{group[0]}'", "", f"{message}; {fix}"))
    return problems


def _find_split_problems(
    model: ProcessModel, graph: dict[str, list[str]], split: Step
) -> list[Problem]:
    problems = _find_split_field_problems(split)
    if problems:
        return problems
    join = split.parallel.join
    regions = {}
    for index, branch in enumerate(split.parallel.branches):
        region = _reachable(graph, [branch], stop=join)
        regions[branch] = region
        problems += _find_region_problems(model, graph, split, index, region)
    inside = set().union(*regions.values())
    outsiders = [
        name
        for name in _predecessors(graph)[join]
        if name not in inside and name not in (join, split.name)
    ]
    outsiders += [s.name for s in model.arrivals if s.start == join]
    if outsiders:
        message = (
            f"the join '{join}' is also entered from {_quote(outsiders)}, outside the "
            "branches, where no split started the branches it waits for; route "
            "those cases elsewhere"
        )
        problems.append(Problem(f"step '{split.name}'", "parallel.join", message))
    return problems


def _find_split_field_problems(split: Step) -> list[Problem]:
    parallel = split.parallel
    where = f"step '{split.name}'"
    problems = []
    if parallel.join == split.name:
        message = "the join is the split step itself; name the step where branches meet"
        problems.append(Problem(where, "parallel.join", message))
    for name in sorted(set(parallel.branches)):
        count = parallel.branches.count(name)
        if name in (split.name, parallel.join):
            message = (
                f"'{name}' is the split or the join, so it cannot start a branch; "
                "list the first step of each branch"
            )
            problems.append(Problem(where, "parallel.branches", message))
        elif count > 1:
            message = f"'{name}' is listed {count} times; list each branch once"
            problems.append(Problem(where, "parallel.branches", message))
    return problems


def _find_region_problems(
    model: ProcessModel, graph, split: Step, index: int, region: set[str]
) -> list[Problem]:
    join = split.parallel.join
    branch = split.parallel.branches[index]
    label = f"the branch from '{branch}'"
    ends = sorted(name for name in region if model.step(name).end is not None)
    impatient = sorted(name for name in region if model.step(name).patience)
    checks = [
        (
            ends,
            f"{label} can end the case at {_quote(ends)} before it reaches the join "
            f"'{join}', so that branch would never arrive there; route it to the "
            "join",
        ),
        (
            split.name in region,
            f"{label} can lead back to the split step itself (through routing or "
            f"rework), so the join '{join}' would wait for a branch that restarts; "
            "keep rework and routing inside the branch",
        ),
        (
            impatient,
            f"{label} has {_quote(impatient)} with patience, and a case that "
            "abandons there would end inside the branch, before the join; remove "
            "patience from steps between the split and the join",
        ),
        (
            not any(join in graph[name] for name in region),
            f"{label} never reaches the join '{join}'; route its last step there",
        ),
    ]
    where, field = f"step '{split.name}'", f"parallel.branches[{index}]"
    problems = [Problem(where, field, message) for failed, message in checks if failed]
    if problems:
        return problems
    return _find_region_entries(model, graph, split, branch, region)


def _find_region_entries(
    model, graph, split: Step, branch: str, region
) -> list[Problem]:
    predecessors = _predecessors(graph)
    starts = {stream.start for stream in model.arrivals}
    problems = []
    for name in sorted(region):
        outsiders = [
            p
            for p in predecessors[name]
            if p not in region and not (p == split.name and name == branch)
        ]
        sources = [f"step '{p}'" for p in outsiders]
        if name in starts:
            sources.append("an arrival stream")
        if sources:
            message = (
                f"step '{name}' of the branch from '{branch}' is also entered from "
                f"{' and '.join(sources)}, outside that branch; each branch must "
                f"keep to its own steps until the join '{split.parallel.join}'"
            )
            problems.append(
                Problem(f"step '{split.name}'", "parallel.branches", message)
            )
    return problems


def _quote(names: list[str]) -> str:
    return ", ".join(f"'{name}'" for name in names)


def flow_weights(model: ProcessModel) -> tuple[list[str], np.ndarray]:
    """Return step names and the expected number of moves from step i to step j.

    Row i holds, per visit to step i, the expected number of visits it passes on to
    each step. A parallel split passes one visit to each branch and one to its
    join, and the branches' moves into the join are left out, because the join runs
    once when all branches have arrived. So a row can sum to more than 1.
    """
    names, weights, _ = _flow(model)
    return names, weights


def _flow(model: ProcessModel) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Return :func:`flow_weights` and, per step, the expected moves out of the flow.

    A move leaves the flow at an ``end`` step and where a branch enters its join.
    """
    names = [step.name for step in model.steps]
    index = {name: i for i, name in enumerate(names)}
    split_of_join = {
        s.parallel.join: s.name for s in model.steps if s.parallel is not None
    }
    weights = np.zeros((len(names), len(names)))
    exits = np.zeros(len(names))
    for step in model.steps:
        row = index[step.name]
        keep = 1.0 if step.kind == "decision" else step.pca / 100.0
        if step.end is not None:
            exits[row] += keep
        for target, probability in _weighted_targets(step):
            joined_by = split_of_join.get(target)
            if joined_by is not None and joined_by != step.name:
                exits[row] += keep * probability
            else:
                weights[row, index[target]] += keep * probability
        target = rework_target(step)
        if target is not None:
            weights[row, index[target]] += 1.0 - keep
    return names, weights, exits


def _weighted_targets(step: Step) -> list[tuple[str, float]]:
    if step.branches is not None:
        return [(branch.to, branch.probability) for branch in step.branches]
    return [(name, 1.0) for name in _routing_targets(step)]


def _find_zero_probability_problems(model: ProcessModel) -> list[Problem]:
    names, weights, exits = _flow(model)
    positive = {
        name: [names[j] for j in np.flatnonzero(weights[i] > 0)]
        for i, name in enumerate(names)
    }
    reached = _reachable(positive, [stream.start for stream in model.arrivals])
    problems = []
    for name in names:
        if name not in reached:
            message = (
                "every branch that leads here has probability 0, so no case ever "
                "visits this step; raise a probability or remove the step"
            )
            problems.append(Problem(f"step '{name}'", "", message, "warning"))
    for i in np.flatnonzero(exits > 0):
        positive[names[i]].append(_EXIT)
    positive[_EXIT] = []
    finishing = _reachable(_predecessors(positive), [_EXIT])
    trapped = [name for name in names if name in reached and name not in finishing]
    rule = "every path from there to an end has probability 0"
    fix = "give a branch towards an end a positive probability"
    return problems + _trap_problems(positive, trapped, rule, fix)


def expected_visits(model: ProcessModel, start: str) -> dict[str, float]:
    """Return the expected visits to each step per case that starts at ``start``.

    Solves the flow equations ``v = e + W^T v`` of :func:`flow_weights`, where ``e``
    is 1 at ``start``. Abandonment is ignored, so visits after a step with
    ``patience`` are an upper bound. Raises ``numpy.linalg.LinAlgError`` when the
    routing probabilities trap cases in a loop.
    """
    names, weights = flow_weights(model)
    arrivals = np.zeros(len(names))
    arrivals[names.index(start)] = 1.0
    visits = np.linalg.solve(np.eye(len(names)) - weights.T, arrivals)
    return dict(zip(names, visits.tolist(), strict=True))


def offered_load(model: ProcessModel, pool_name: str) -> dict[str, float]:
    """Return the mean offered load of a pool per step, in staff, over a typical week.

    For each stream, the load of a step is the stream's arrival rate (cases per
    minute, averaged over the week) times the expected visits to the step per case
    times the step's mean duration in minutes. The loads of the streams add up.
    """
    # NOTE: cases that abandon, and the backlog present at time zero, are not in the
    # load, and a normal duration counts with its mean before truncation at zero.
    load = {}
    for stream in model.arrivals:
        rate = calendar.mean_arrival_rate_per_minute(model, stream.name)
        visits = expected_visits(model, stream.start)
        for step in model.steps:
            if step.pool != pool_name or step.duration is None:
                continue
            minutes = mean_of(step.duration) * model.minutes_per_unit
            load[step.name] = (
                load.get(step.name, 0.0) + rate * visits[step.name] * minutes
            )
    return load


def find_load_problems(model: ProcessModel) -> list[Problem]:
    """Warn about each pool whose offered load exceeds its mean staff on duty."""
    problems = []
    for pool in model.pools:
        load_by_step = offered_load(model, pool.name)
        load = sum(load_by_step.values())
        capacity = calendar.mean_pool_capacity(model, pool.name)
        if load <= capacity:
            continue
        shares = sorted(load_by_step.items(), key=lambda item: -item[1])
        detail = ", ".join(f"'{name}' {value:.2f}" for name, value in shares)
        message = (
            f"the offered load is {load:.2f} staff on average over the week "
            f"({detail}), more than the {capacity:.2f} staff on duty on average, so "
            "queues grow without limit; add staff or shifts, shorten the steps or "
            "lower the demand"
        )
        problems.append(Problem(f"pool '{pool.name}'", "", message, "warning"))
    return problems
