"""Write the phone line's scenarios from a month of real call-centre data.

The data is every call to the call centre of a small Israeli bank in February 1999
(the Technion "Anonymous Bank" data, A. Mandelbaum and I. Guedj). The script
estimates arrivals per weekday-hour, service time, callers' patience and agents on
duty, and writes two model files in seconds, with a comment beside each number
saying where it came from:

- ``process_models/phone_line/before.yaml``: the line as the data shows it.
- ``process_models/phone_line/after.yaml``: shorter recorded messages, a call-back
  offer instead of holding, and the same agent hours spread by demand.

Usage::

    python examples/calibrate_phone_line.py --data PATH/anonymous_bank_1999-02.tsv
"""

from __future__ import annotations

import argparse
import logging
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from workbench.calibration.call_center import (
    PatienceEstimate,
    agents_per_weekday_hour,
    arrivals_per_weekday_hour,
    estimate_patience,
    fit_service_time,
    read_call_log,
    square_root_staffing,
    vru_hang_up_share,
    vru_time_quantiles,
)
from workbench.distributions import Lognormal
from workbench.loading import parse_model
from workbench.model import WEEKDAYS

logger = logging.getLogger("calibrate_phone_line")

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = (
    REPO.parent / "shared" / "data" / "call_center" / "anonymous_bank_1999-02.tsv"
)
DEFAULT_FOLDER = REPO / "process_models" / "phone_line"

#: Effective agents per agent seen serving in an hour. Of the factors 0.6, 0.65,
#: 0.7, 0.75, 0.8 and 1.0, simulating the model with 0.65 came closest to the share
#: of queued callers who hang up and to their mean wait, as
#: ``examples/phone_line_agent_factors.py`` shows.
DEFAULT_AGENT_FACTOR = 0.65

#: Equally likely VRU times in the empirical distribution of the recorded messages.
VRU_SAMPLES = 50

#: The after-scenario's recorded messages last this share of today's.
SHORTER_MESSAGES_FACTOR = 0.5

#: Share of callers who accept the call-back offer in the after-scenario. This is
#: an assumption to check in a pilot, not an estimate from the data.
CALLBACK_SHARE = 0.25

#: The agent calls back between these many seconds after the offer is accepted.
CALLBACK_DELAY_SECONDS = (300, 1200)


_LANES = ["  - {name: Phone system, kind: system}", "  - {name: Agents, kind: role}"]
_CALLER_LANE = "  - {name: Caller, kind: customer}"


@dataclass(frozen=True)
class Estimates:
    """Everything the scenarios take from the call log, with durations in seconds."""

    arrivals: pd.DataFrame  # calls per hour that reach the queue, weekday x hour
    queue_calls: int
    days: int
    vru_hang_up_share: float
    agents_seen: pd.DataFrame  # distinct agents serving, weekday x hour
    service: Lognormal
    patience: PatienceEstimate
    vru_samples: list[float]


def estimate(calls: pd.DataFrame) -> Estimates:
    """Estimate the phone line's inputs from a call log read by ``read_call_log``."""
    to_queue = calls[~((calls["outcome"] == "HANG") & (calls["q_time"] == 0))]
    return Estimates(
        arrivals=arrivals_per_weekday_hour(to_queue),
        queue_calls=len(to_queue),
        days=(calls["day"].max() - calls["day"].min()).days + 1,
        vru_hang_up_share=vru_hang_up_share(calls),
        agents_seen=agents_per_weekday_hour(calls),
        service=fit_service_time(calls),
        patience=estimate_patience(calls),
        vru_samples=vru_time_quantiles(calls, VRU_SAMPLES),
    )


def effective_agents(agents_seen: pd.DataFrame, factor: float) -> pd.DataFrame:
    """Return whole effective agents per weekday-hour: seen agents times ``factor``."""
    return agents_seen.map(lambda seen: math.floor(seen * factor + 0.5))


def _flow_list(values: list[float], indent: str, per_line: int) -> str:
    """Format numbers as a YAML flow sequence wrapped to ``per_line`` per line."""
    texts = [f"{value:g}" for value in values]
    lines = [", ".join(texts[i : i + per_line]) for i in range(0, len(texts), per_line)]
    return "[" + (",\n" + indent).join(lines) + "]"


def _header_lines(scenario: str, description: list[str], lanes: list[str]) -> list[str]:
    return [
        "# Phone line of a small bank's call centre, calibrated from every call of",
        "# February 1999 (Technion 'Anonymous Bank' call-centre data). Written by",
        "# examples/calibrate_phone_line.py, so change the script and run it again",
        "# instead of editing this file. Every duration is in seconds.",
        f"name: Phone line ({scenario})",
        "description: >-",
        *[f"  {line}" for line in description],
        "time_unit: seconds",
        "lanes:",
        *lanes,
    ]


