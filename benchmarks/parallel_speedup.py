"""Time replications of the phone line on one worker process and on two.

Both settings run the same replications of the calibrated phone line
(``process_models/phone_line/before.yaml``), in alternation, ``--repeats`` times.
The script prints the median wall time of each and the measured speed-up, which is
the one-worker wall time divided by the two-worker wall time.

The measured speed-up needs two idle cores. When other processes keep the cores
busy, the Linux scheduler may give this script's session the same CPU share
whatever the number of workers (``sched_autogroup``), and the measured speed-up
drops towards 1. The script therefore also prints an estimate from CPU times. It
divides the one-worker CPU time by the CPU time of the busiest path of the
two-worker run. That path is half of the workers' CPU time plus the parent's CPU
time (start-up, and receiving and joining the tables). The estimate assumes that
both workers get the same share of replications.

Usage::

    python benchmarks/parallel_speedup.py --replications 8 --days 28
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from pathlib import Path

from workloads import load_average

from workbench.loading import load_model
from workbench.sim.experiment import ExperimentSettings, run_experiment

MODEL = Path(__file__).resolve().parent.parent / "process_models/phone_line/before.yaml"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _time_run(model, settings: ExperimentSettings) -> tuple[float, float, float]:
    """Return wall, own CPU and worker CPU seconds of one experiment."""
    wall, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
    run_experiment(model, settings)
    return (
        time.perf_counter() - wall,
        time.process_time() - cpu,
        _children_cpu() - children,
    )


def _median(runs: list[tuple[float, float, float]], field: int) -> float:
    return statistics.median(run[field] for run in runs)


def _print_results(runs: dict[int, list], arguments: argparse.Namespace) -> None:
    one_worker, two_workers = _median(runs[1], 0), _median(runs[2], 0)
    busiest_path = _median(runs[2], 2) / 2 + _median(runs[2], 1)
    estimate = _median(runs[1], 1) / busiest_path
    print(
        f"{arguments.replications} replications of {arguments.days:g} days, "
        f"median of {arguments.repeats} runs"
    )
    for jobs, label in ((1, "1 worker: "), (2, "2 workers:")):
        walls = ", ".join(f"{run[0]:.2f}" for run in runs[jobs])
        print(f"{label} {_median(runs[jobs], 0):.2f} s wall (runs: {walls})")
    print(f"1 worker CPU: {_median(runs[1], 1):.2f} s")
    print(
        f"2 workers CPU: {_median(runs[2], 2):.2f} s in workers, "
        f"{_median(runs[2], 1):.2f} s in the parent"
    )
    print(f"measured speed-up:  {one_worker / two_workers:.2f}x")
    print(f"estimated speed-up on two idle cores: {estimate:.2f}x")


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
    runs = {1: [], 2: []}
    for _ in range(arguments.repeats):
        for jobs in runs:
            settings = ExperimentSettings(
                replications=arguments.replications,
                days=arguments.days,
                jobs=jobs,
                keep_visits=not arguments.summary_only,
            )
            runs[jobs].append(_time_run(model, settings))
    _print_results(runs, arguments)
    print(f"after: {load_average()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
