"""Time replications of the phone line on one worker process and on two.

Both settings run the same replications of the calibrated phone line
(``process_models/phone_line/before.yaml``), in alternation, ``--repeats`` times.
The script prints the median wall time of each and the speed-up, which is the
one-worker time divided by the two-worker time.

Usage::

    python benchmarks/parallel_speedup.py --replications 8 --days 28
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from workloads import load_average

from workbench.loading import load_model
from workbench.sim.experiment import ExperimentSettings, run_experiment

MODEL = Path(__file__).resolve().parent.parent / "process_models/phone_line/before.yaml"


def _time_run(model, settings: ExperimentSettings) -> float:
    started = time.perf_counter()
    run_experiment(model, settings)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    """Time the runs and print the speed-up of two workers over one."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=8)
    parser.add_argument(
        "--days", type=float, default=28.0, help="Days per replication."
    )
    parser.add_argument("--repeats", type=int, default=3, help="Timed runs of each.")
    parser.add_argument(
        "--summary-only", action="store_true", help="Keep no visit rows."
    )
    arguments = parser.parse_args(argv)
    model = load_model(MODEL)
    print(f"before: {load_average()}")
    seconds = {1: [], 2: []}
    for _ in range(arguments.repeats):
        for jobs in seconds:
            settings = ExperimentSettings(
                replications=arguments.replications,
                days=arguments.days,
                jobs=jobs,
                keep_visits=not arguments.summary_only,
            )
            seconds[jobs].append(_time_run(model, settings))
    one, two = (statistics.median(seconds[jobs]) for jobs in (1, 2))
    print(
        f"{arguments.replications} replications of {arguments.days:g} days, "
        f"median of {arguments.repeats} runs"
    )
    print(
        f"1 worker:  {one:.2f} s   (runs: {', '.join(f'{s:.2f}' for s in seconds[1])})"
    )
    print(
        f"2 workers: {two:.2f} s   (runs: {', '.join(f'{s:.2f}' for s in seconds[2])})"
    )
    print(f"speed-up:  {one / two:.2f}x")
    print(f"after: {load_average()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