def _pool_lines(agents: pd.DataFrame, comment: list[str]) -> list[str]:
    """Return the agents' pool with one shift per weekday-hour that has agents."""
    lines = ["pools:", "  - name: Agents", *[f"    # {line}" for line in comment]]
    lines.append("    shifts:")
    for weekday in WEEKDAYS:
        for hour in range(24):
            capacity = int(agents.loc[weekday, hour])
            if capacity > 0:
                window = f"{hour:02d}:00-{hour + 1:02d}:00"
                lines.append(
                    f"      - {{days: [{weekday}], hours: '{window}', "
                    f"capacity: {capacity}}}"
                )
    return lines


def _arrival_lines(estimates: Estimates) -> list[str]:
    """Return the YAML lines of the callers' arrival stream."""
    base_rate = estimates.arrivals.to_numpy().sum() / (7 * 24)
    lines = [
        "arrivals:",
        "  - name: Callers",
        "    channel: phone",
        "    start: Recorded messages",
        f"    # {estimates.queue_calls:,} calls went on from the messages to the",
        f"    # agents' queue in the {estimates.days} days of the log. The base rate",
        "    # is their mean per hour over the week. Each weight is the mean count in",
        "    # that weekday-hour (the count divided by the number of such weekdays)",
        "    # divided by the base rate.",
        f"    rate_per_hour: {base_rate:.3f}",
        "    weekly_profile:",
    ]
    weights = (estimates.arrivals / base_rate).round(3)
    for weekday in WEEKDAYS:
        values = _flow_list(list(weights.loc[weekday]), " " * 11, per_line=10)
        lines.append(f"      {weekday}: {values}")
    return lines


def _messages_lines(samples: list[float], comment: list[str], next_step: str):
    return [
        "  - name: Recorded messages",
        "    lane: Phone system",
        "    value_class: NVA",
        *[f"    # {line}" for line in comment],
        "    duration:",
        "      dist: empirical",
        f"      samples: {_flow_list(samples, ' ' * 16, per_line=20)}",
        f"    next: {next_step}",
    ]


def _agent_call_lines(name: str, estimates: Estimates, patience: bool) -> list[str]:
    service = estimates.service
    lines = [
        f"  - name: {name}",
        "    lane: Agents",
        "    pool: Agents",
        "    value_class: VA",
        "    touchpoint: true",
        "    # Served calls with a service time above zero: a lognormal with the",
        "    # sample mean and standard deviation.",
        f"    duration: {{dist: lognormal, mean: {service.mean:g}, "
        f"sd: {service.sd:g}}}",
    ]
    if patience:
        estimate = estimates.patience
        lines += [
            "    # Exponential, by maximum likelihood with censoring: "
            f"{estimate.hang_ups:,} queued",
            f"    # callers hung up (observed patience) and {estimate.censored:,} were",
            "    # served or vanished (censored), so the mean is their total queue",
            f"    # wait of {estimate.exposure:,.0f} s divided by "
            f"{estimate.hang_ups:,}.",
            f"    patience: {{dist: exponential, mean: {estimate.mean:.1f}}}",
        ]
    return lines + ["    end: resolved"]


def build_before_yaml(estimates: Estimates, agent_factor: float) -> str:
    """Return the text of the before-scenario: the phone line as the data shows it.

    Parameters
    ----------
    estimates : Estimates
        From :func:`estimate`.
    agent_factor : float
        Effective agents per distinct agent seen serving in an hour.
    """
    description = [
        "Callers hear recorded messages, then wait for an agent and hang up when",
        "their patience runs out. The arrivals leave out the",
        f"{estimates.vru_hang_up_share:.1%} of callers who hung up during the",
        "messages.",
    ]
    pool_comment = [
        "One shift per weekday-hour. The capacity is the mean number of distinct",
        "agents who served some part of a call in that hour, over the month's days",
        f"of that weekday, times the effective-agent factor {agent_factor:g}, rounded",
        "to the nearest whole agent. An agent who took one call in an hour counts",
        "as seen for the whole hour, so the factor corrects the count to agents",
        "answering the queue.",
    ]
    messages_comment = [
        "The VRU time of callers who went on to the queue: the quantiles at the",
        f"midpoints of {VRU_SAMPLES} equal probability bins.",
    ]
    lines = _header_lines("before", description, _LANES)
    lines += _pool_lines(
        effective_agents(estimates.agents_seen, agent_factor), pool_comment
    )
    lines += _arrival_lines(estimates)
    lines += ["steps:"]
    lines += _messages_lines(estimates.vru_samples, messages_comment, "Agent call")
    lines += _agent_call_lines("Agent call", estimates, patience=True)
    return "\n".join(lines) + "\n"


