"""Simulate the phone line with several effective-agent factors and print the fit.

For each factor, the script builds the before-scenario as
``calibrate_phone_line.py`` would and simulates months of it. It prints four
figures beside the log's own: the share of queued callers who hang up, the mean
wait of callers who queued and were then served, the mean service time and the
share of callers who queue. The phone line's README shows this table.

Usage::

    python examples/phone_line_agent_factors.py --data PATH/anonymous_bank_1999-02.tsv
"""

from __future__ import annotations

import argparse
from pathlib import Path

from calibrate_phone_line import DEFAULT_DATA, build_before_yaml, estimate

from workbench.calibration.call_center import compute_targets, read_call_log
from workbench.loading import parse_model
from workbench.sim.experiment import ExperimentSettings, run_experiment

DEFAULT_FACTORS = (1.0, 0.8, 0.75, 0.7, 0.65, 0.6)


def simulated_figures(text: str, settings: ExperimentSettings) -> tuple[float, ...]:
    """Simulate a before-scenario and return its figures, times in seconds."""
    result = run_experiment(parse_model(text), settings)
    calls = result.visits[result.visits["step"] == "Agent call"]
    queued = calls[(calls["queue_wait_time"] > 0) | calls["abandoned"]]
    served_after_queue = queued.loc[~queued["abandoned"], "queue_wait_time"]
    served = calls.loc[calls["process_time"] > 0, "process_time"]
    return (
        queued["abandoned"].mean(),
        served_after_queue.mean() * 60,
        served.mean() * 60,
        len(queued) / len(calls),
    )


def _row(label: str, figures: tuple[float, ...]) -> str:
    hang_up, wait, service, queued = figures
    return (
        f"| {label} | {hang_up:.1%} | {wait:.1f} s | {service:.1f} s | {queued:.1%} |"
    )


def main(argv: list[str] | None = None) -> int:
    """Print the fit of each factor as a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument(
        "--factors",
        type=lambda text: [float(part) for part in text.split(",")],
        default=list(DEFAULT_FACTORS),
        help="Comma-separated effective-agent factors.",
    )
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--days", type=float, default=28.0)
    arguments = parser.parse_args(argv)

    calls = read_call_log(arguments.data)
    estimates = estimate(calls)
    targets = compute_targets(calls)
    settings = ExperimentSettings(
        replications=arguments.replications, days=arguments.days
    )

    print(
        "| factor | queued callers who hang up | mean wait of queued, then served "
        "callers | mean service time | callers who queue |"
    )
    print("|---|---|---|---|---|")
    log = (
        targets.queued_hang_up_share,
        targets.mean_queued_served_wait,
        targets.mean_service_time,
        targets.queued_share,
    )
    print(_row("log", log))
    for factor in arguments.factors:
        text = build_before_yaml(estimates, factor)
        print(_row(f"{factor:g}", simulated_figures(text, settings)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
