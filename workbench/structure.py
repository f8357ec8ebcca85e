"""Structural LEAN metrics of a process model, computed without simulation.

:func:`structural_metrics` counts steps, value classes, decisions, lanes, handoff
edges, loops and touchpoints, and multiplies the steps' percent complete and
accurate into the rolled %C&A. It also solves the routing as an absorbing Markov
chain, which gives the expected steps, handoffs, touchpoints and decisions per case
and the probability of each end state.

The chain's transient states are the steps and its absorbing states the end states.
With ``Q`` the expected moves between steps per visit and ``R`` the moves from steps
to end states, the fundamental matrix ``N = (I - Q)^-1`` contains in row i the expected
visits to each step of a case that starts at step i, and ``N R`` the probabilities
of ending in each end state. A parallel split passes one visit to every branch, so
its row of ``Q`` sums to more than 1. Each branch's move into the join counts
``1/k`` of a visit for ``k`` branches, so the join is visited once per split. ``N``
stays exact because every branch reaches its join exactly once, which
:mod:`workbench.validation` checks.

Abandonment is ignored: the expected visits after a step with ``patience`` are
those of a case that never abandons.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from itertools import islice

import networkx as nx
import numpy as np

from workbench import calendar
from workbench.errors import ModelValidationError, Problem
from workbench.graph import is_end_node, to_digraph
from workbench.model import ProcessModel

__all__ = [
    "MAX_CYCLES_COUNTED",
    "StructuralMetrics",
    "structural_metrics",
    "expected_visits",
    "start_shares",
]

#: Simple cycles are counted up to this number, because a dense model can have
#: exponentially many.
MAX_CYCLES_COUNTED = 10_000

# Visits below minus this value mean the linear system has no meaningful solution.
_TRAP_TOLERANCE = 1e-9


@dataclass(frozen=True)
class StructuralMetrics:
    """Counts and expectations that follow from a model's structure alone.

    Attributes
    ----------
    steps : int
        Task and wait steps (decisions are not steps).
    va_steps, bva_steps, nva_steps : int
        Steps by value class.
    decisions : int
        Decision steps.
    lanes : int
        Lanes defined in the model.
    handoff_edges : int
        Graph edges into a task or wait step from a step in another lane, with
        decisions transparent (see :func:`workbench.graph.to_digraph`).
    rework_loops : int
        Steps with a %C&A below 100, each a loop back to its rework target.
    routing_cycles : int
        Simple cycles of the routing alone (``next``, branches and parallel),
        rework left out, such as a transfer that sends a case back to a decision.
        Counted up to :data:`MAX_CYCLES_COUNTED`.
    touchpoint_steps : int
        Steps where the customer takes part.
    rolled_pca_percent : float
        The product of every step's %C&A / 100, in percent.
    expected_steps_per_case : float
        Expected visits to task and wait steps per arriving case.
    expected_handoffs_per_case : float
        Expected moves between consecutive steps in different lanes per case,
        decisions transparent. Each branch of a parallel split counts its own moves,
        including its move into the join.
    expected_touchpoints_per_case : float
        Expected visits to touchpoint steps per case.
    expected_decisions_per_case : float
        Expected visits to decisions per case.
    end_state_probabilities : dict of str to float
        Probability that a case ends in each end state that a step can reach.
    """

    steps: int
    va_steps: int
    bva_steps: int
    nva_steps: int
    decisions: int
    lanes: int
    handoff_edges: int
    rework_loops: int
    routing_cycles: int
    touchpoint_steps: int
    rolled_pca_percent: float
    expected_steps_per_case: float
    expected_handoffs_per_case: float
    expected_touchpoints_per_case: float
    expected_decisions_per_case: float
    end_state_probabilities: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        """Return the metrics as a plain dictionary, ready for JSON."""
        return asdict(self)


def start_shares(model: ProcessModel) -> dict[str, float]:
    """Return the share of arriving cases that start at each step.

    Each stream's share is its mean arrival rate over a typical week (see
    :func:`workbench.calendar.mean_arrival_rate_per_minute`), so hour and weekday
    profiles count. Backlog cases are left out. When every stream's mean rate is
    zero, the streams share equally.

    Returns
    -------
    dict of str to float
        Start step name to share; the shares sum to 1.
    """
    rates = [
        calendar.mean_arrival_rate_per_minute(model, stream.name)
        for stream in model.arrivals
    ]
    total = sum(rates)
    if total <= 0:
        rates, total = [1.0] * len(rates), float(len(rates))
    shares: dict[str, float] = {}
    for stream, rate in zip(model.arrivals, rates, strict=True):
        shares[stream.start] = shares.get(stream.start, 0.0) + rate / total
    return shares


def expected_visits(model: ProcessModel) -> dict[str, float]:
    """Return the expected visits to each step per arriving case.

    Arriving cases start at each stream's start step in the shares of
    :func:`start_shares`. Rework, branch probabilities and parallel splits count as
    described in this module's docstring.

    Parameters
    ----------
    model : ProcessModel
        A model that passed :func:`workbench.validation.validate`.

    Returns
    -------
    dict of str to float
        Step name (decisions included) to expected visits per case.

    Raises
    ------
    ModelValidationError
        If the routing probabilities trap cases in a loop that never ends.
    """
    graph = to_digraph(model)
    chain = _Chain(graph, model)
    return dict(zip(chain.steps, chain.visits.tolist(), strict=True))


def structural_metrics(model: ProcessModel) -> StructuralMetrics:
    """Compute the structural LEAN metrics of ``model``.

    Parameters
    ----------
    model : ProcessModel
        A model that passed :func:`workbench.validation.validate`.

    Returns
    -------
    StructuralMetrics

    Raises
    ------
    ModelValidationError
        If the routing probabilities trap cases in a loop that never ends.
    """
    graph = to_digraph(model)
    chain = _Chain(graph, model)
    work = [s for s in model.steps if s.kind != "decision"]
    return StructuralMetrics(
        steps=len(work),
        va_steps=sum(s.value_class == "VA" for s in work),
        bva_steps=sum(s.value_class == "BVA" for s in work),
        nva_steps=sum(s.value_class == "NVA" for s in work),
        decisions=len(model.steps) - len(work),
        lanes=len(model.lanes),
        handoff_edges=sum(bool(d["handoff"]) for *_, d in graph.edges(data=True)),
        rework_loops=sum(bool(d["rework"]) for *_, d in graph.edges(data=True)),
        routing_cycles=_count_routing_cycles(graph),
        touchpoint_steps=sum(s.touchpoint for s in work),
        rolled_pca_percent=100.0 * math.prod(s.pca / 100.0 for s in work),
        expected_steps_per_case=chain.total_visits("task", "wait"),
        expected_handoffs_per_case=chain.expected_handoffs(),
        expected_touchpoints_per_case=chain.expected_touchpoints(),
        expected_decisions_per_case=chain.total_visits("decision"),
        end_state_probabilities=chain.end_state_probabilities(),
    )


def _count_routing_cycles(graph: nx.DiGraph) -> int:
    routing = nx.DiGraph()
    routing.add_nodes_from(graph)
    routing.add_edges_from(
        (u, v) for u, v, d in graph.edges(data=True) if d["kind"] != "rework"
    )
    return sum(1 for _ in islice(nx.simple_cycles(routing), MAX_CYCLES_COUNTED))


class _Chain:
    """The absorbing Markov chain of a process graph, solved once."""

    def __init__(self, graph: nx.DiGraph, model: ProcessModel):
        self.graph = graph
        self.steps = [step.name for step in model.steps]
        self.ends = sorted(node[1] for node in graph if is_end_node(node))
        index = {name: i for i, name in enumerate(self.steps)}
        self.index = index
        size = len(self.steps)
        self.moves = np.zeros((size, size))
        self.flow = np.zeros((size, size))
        self.absorb = np.zeros((size, len(self.ends)))
        for source, target, data in graph.edges(data=True):
            self._add_edge(source, target, data)
        start = np.zeros(size)
        for name, share in start_shares(model).items():
            start[index[name]] += share
        self.reached = self._reached_from(start)
        self._check_exits()
        self.visits = self._solve_visits(start)

    def _add_edge(self, source, target, data) -> None:
        row = self.index[source]
        if is_end_node(target):
            self.absorb[row, self.ends.index(target[1])] += data["weight"]
            return
        column = self.index[target]
        self.moves[row, column] += data["weight"]
        self.flow[row, column] += data["weight"] / data.get("branches", 1)

    def _reached_from(self, start: np.ndarray) -> np.ndarray:
        """Return a mask of the steps that cases reach with positive probability."""
        reached = start > 0
        pending = list(np.flatnonzero(reached))
        while pending:
            row = pending.pop()
            for column in np.flatnonzero(self.moves[row] > 0):
                if not reached[column]:
                    reached[column] = True
                    pending.append(column)
        return reached

    def _check_exits(self) -> None:
        """Raise when a reached step can never lead to an end state."""
        finishing = self.absorb.sum(axis=1) > 0
        pending = list(np.flatnonzero(finishing))
        while pending:
            column = pending.pop()
            for row in np.flatnonzero(self.moves[:, column] > 0):
                if not finishing[row]:
                    finishing[row] = True
                    pending.append(row)
        trapped = [self.steps[i] for i in np.flatnonzero(self.reached & ~finishing)]
        if trapped:
            raise ModelValidationError([_trap_problem(trapped)])

    def _solve_visits(self, start: np.ndarray) -> np.ndarray:
        """Solve ``v (I - Q) = start`` over the reached steps; others get 0 visits."""
        inside = np.flatnonzero(self.reached)
        system = np.eye(len(inside)) - self.flow[np.ix_(inside, inside)]
        visits = np.zeros(len(self.steps))
        try:
            visits[inside] = np.linalg.solve(system.T, start[inside])
        except np.linalg.LinAlgError:
            raise ModelValidationError([_trap_problem([])]) from None
        if not np.all(np.isfinite(visits)) or visits.min() < -_TRAP_TOLERANCE:
            raise ModelValidationError([_trap_problem([])])
        return visits

    def total_visits(self, *kinds: str) -> float:
        return float(
            sum(
                self.visits[i]
                for i, name in enumerate(self.steps)
                if self.graph.nodes[name]["kind"] in kinds
            )
        )

    def expected_touchpoints(self) -> float:
        return float(
            sum(
                self.visits[i]
                for i, name in enumerate(self.steps)
                if self.graph.nodes[name]["touchpoint"]
            )
        )

    def end_state_probabilities(self) -> dict[str, float]:
        probabilities = self.visits @ self.absorb
        return dict(zip(self.ends, probabilities.tolist(), strict=True))

    def expected_handoffs(self) -> float:
        """Return the expected lane changes per case, decisions collapsed away."""
        decision = np.array(
            [self.graph.nodes[name]["kind"] == "decision" for name in self.steps]
        )
        # Unreached steps are left out, because a loop among them may be singular.
        work = ~decision & self.reached
        decision &= self.reached
        through = np.linalg.solve(
            np.eye(int(decision.sum())) - self.moves[np.ix_(decision, decision)].T,
            self.moves[np.ix_(work, decision)].T,
        ).T
        collapsed = (
            self.moves[np.ix_(work, work)]
            + through @ (self.moves[np.ix_(decision, work)])
        )
        lanes = [self.graph.nodes[name]["lane"] for name in np.array(self.steps)[work]]
        changes = np.array([[a != b for b in lanes] for a in lanes], dtype=float)
        per_visit = (collapsed * changes).sum(axis=1)
        return float(self.visits[work] @ per_visit)


def _trap_problem(trapped: list[str]) -> Problem:
    names = ", ".join(f"'{name}'" for name in trapped) or "some steps"
    message = (
        f"cases that reach {names} loop forever, because no path from there to an "
        "end state has a positive probability; give a branch towards an end a "
        "positive probability or raise a %C&A"
    )
    return Problem(where="model", field="steps", message=message)
