"""Time the workbench engine against plain SimPy programs of the same processes.

For each workload in :mod:`workloads`, the engine and the hand-written program
simulate the same number of cases and replications, one after the other in this
process, ``--repeats`` times in alternation, so that both see the same machine load.
The script prints the median wall time and CPU time of each, their ratios to the
plain program, and the SimPy events processed per wall and per CPU second (events
counted in one extra, untimed run of each). On a loaded machine the CPU time ratio
is the steadier of the two, because waiting for a core adds to wall time only.

Usage::

    python benchmarks/engine_vs_simpy.py --cases 20000 --replications 5
"""

from __future__ import annotations

import argparse
import statistics
import time

from workloads import WORKLOADS, Workload, count_events, load_average, run_handwritten

from workbench.sim.experiment import ExperimentSettings, run_experiment

#: Engine modes timed: the default, which keeps one row per step visit, and the
#: summary-only mode, which keeps the case, pool and queue tables.
MODES = {"engine": True, "engine, summary-only": False}


def _run_engine(workload: Workload, cases: int, replications: int, keep_visits: bool):
    settings = ExperimentSettings(
        replications=replications, cases=cases, jobs=1, keep_visits=keep_visits
    )
    return run_experiment(workload.model(), settings)


def _run_plain(workload: Workload, cases: int, replications: int) -> None:
    for replication in range(replications):
        run_handwritten(workload, cases, seed=replication)


def _runners(workload: Workload, cases: int, replications: int) -> dict:
    runners = {"plain SimPy": lambda: _run_plain(workload, cases, replications)}
    for label, keep_visits in MODES.items():
        runners[label] = lambda keep=keep_visits: _run_engine(
            workload, cases, replications, keep
        )
    return runners


def _time_once(run) -> tuple[float, float]:
    """Return the wall and CPU seconds of one call of ``run``."""
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - wall, time.process_time() - cpu


def benchmark(workload: Workload, cases: int, replications: int, repeats: int) -> dict:
    """Return median wall and CPU seconds and events for each runner of ``workload``."""
    runners = _runners(workload, cases, replications)
    seconds = {label: [] for label in runners}
    for _ in range(repeats):
        for label, run in runners.items():
            seconds[label].append(_time_once(run))
    results = {}
    for label, run in runners.items():
        with count_events() as counter:
            run()
        wall = statistics.median(w for w, _ in seconds[label])
        cpu = statistics.median(c for _, c in seconds[label])
        results[label] = (wall, cpu, counter.events)
    return results


def _print_results(workload: Workload, results: dict) -> None:
    plain_wall, plain_cpu, _ = results["plain SimPy"]
    print(f"\n{workload.name}")
    print(
        f"{'runner':<22} {'wall s':>7} {'ratio':>6} {'CPU s':>7} {'ratio':>6} "
        f"{'events':>10} {'per wall s':>10} {'per CPU s':>10}"
    )
    for label, (wall, cpu, events) in results.items():
        print(
            f"{label:<22} {wall:>7.2f} {wall / plain_wall:>6.2f} {cpu:>7.2f} "
            f"{cpu / plain_cpu:>6.2f} {events:>10,} {events / wall:>10,.0f} "
            f"{events / cpu:>10,.0f}"
        )


def main(argv: list[str] | None = None) -> int:
    """Run every workload and print the comparison tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cases", type=int, default=20_000, help="Cases per replication."
    )
    parser.add_argument(
        "--replications", type=int, default=5, help="Replications per run."
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="Timed runs of each runner."
    )
    arguments = parser.parse_args(argv)
    print(
        f"{arguments.cases:,} cases x {arguments.replications} replications, "
        f"median of {arguments.repeats} runs"
    )
    print(f"before: {load_average()}")
    for workload in WORKLOADS.values():
        results = benchmark(
            workload, arguments.cases, arguments.replications, arguments.repeats
        )
        _print_results(workload, results)
    print(f"after: {load_average()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