def _callback_lines(estimates: Estimates) -> list[str]:
    low, high = CALLBACK_DELAY_SECONDS
    hold_share = round(1 - CALLBACK_SHARE, 6)
    return [
        "  - name: Hold or call back",
        "    kind: decision",
        f"    # Assumed: {CALLBACK_SHARE:.0%} of callers accept a call-back.",
        "    branches:",
        f"      - {{to: Agent call, probability: {hold_share:g}, label: holds}}",
        f"      - {{to: Wait for call-back, probability: {CALLBACK_SHARE:g}, "
        "label: accepts a call-back}",
        "  - name: Wait for call-back",
        "    kind: wait",
        "    lane: Caller",
        "    value_class: NVA",
        "    wait_for: other",
        "    # The caller hangs up and is called back within the promised window.",
        f"    duration: {{dist: uniform, low: {low}, high: {high}}}",
        "    next: Agent call-back",
        *_agent_call_lines("Agent call-back", estimates, patience=False),
    ]


def _change_lines(agent_hours: int) -> list[str]:
    names = "[Hold or call back, Wait for call-back, Agent call-back, Caller]"
    return [
        "changes:",
        "  - label: Shorter recorded messages",
        "    action: shorten_step",
        "    target: Recorded messages",
        f"    details: {{share_of_before: {SHORTER_MESSAGES_FACTOR:g}}}",
        "  - label: Call-back offer instead of holding",
        "    action: add_callback",
        "    target: Hold or call back",
        "    details:",
        f"      elements: {names}",
        f"      accept_share: {CALLBACK_SHARE:g}",
        "  - label: Staffing matched to hourly demand",
        "    action: set_shifts",
        "    target: Agents",
        f"    details: {{agent_hours_per_week: {agent_hours}}}",
    ]


def build_after_yaml(estimates: Estimates, agent_factor: float) -> str:
    """Return the text of the after-scenario, the redesign of the phone line.

    The redesign shortens the recorded messages, offers a call-back to callers
    who would otherwise hold, and spreads the before-scenario's weekly agent hours
    over the weekday-hours by square-root staffing on the offered load.

    Parameters
    ----------
    estimates : Estimates
        From :func:`estimate`.
    agent_factor : float
        Effective agents per distinct agent seen serving in an hour, which sets
        the before-scenario's agent hours.
    """
    agent_hours = int(effective_agents(estimates.agents_seen, agent_factor).sum().sum())
    load = estimates.arrivals * estimates.service.mean / 3600.0
    agents = square_root_staffing(load, agent_hours)
    description = [
        "The redesigned line: shorter recorded messages, a call-back offer instead",
        "of holding, and the same agent hours spread by hourly demand.",
    ]
    pool_comment = [
        f"The before-scenario's {agent_hours} agent hours a week, spread by the",
        "square-root staffing rule: R + beta * sqrt(R) agents in an hour with an",
        "offered load of R erlangs (calls per hour times the mean service time),",
        "beta chosen to keep the total and rounded by largest remainders.",
    ]
    samples = [round(s * SHORTER_MESSAGES_FACTOR) for s in estimates.vru_samples]
    messages_comment = [
        f"Today's VRU times times {SHORTER_MESSAGES_FACTOR:g}, rounded to whole",
        "seconds: the greeting and menu are cut to what callers need.",
    ]
    lines = _header_lines("after", description, [_CALLER_LANE, *_LANES])
    lines += _pool_lines(agents, pool_comment) + _arrival_lines(estimates)
    lines += ["steps:"]
    lines += _messages_lines(samples, messages_comment, "Hold or call back")
    lines += _agent_call_lines("Agent call", estimates, patience=True)
    lines += _callback_lines(estimates) + _change_lines(agent_hours)
    return "\n".join(lines) + "\n"


def _parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="The tab-separated call log."
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_FOLDER,
        help="The folder to write before.yaml and after.yaml to.",
    )
    parser.add_argument(
        "--agent-factor",
        type=float,
        default=DEFAULT_AGENT_FACTOR,
        help="Effective agents per agent seen serving in an hour "
        "(default %(default)s).",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Estimate both scenarios from the call log and write them."""
    arguments = _parse_arguments(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    calls = read_call_log(arguments.data)
    estimates = estimate(calls)
    arguments.output.mkdir(parents=True, exist_ok=True)
    for scenario, build in (("before", build_before_yaml), ("after", build_after_yaml)):
        path = arguments.output / f"{scenario}.yaml"
        text = build(estimates, arguments.agent_factor)
        parse_model(text, str(path))
        path.write_text(text, encoding="utf-8")
        logger.info("wrote %s from %d calls", path, len(calls))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
