"""Calibrate an as-is process model from an event log.

The model has one step per activity of the kept variants, routed by the
probabilities of the directly-follows graph (a first-order Markov chain, so rework
loops appear as branches back to an earlier activity). Times come from every case
of the log, kept or not, so rare slow paths still count in the waiting.

The time before an activity is split at ``session_break_minutes``:

- A shorter gap is work within one session. When the log has start and completion
  times, the step's process time is fitted from start to completion and the step
  draws on its group's staff pool. When it has completions only, the gap mixes
  waiting and work, so the step is a task without a pool whose time is the gap:
  an upper bound on the process time.
- A longer gap means that the case waited between sessions (overnight, in a pile,
  for another party). Cases in a log tend to be either handled in one go or
  delayed several times, so these waits are summed per case and modelled once.
  They become the external wait "Wait between work sessions" at the start, taken
  by the share of cases that had any. Drawing them per activity independently
  would spread the delays over too many cases and overstate the median lead time.
"""

from __future__ import annotations

import logging
import math

import pandas as pd

from workbench.errors import EventLogError, ModelError
from workbench.eventlog.discovery import CASE_END, CASE_START, Discovery, discover
from workbench.eventlog.fitting import (
    activity_gaps,
    case_arrivals,
    empirical_samples,
    lead_times,
    max_overlap,
    session_breaks,
    weekly_arrival_profile,
    working_hours,
)
from workbench.eventlog.model_yaml import write_model_yaml
from workbench.loading import model_from_data
from workbench.model import MINUTES_PER_UNIT, ProcessModel
from workbench.validation import validate

__all__ = [
    "DEFAULT_SESSION_BREAK_MINUTES",
    "SESSION_WAIT",
    "CASE_CLOSED",
    "START_SUFFIX",
    "calibrate",
]

logger = logging.getLogger(__name__)

#: Gaps between events longer than this, in minutes, are waits between sessions.
#: Consecutive completions by staff working through a case in one sitting are
#: usually minutes apart, so a longer gap is taken as the case lying in a pile.
DEFAULT_SESSION_BREAK_MINUTES = 15.0

#: Names of the steps that calibration adds beside the activities.
SESSION_WAIT = "Wait between work sessions"
SESSION_DECISION = "Delayed between sessions?"
FIRST_DECISION = "First activity"
CASE_CLOSED = "Case closed"

#: Suffix of the zero-time step that starts cases at an activity that also
#: occurs later in other cases.
START_SUFFIX = " (case start)"

#: An activity counts as having start times when this share of its events has one.
_MIN_START_SHARE = 0.5


def calibrate(
    events: pd.DataFrame,
    discovery: Discovery | None = None,
    *,
    coverage: float = 0.9,
    timezone: str = "UTC",
    session_break_minutes: float = DEFAULT_SESSION_BREAK_MINUTES,
    name: str = "As-is model from event log",
    time_unit: str | None = None,
) -> tuple[ProcessModel, str]:
    """Build a valid as-is model from an event table.

    Parameters
    ----------
    events : pandas.DataFrame
        The event table from :func:`workbench.eventlog.read_log`.
    discovery : Discovery, optional
        The result of :func:`workbench.eventlog.discover`; computed with
        ``coverage`` when not given.
    coverage : float, default 0.9
        Share of cases whose variants define the steps and routing.
    timezone : str, default "UTC"
        The zone of the office's clock, for the arrival profile and the calendar,
        such as ``"Europe/Amsterdam"`` or ``"+01:00"``.
    session_break_minutes : float, default 15
        Gaps longer than this are waits between sessions (see the module notes).
    name : str
        The model name.
    time_unit : {"seconds", "minutes", "hours", "days"}, optional
        Chosen from the median lead time when not given: minutes below one day,
        hours otherwise.

    Returns
    -------
    model : ProcessModel
        The calibrated model; it passes :func:`workbench.validation.validate`.
    yaml_text : str
        The model file, with comments saying where each number came from.

    Raises
    ------
    EventLogError
        If the table has no events, or the model built from it is invalid.
    """
    discovery = discovery or discover(events, coverage)
    if session_break_minutes <= 0:
        raise EventLogError(
            f"session_break_minutes must be positive, received {session_break_minutes}"
        )
    builder = _Builder(events, discovery, timezone, session_break_minutes)
    builder.choose_time_unit(time_unit)
    data = builder.build(name)
    try:
        model = model_from_data(data, source=name)
        warnings = validate(model, source=name)
    except ModelError as error:
        raise EventLogError(f"the calibrated model is invalid: {error}") from None
    for warning in warnings:
        logger.info("calibrated model: %s", warning)
    return model, write_model_yaml(data, builder.notes, builder.header())


