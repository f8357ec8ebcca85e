"""The process model: one frozen, typed representation that every module reads.

A :class:`ProcessModel` is what one YAML scenario file contains. Pydantic checks here
the rules of a single value, such as a negative capacity or an unknown value class.
:mod:`workbench.validation` checks the rules across elements, such as unknown
references, unreachable steps and probabilities that do not sum to 1.

Durations are in the model's ``time_unit``; clock times are ``"HH:MM"`` strings.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from workbench.distributions import Distribution

__all__ = [
    "WEEKDAYS",
    "TIME_UNITS",
    "MINUTES_PER_UNIT",
    "PROBABILITY_TOLERANCE",
    "Calendar",
    "Lane",
    "Shift",
    "Pool",
    "ArrivalStream",
    "Branch",
    "Parallel",
    "Batch",
    "Step",
    "Change",
    "ProcessModel",
]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TIME_UNITS = ("seconds", "minutes", "hours", "days")
MINUTES_PER_UNIT = {"seconds": 1 / 60, "minutes": 1.0, "hours": 60.0, "days": 1440.0}

#: Branch probabilities of a decision must sum to 1 within this absolute tolerance.
PROBABILITY_TOLERANCE = 1e-6

_HOURS_PATTERN = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
ValueClass = Literal["VA", "BVA", "NVA"]
EndState = Literal["resolved", "withdrawn", "abandoned", "transferred_out"]
StepKind = Literal["task", "wait", "decision"]
WaitFor = Literal["customer", "mail", "agency", "other"]


class _Frozen(BaseModel):
    # Infinite or NaN rates, capacities and costs would break the simulation.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def parse_hours(text: str) -> tuple[float, float]:
    """Parse ``"08:00-16:30"`` into start and end minutes after midnight.

    Raises
    ------
    ValueError
        If the text is not ``HH:MM-HH:MM`` or the end is not after the start.
    """
    match = _HOURS_PATTERN.match(text.strip())
    if not match:
        raise ValueError(f"expected hours like '08:00-16:30', received {text!r}")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if m1 > 59 or m2 > 59 or start > 1440 or end > 1440:
        raise ValueError(f"invalid clock time in {text!r}")
    if end <= start:
        raise ValueError(f"the end of {text!r} must be after its start")
    return float(start), float(end)


class Calendar(_Frozen):
    """The working calendar: opening hours per weekday and holidays.

    A weekday missing from ``hours`` is closed. A model without a calendar is open
    around the clock, every day.
    """

    hours: dict[Weekday, str] = Field(
        description="Opening hours per weekday, such as {mon: '08:00-16:30'}."
    )
    holidays: list[dt.date] = Field(default_factory=list, description="Closed dates.")

    @field_validator("hours")
    @classmethod
    def _check_hours(cls, value: dict[str, str]) -> dict[str, str]:
        for text in value.values():
            parse_hours(text)
        return value


class Lane(_Frozen):
    """A swimlane: a department, a role, an IT system or the customer."""

    name: str = Field(min_length=1, description="The lane's name.")
    kind: Literal["department", "role", "system", "customer"] = Field(
        default="department",
        description="A department, a role, an IT system or the customer.",
    )


class Shift(_Frozen):
    """Staff on duty during one window of the week."""

    days: list[Weekday] = Field(min_length=1, description="Weekdays the shift works.")
    hours: str = Field(description="Clock window, such as '08:00-12:00'.")
    capacity: int = Field(ge=0, description="Staff on duty in the window.")

    @field_validator("hours")
    @classmethod
    def _check_hours(cls, value: str) -> str:
        parse_hours(value)
        return value


class Pool(_Frozen):
    """A staff pool that steps draw on.

    Without ``shifts``, ``capacity`` staff are on duty whenever the calendar is open.
    With ``shifts``, the shifts define the whole week (zero staff outside them) and
    ``capacity`` is ignored; holidays close the pool either way.
    """

    name: str = Field(min_length=1, description="The pool's name.")
    capacity: int = Field(default=1, ge=1, description="Staff on duty.")
    shifts: list[Shift] = Field(
        default_factory=list,
        description="When given, the shifts define the whole week and capacity "
        "is ignored.",
    )
    cost_per_hour: float = Field(
        default=0.0, ge=0, description="Labour cost per staff hour."
    )


class ArrivalStream(_Frozen):
    """New cases arriving by one channel.

    Give exactly one of ``rate_per_hour``, ``rate_per_day`` or ``mean_interarrival``
    (in the model's time unit). The rate at a moment is the base rate times the
    ``hour_profile`` weight of that hour times the ``weekday_profile`` weight of that
    day. ``weekly_profile`` replaces both with 24 weights per weekday.
    """

    name: str = Field(min_length=1, description="The stream's name.")
    channel: str = Field(
        default="in_person",
        min_length=1,
        description="Such as in_person, phone, online, email or social.",
    )
    start: str = Field(description="The first step of every case from this stream.")
    rate_per_hour: float | None = Field(
        default=None, gt=0, description="Mean arrivals per hour."
    )
    rate_per_day: float | None = Field(
        default=None, gt=0, description="Mean arrivals per day, spread over 24 hours."
    )
    mean_interarrival: float | None = Field(
        default=None,
        gt=0,
        description="Mean time between arrivals, in the model's time unit.",
    )
    hour_profile: list[float] | None = Field(
        default=None,
        min_length=24,
        max_length=24,
        description="24 rate multipliers, one per clock hour from 00:00.",
    )
    weekday_profile: dict[Weekday, float] | None = Field(
        default=None,
        description="Rate multiplier per weekday; a missing weekday has weight 1.",
    )
    weekly_profile: dict[Weekday, list[float]] | None = Field(
        default=None,
        description="24 rate multipliers per weekday, in place of hour_profile "
        "and weekday_profile.",
    )
    open_hours_only: bool = Field(
        default=False, description="Arrivals only while the calendar is open."
    )
    priority: int = Field(default=0, description="Smaller numbers are served first.")
    backlog: int = Field(default=0, ge=0, description="Cases waiting at time zero.")

    @model_validator(mode="after")
    def _check_rate(self):
        given = [
            name
            for name in ("rate_per_hour", "rate_per_day", "mean_interarrival")
            if getattr(self, name) is not None
        ]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of rate_per_hour, rate_per_day or "
                f"mean_interarrival, received {given or 'none'}"
            )
        profiles = list((self.weekly_profile or {}).values())
        if self.hour_profile is not None:
            profiles.append(self.hour_profile)
        for weights in profiles:
            if any(w < 0 for w in weights):
                raise ValueError("profile weights must not be negative")
            if len(weights) != 24:
                raise ValueError(
                    f"a day profile needs 24 weights, received {len(weights)}"
                )
        if any(w < 0 for w in (self.weekday_profile or {}).values()):
            raise ValueError("weekday_profile weights must not be negative")
        return self


class Branch(_Frozen):
    """One outgoing branch of a decision."""

    to: str = Field(description="The step the branch leads to.")
    probability: float = Field(
        ge=0, le=1, description="The chance that a case takes this branch."
    )
    label: str = Field(default="", description="A label for the map.")


class Parallel(_Frozen):
    """A parallel split: every branch runs, and the case continues at ``join``."""

    branches: list[str] = Field(
        min_length=2, description="The first step of each branch."
    )
    join: str = Field(
        description="The step where the branches meet. It runs once, when every "
        "branch has arrived."
    )


class Batch(_Frozen):
    """Cases wait before a step until a batch is released.

    ``size`` releases a batch when that many cases wait. ``meets`` releases every
    waiting case (up to ``max_size``) at fixed times of the week, such as a review
    board that meets on Tuesdays at 10:00.
    """

    size: int | None = Field(
        default=None, ge=1, description="Release a batch when this many cases wait."
    )
    meets: list[tuple[Weekday, str]] | None = Field(
        default=None, description="Meeting times, such as [[tue, '10:00']]."
    )
    max_size: int | None = Field(
        default=None,
        ge=1,
        description="The maximum number of cases that one meeting releases.",
    )

    @model_validator(mode="after")
    def _check_rule(self):
        if (self.size is None) == (self.meets is None):
            raise ValueError("give exactly one of size or meets")
        for _, clock in self.meets or []:
            parse_hours(f"{clock}-24:00")
        return self


class Step(_Frozen):
    """A node of the process: a task, an external wait or a decision.

    Routing takes exactly one of ``next``, ``branches`` (a decision), ``parallel``
    (a split) or ``end`` (an end state). A ``decision`` routes at no cost in time.
    """

    name: str = Field(min_length=1, description="The step's name.")
    kind: StepKind = Field(
        default="task",
        description="task (work), wait (an external wait that uses no staff) or "
        "decision (routes by branches in zero time).",
    )
    lane: str | None = Field(default=None, description="Required except for decisions.")
    value_class: ValueClass = Field(
        default="NVA",
        description="Value-added, business-value-added or non-value-added.",
    )
    pool: str | None = Field(default=None, description="None for self-service steps.")
    duration: Distribution | None = Field(
        default=None,
        description="Process time of a task or waiting time of a wait, in the "
        "model's time unit.",
    )
    pca: float = Field(
        default=100.0,
        gt=0,
        le=100,
        description="Percent complete and accurate of the step's output.",
    )
    rework_to: str | None = Field(
        default=None, description="Where rework returns; the step itself by default."
    )
    touchpoint: bool = Field(default=False, description="The customer takes part.")
    wait_for: WaitFor | None = Field(default=None, description="Party waited for.")
    working_hours_only: bool = Field(
        default=False, description="A wait advances only while the calendar is open."
    )
    patience: Distribution | None = Field(
        default=None, description="Time a case waits in the queue before it abandons."
    )
    batch: Batch | None = Field(
        default=None, description="Cases wait before the step for a batch release."
    )
    next: str | None = Field(default=None, description="The next step.")
    branches: list[Branch] | None = Field(
        default=None, description="A decision's branches, chosen by probability."
    )
    parallel: Parallel | None = Field(
        default=None, description="Every branch runs, then the case continues at join."
    )
    end: EndState | None = Field(
        default=None, description="The case ends here in this end state."
    )

    @model_validator(mode="after")
    def _check_routing(self):
        routes = [
            name
            for name in ("next", "branches", "parallel", "end")
            if getattr(self, name) is not None
        ]
        if len(routes) != 1:
            raise ValueError(
                "give exactly one of next, branches, parallel or end, "
                f"received {routes or 'none'}"
            )
        return self

    @property
    def is_decision(self) -> bool:
        return self.kind == "decision"


class Change(_Frozen):
    """One recorded redesign move that turned the before-scenario into this one."""

    label: str
    action: str = Field(description="Such as remove_step, merge_steps, set_staff.")
    target: str = ""
    details: dict[str, object] = Field(default_factory=dict)


class ProcessModel(_Frozen):
    """One scenario of a service process, as written in one YAML file."""

    name: str = Field(min_length=1, description="The scenario's name.")
    description: str = ""
    time_unit: Literal["seconds", "minutes", "hours", "days"] = Field(
        default="minutes", description="The unit of every duration in the file."
    )
    calendar: Calendar | None = Field(
        default=None,
        description="Opening hours and holidays. Without it, the process is "
        "always open.",
    )
    lanes: list[Lane] = Field(min_length=1, description="The swimlanes.")
    pools: list[Pool] = Field(default_factory=list, description="The staff pools.")
    arrivals: list[ArrivalStream] = Field(
        min_length=1, description="Where new cases come from."
    )
    steps: list[Step] = Field(
        min_length=1, description="The tasks, waits and decisions."
    )
    changes: list[Change] = Field(
        default_factory=list, description="Redesign moves from the before-scenario."
    )

    def step(self, name: str) -> Step:
        """Return the step called ``name``; raise ``KeyError`` if there is none."""
        for step in self.steps:
            if step.name == name:
                return step
        raise KeyError(name)

    def pool(self, name: str) -> Pool:
        """Return the pool called ``name``; raise ``KeyError`` if there is none."""
        for pool in self.pools:
            if pool.name == name:
                return pool
        raise KeyError(name)

    @property
    def minutes_per_unit(self) -> float:
        """Minutes in one time unit of this model."""
        return MINUTES_PER_UNIT[self.time_unit]
