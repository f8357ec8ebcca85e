"""The ``simulate`` and ``compare`` commands.

``workbench simulate MODEL`` runs replications of one scenario and prints each
metric with its 95% confidence interval. ``workbench compare BEFORE AFTER [AFTER ...]``
runs every scenario with the same settings and seed and prints the before/after
table, structural changes, yearly savings and precision warnings. ``--json`` prints
the results as JSON instead (see ``docs/simulation-output.md``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

from tqdm import tqdm

from workbench.cli import sim_output
from workbench.cli.option_types import (
    non_negative_float,
    non_negative_int,
    output_folder_problem,
    positive_float,
    positive_int,
)
from workbench.savings import HOURS_PER_FTE, SavingsAssumptions
from workbench.sim.compare import (
    compare_scenarios,
    scenario_names,
    scenario_warnings,
)
from workbench.sim.experiment import DEFAULT_DAYS, ExperimentSettings, run_experiment
from workbench.sim.metrics import replication_metrics, summarize_metrics
from workbench.sim.streams import DEFAULT_SEED
from workbench.validation import load_and_validate

__all__ = ["register", "run_simulate", "run_compare"]

logger = logging.getLogger(__name__)

TRACE_TABLES = ("visits", "cases", "pools", "queues")


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--replications",
        type=positive_int,
        metavar="N",
        help="Independent replications per scenario "
        f"(default {ExperimentSettings.replications}).",
    )
    parser.add_argument(
        "--seed",
        type=non_negative_int,
        metavar="N",
        help="Root seed; the same seed gives the same results "
        f"(default {DEFAULT_SEED}).",
    )
    length = parser.add_mutually_exclusive_group()
    length.add_argument(
        "--days",
        type=positive_float,
        metavar="DAYS",
        help="Measured days per replication after the warm-up "
        f"(default {DEFAULT_DAYS:g}).",
    )
    length.add_argument(
        "--cases",
        type=positive_int,
        metavar="N",
        help="Instead of --days: run until this many cases have arrived after the "
        "warm-up and every case has ended.",
    )
    parser.add_argument(
        "--warmup",
        type=non_negative_float,
        metavar="DAYS",
        help="Warm-up days per replication, left out of the statistics (default 0).",
    )
    parser.add_argument(
        "--jobs",
        type=positive_int,
        metavar="N",
        help="Worker processes for the replications (default: every usable core).",
    )
    parser.add_argument(
        "--json", action="store_true", help="Print the results as JSON on stdout."
    )
    parser.add_argument(
        "--trace",
        type=Path,
        metavar="DIR",
        help="Write the trace tables (visits, cases, pools, queues) as CSV to DIR.",
    )
    parser.add_argument(
        "--all-metrics",
        action="store_true",
        help="Print every metric, per-step queues included (JSON always has all).",
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="Show no progress bar."
    )


def register(subparsers) -> None:
    """Add the ``simulate`` and ``compare`` commands to the command line."""
    simulate = subparsers.add_parser(
        "simulate",
        help="Simulate one scenario and print its metrics with 95%% intervals.",
        description="Simulate replications of one scenario and print each metric "
        "with its 95% confidence interval.",
    )
    simulate.add_argument("model", type=Path, help="The scenario's YAML file.")
    _add_run_options(simulate)
    simulate.set_defaults(handler=run_simulate)

    compare = subparsers.add_parser(
        "compare",
        help="Compare scenarios run with the same seed (before first).",
        description="Simulate every scenario with the same settings and seed and "
        "compare each with the first: paired 95% intervals of each change, "
        "structural changes and yearly savings.",
        missing_arguments_message="compare needs at least two models: BEFORE, "
        "then one or more AFTER files",
    )
    compare.add_argument("before", type=Path, help="The baseline scenario's file.")
    compare.add_argument(
        "after",
        type=Path,
        nargs="+",
        help="One or more redesigned scenarios' files, each compared with BEFORE.",
    )
    _add_run_options(compare)
    compare.add_argument(
        "--hours-per-fte",
        type=positive_float,
        default=HOURS_PER_FTE,
        metavar="HOURS",
        help=f"Working hours per FTE per year (default {HOURS_PER_FTE:,.0f}).",
    )
    compare.add_argument(
        "--cases-per-year",
        type=non_negative_float,
        metavar="CASES",
        help="Yearly case volume for the savings (default: from BEFORE's arrival "
        "rates).",
    )
    compare.add_argument(
        "--cost-per-hour",
        type=non_negative_float,
        metavar="COST",
        help="One labour cost per staff hour (default: each pool's cost_per_hour).",
    )
    compare.set_defaults(handler=run_compare)


def _settings(args: argparse.Namespace) -> ExperimentSettings:
    given = {
        "replications": args.replications,
        "seed": args.seed,
        "days": args.days,
        "cases": args.cases,
        "warmup_days": args.warmup,
        "jobs": args.jobs,
        "keep_visits": args.trace is not None,
    }
    return ExperimentSettings(**{k: v for k, v in given.items() if v is not None})


def load_checked_model(path: Path):
    """Load and validate the model at ``path``, logging its warnings."""
    model, problems = load_and_validate(path)
    for problem in problems:
        logger.warning("%s: %s", path, problem)
    return model


@contextlib.contextmanager
def progress_bar(total: int, quiet: bool) -> Iterator:
    """Yield a ``progress(done, total)`` callback drawing a tqdm bar on stderr."""
    disable = quiet or not sys.stderr.isatty()
    with tqdm(
        total=total, unit="replication", file=sys.stderr, disable=disable, leave=False
    ) as bar:

        def progress(done: int, _total: int) -> None:
            bar.update(done - bar.n)

        yield progress


def _write_trace(result, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for table in TRACE_TABLES:
        getattr(result, table).to_csv(folder / f"{table}.csv", index=False)
    logger.info("wrote the trace tables to %s", folder)


def _trace_problem(args: argparse.Namespace) -> str | None:
    if args.trace is None:
        return None
    problem = output_folder_problem(args.trace)
    if problem is None:
        return None
    return f"cannot write the trace tables to {args.trace}: {problem}"


def run_simulate(args: argparse.Namespace) -> int:
    """Run ``workbench simulate``; return the exit code."""
    problem = _trace_problem(args)
    if problem is not None:
        print(f"workbench simulate: {problem}", file=sys.stderr)
        return 1
    model = load_checked_model(args.model)
    settings = _settings(args)
    with progress_bar(settings.replications, args.quiet) as progress:
        result = run_experiment(model, settings, progress=progress)
    metrics = replication_metrics(result)
    summary = summarize_metrics(metrics)
    warnings = scenario_warnings(metrics)
    if args.trace is not None:
        _write_trace(result, args.trace)
    if args.json:
        data = sim_output.simulation_dict(model, settings, summary, metrics, warnings)
        sys.stdout.write(json.dumps(data, indent=2, allow_nan=False) + "\n")
        return 0
    sys.stdout.write(
        sim_output.simulation_text(model, settings, summary, warnings, args.all_metrics)
    )
    return 0


def _trace_folders(paths: list[Path]) -> list[str]:
    stems = [path.stem for path in paths]
    if len(set(stems)) == len(stems):
        return stems
    return [f"{index + 1}-{stem}" for index, stem in enumerate(stems)]


def run_compare(args: argparse.Namespace) -> int:
    """Run ``workbench compare``; return the exit code."""
    paths = [args.before, *args.after]
    problem = _trace_problem(args)
    if problem is not None:
        print(f"workbench compare: {problem}", file=sys.stderr)
        return 1
    models = [load_checked_model(path) for path in paths]
    settings = _settings(args)
    assumptions = SavingsAssumptions(
        hours_per_fte=args.hours_per_fte,
        cases_per_year=args.cases_per_year,
        cost_per_hour=args.cost_per_hour,
    )
    total = settings.replications * len(models)
    with progress_bar(total, args.quiet) as progress:
        comparison = compare_scenarios(
            models,
            settings,
            progress,
            names=scenario_names(models),
            assumptions=assumptions,
        )
    if args.trace is not None:
        for folder, name in zip(
            _trace_folders(paths), comparison.scenarios, strict=True
        ):
            _write_trace(comparison.results[name], args.trace / folder)
    if args.json:
        sys.stdout.write(
            json.dumps(comparison.to_dict(), indent=2, allow_nan=False) + "\n"
        )
        return 0
    sys.stdout.write(sim_output.comparison_text(comparison, args.all_metrics))
    return 0