class _Builder:
    """Collects the model sections and a provenance note for each element."""

    def __init__(self, events, discovery, timezone, break_minutes):
        self.events = events
        self.discovery = discovery
        self.timezone = timezone
        self.break_minutes = break_minutes
        self.gaps = activity_gaps(events)
        self.notes: dict[tuple[str, str], str] = {}
        self.steps: list[dict] = []
        self.lanes = discovery.activities["lane"].to_dict()
        starts = self.gaps.groupby("activity")["start_at"].apply(
            lambda s: s.notna().mean()
        )
        self.timed = set(starts.index[starts >= _MIN_START_SHARE])
        self.start_twins = self._find_start_twins()

    def _find_start_twins(self) -> set[str]:
        """Find completion-only activities that start some cases and follow in others.

        The first event of a case is its arrival, so it takes no time, while a
        later visit takes its gap. Such an activity gets a zero-time twin step,
        "<activity> (case start)", that cases start at.
        """
        kept = self.gaps[self.gaps["case_id"].isin(self.discovery.kept_cases)]
        firsts = set(kept["activity"][kept["first"]])
        later = set(kept["activity"][~kept["first"]])
        return (firsts & later) - self.timed

    def choose_time_unit(self, time_unit: str | None) -> None:
        median = float(lead_times(self.events).median())
        if time_unit is None:
            time_unit = "minutes" if median < 1440 else "hours"
        if time_unit not in MINUTES_PER_UNIT:
            raise EventLogError(
                f"unknown time unit {time_unit!r}; use seconds, minutes, hours or days"
            )
        self.time_unit = time_unit
        self.scale = MINUTES_PER_UNIT[time_unit]

    def header(self) -> str:
        cases = self.events["case_id"].nunique()
        d = self.discovery
        return (
            f"Calibrated from an event log of {cases} cases and "
            f"{len(self.events)} events.\n"
            f"Steps and routing come from the {len(d.kept_cases)} cases of the "
            f"{int(d.variants['kept'].sum())} most frequent variants "
            f"({d.covered:.1%} of cases, coverage {d.coverage:g}).\n"
            f"Times are in {self.time_unit}. Clock times are in {self.timezone}."
        )

    def build(self, name: str) -> dict:
        first_step = self._add_start_steps()
        for activity in self._activities_in_order():
            self._add_activity(activity)
        for activity in sorted(self.start_twins):
            self._add_start_twin(activity)
        self._add_case_closed()
        lanes = sorted({s["lane"] for s in self.steps if "lane" in s})
        pools = self._pools()
        lanes += sorted({p["name"].removesuffix(" staff") for p in pools} - set(lanes))
        return {
            "name": name,
            "description": "As-is model calibrated from an event log.",
            "time_unit": self.time_unit,
            "calendar": self._calendar(),
            "lanes": [{"name": lane} for lane in lanes],
            "pools": pools,
            "arrivals": self._arrivals(first_step),
            "steps": self.steps,
        }

    def _activities_in_order(self) -> list[str]:
        """Return the kept activities by mean position in their cases, then name."""
        kept = self.events[self.events["case_id"].isin(self.discovery.kept_cases)]
        position = kept.groupby("case_id", sort=False).cumcount()
        mean = position.groupby(kept["activity"]).mean()
        return sorted(mean.index, key=lambda activity: (mean[activity], activity))

    # Routing ----------------------------------------------------------------

    def _successors(self, source: str) -> pd.DataFrame:
        edges = self.discovery.edges
        return edges[edges["source"] == source].sort_values(
            ["count", "target"], ascending=[False, True], kind="mergesort"
        )

    def _target_name(self, target: str, source: str) -> str:
        if target == CASE_END:
            return CASE_CLOSED
        if source == CASE_START and target in self.start_twins:
            return target + START_SUFFIX
        return target

    def _route(self, source: str, decision_name: str) -> dict:
        """Return the routing fields for the successors of ``source`` in the DFG."""
        successors = self._successors(source)
        if len(successors) == 1:
            target = successors["target"].iloc[0]
            if target == CASE_END:
                return {"end": "resolved"}
            return {"next": self._target_name(target, source)}
        if not any(s["name"] == decision_name for s in self.steps):
            self._add_decision(decision_name, successors, source)
        return {"next": decision_name}

    def _add_decision(self, name: str, successors: pd.DataFrame, source: str) -> None:
        total = int(successors["count"].sum())
        targets = [self._target_name(t, source) for t in successors["target"]]
        probabilities = _probabilities(successors["count"].tolist())
        branches = [
            {"to": target, "probability": p}
            for target, p in zip(targets, probabilities, strict=True)
        ]
        self.steps.append({"name": name, "kind": "decision", "branches": branches})
        counts_text = ", ".join(
            f"{t} {c}" for t, c in zip(targets, successors["count"], strict=True)
        )
        relation = (
            "cases start with" if source == CASE_START else f"'{source}' is followed by"
        )
        self.notes["steps", name] = (
            f"Directly-follows counts of the kept cases ({total} in all): "
            f"{relation} {counts_text}."
        )

    # Steps ------------------------------------------------------------------

    def _add_start_steps(self) -> str:
        first_step = self._route(CASE_START, FIRST_DECISION)["next"]
        breaks = session_breaks(self.gaps, self.break_minutes)
        delayed = breaks[breaks > 0]
        if delayed.empty:
            return first_step

        self._add_session_decision(first_step, len(delayed), len(breaks))
        self._add_session_wait(first_step, delayed)
        return SESSION_DECISION

    def _add_session_decision(self, first_step: str, delayed: int, cases: int) -> None:
        share = delayed / cases
        self.steps.append(
            {
                "name": SESSION_DECISION,
                "kind": "decision",
                "branches": [
                    {"to": SESSION_WAIT, "probability": round(share, 6)},
                    {"to": first_step, "probability": round(1 - round(share, 6), 6)},
                ],
            }
        )
        self.notes["steps", SESSION_DECISION] = (
            f"{delayed} of {cases} cases ({share:.1%}) had at least one gap "
            f"over {self.break_minutes:g} minutes between events."
        )

    def _add_session_wait(self, first_step: str, delayed: pd.Series) -> None:
        wait_lane = self.lanes.get(first_step) or self._main_lane()
        self.steps.append(
            {
                "name": SESSION_WAIT,
                "kind": "wait",
                "lane": wait_lane,
                "wait_for": "other",
                "duration": self._empirical(delayed),
                "next": first_step,
            }
        )
        self.notes["steps", SESSION_WAIT] = (
            f"Per delayed case, the sum of its gaps over {self.break_minutes:g} "
            f"minutes (waiting between work sessions), from {len(delayed)} cases of "
            "the whole log. Placed at the start because delays cluster in the same "
            "cases. The elapsed time includes nights and weekends, so the wait runs "
            "around the clock."
        )

    def _add_activity(self, activity: str) -> None:
        rows = self.gaps[self.gaps["activity"] == activity]
        routing = self._route(activity, f"After {activity}")
        step = {"name": activity, "kind": "task", "lane": self.lanes[activity]}
        if activity in self.timed:
            step["pool"] = f"{self.lanes[activity]} staff"
            values = rows["process"].dropna()
            source = f"Process time: start to completion of {len(values)} events."
        else:
            inner = rows[~rows["first"] & (rows["gap"] <= self.break_minutes)]
            values = inner["gap"]
            source = self._gap_source(rows, len(values))
        step["duration"] = self._empirical(values) if len(values) else _zero()
        self.steps.append({**step, **routing})
        self.notes["steps", activity] = f"{len(rows)} events in the whole log. {source}"

    def _gap_source(self, rows: pd.DataFrame, used: int) -> str:
        if used:
            return (
                f"Time: gaps of {used} events from the previous completion, up to "
                f"{self.break_minutes:g} minutes. The log has completion times only, "
                "so each gap is waiting plus work, and the step takes no staff."
            )
        if rows["first"].all():
            return (
                "Zero time: the activity only starts cases, and a case arrives when "
                "its first event completes."
            )
        return (
            f"Zero time: every gap before it is over {self.break_minutes:g} minutes, "
            "so its time is in the wait between work sessions."
        )

    def _add_start_twin(self, activity: str) -> None:
        name = activity + START_SUFFIX
        routing = self._route(activity, f"After {activity}")
        self.steps.append(
            {"name": name, "lane": self.lanes[activity], "duration": _zero(), **routing}
        )
        self.notes["steps", name] = (
            f"'{activity}' as the first event of a case: the case arrives when it "
            "completes, so it takes no time here; later visits go to the step "
            f"'{activity}'."
        )

    def _add_case_closed(self) -> None:
        if not any(
            b["to"] == CASE_CLOSED for s in self.steps for b in s.get("branches", [])
        ):
            return
        ends = self.discovery.edges[self.discovery.edges["target"] == CASE_END]
        last = ends.sort_values("count", ascending=False)["source"].iloc[0]
        self.steps.append(
            {
                "name": CASE_CLOSED,
                "lane": self.lanes[last],
                "duration": _zero(),
                "end": "resolved",
            }
        )
        self.notes["steps", CASE_CLOSED] = (
            "Marks the end of a case that could also continue; it takes no time. The "
            "log records no outcome, so every case ends resolved."
        )

    def _empirical(self, minutes: pd.Series) -> dict:
        return {"dist": "empirical", "samples": empirical_samples(minutes, self.scale)}

    def _main_lane(self) -> str:
        return self.discovery.activities.sort_values("events")["lane"].iloc[-1]

    # Staff, calendar and arrivals ----------------------------------------------

    def _pools(self) -> list[dict]:
        pools = self._pools_from_resources()
        named = {pool["name"] for pool in pools}
        for lane in sorted({self.lanes[a] for a in self.timed if a in self.lanes}):
            if f"{lane} staff" not in named:
                pools.append(self._pool_from_overlap(lane))
        return pools

    def _pools_from_resources(self) -> list[dict]:
        named = self.events[self.events["resource"] != ""]
        if named.empty:
            return []
        # Each resource counts once, in the lane of its most frequent activity, so
        # the pools add up to the people in the log.
        home = named.groupby("resource")["activity"].agg(
            lambda a: self.lanes.get(a.value_counts().index[0], "")
        )
        pools = []
        for lane, resources in home.groupby(home).groups.items():
            if not lane:
                continue
            name = f"{lane} staff"
            pools.append({"name": name, "capacity": len(resources)})
            self.notes["pools", name] = (
                f"{len(resources)} distinct resources whose most frequent activity is "
                f"in lane {lane}."
            )
        return pools

    def _pool_from_overlap(self, lane: str) -> dict:
        activities = [a for a, home in self.lanes.items() if home == lane]
        rows = self.events[self.events["activity"].isin(activities)]
        capacity = max(max_overlap(rows["start_at"], rows["end_at"]), 1)
        name = f"{lane} staff"
        self.notes["pools", name] = (
            f"No resource of the log is based in lane {lane}, so the capacity is the "
            f"largest number of its activities in progress at once ({capacity})."
        )
        return {"name": name, "capacity": capacity}

    def _calendar(self) -> dict:
        hours = working_hours(self.events["end_at"], self.timezone)
        self.notes["calendar", ""] = (
            "Opening hours: 1st to 99th percentile of event times per weekday, in "
            f"{self.timezone}; weekdays with under 2% of events are closed. Holidays "
            "of the log's years are not carried over."
        )
        return {"hours": hours or {"mon": "00:00-24:00"}}

    def _arrivals(self, first_step: str) -> list[dict]:
        arrivals = case_arrivals(self.events)
        rate, profile = weekly_arrival_profile(arrivals, self.timezone)
        channels = self.events.groupby("case_id", sort=False)["channel"].first()
        shares = channels.value_counts(normalize=True)
        if len(shares) <= 1:
            shares = pd.Series({channels.iloc[0] or "in_person": 1.0})
        streams = []
        for channel, share in shares.items():
            stream = "Cases" if len(shares) == 1 else f"{channel} cases"
            streams.append(
                {
                    "name": stream,
                    "channel": channel or "in_person",
                    "start": first_step,
                    "rate_per_hour": round(rate * share, 6),
                    "weekly_profile": profile,
                }
            )
            self.notes["arrivals", stream] = (
                f"{share:.1%} of {len(arrivals)} cases, arrival being the first event; "
                f"{rate:.4g} cases per hour over {arrivals.min():%Y-%m-%d} to "
                f"{arrivals.max():%Y-%m-%d}. Weights: arrivals per hour of the week "
                "in the log's clock, divided by the mean rate."
            )
        return streams


def _zero() -> dict:
    return {"dist": "fixed", "value": 0.0}


def _probabilities(counts: list[int]) -> list[float]:
    """Turn counts into probabilities rounded to 6 places that sum to 1."""
    total = sum(counts)
    rounded = [round(c / total, 6) for c in counts]
    # The largest share absorbs the rounding, so the sum is exactly 1.
    rounded[0] = round(1.0 - math.fsum(rounded[1:]), 6)
    return rounded
