"""Measure the peak memory of simulating a year of a busy call centre.

The workload is one replication of 365 days of the calibrated phone line
(``process_models/phone_line/before.yaml``), about 409,000 calls. Each mode runs in
a fresh subprocess, which reads its own peak resident set size (``ru_maxrss``,
in kilobytes on Linux) after the run, so the modes do not share memory.

Usage::

    python benchmarks/memory_year.py
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

from workloads import load_average

from workbench.loading import load_model
from workbench.sim.experiment import ExperimentSettings, run_experiment

MODEL = Path(__file__).resolve().parent.parent / "process_models/phone_line/before.yaml"

#: Modes measured: summary-only keeps no visit rows.
MODES = {"summary-only": False, "with visits": True}


def _child(days: float, keep_visits: bool) -> None:
    """Run the year in this process and print its figures as JSON."""
    model = load_model(MODEL)
    settings = ExperimentSettings(
        replications=1, days=days, jobs=1, keep_visits=keep_visits
    )
    started = time.perf_counter()
    result = run_experiment(model, settings)
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    figures = {
        "calls": len(result.cases),
        "seconds": seconds,
        "peak_mib": peak_kib / 1024,
    }
    print(json.dumps(figures))


def _measure(days: float, keep_visits: bool) -> dict:
    command = [sys.executable, __file__, "--child", "--days", str(days)]
    if keep_visits:
        command.append("--keep-visits")
    output = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    """Measure each mode in a subprocess and print calls, time and peak memory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=365.0)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--keep-visits", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    if arguments.child:
        _child(arguments.days, arguments.keep_visits)
        return 0
    print(f"one replication of {arguments.days:g} days of {MODEL.name}")
    print(f"before: {load_average()}")
    for label, keep_visits in MODES.items():
        figures = _measure(arguments.days, keep_visits)
        print(
            f"{label:<13} {figures['calls']:>9,} calls  {figures['seconds']:7.1f} s  "
            f"peak {figures['peak_mib']:7.0f} MiB"
        )
    print(f"after: {load_average()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
