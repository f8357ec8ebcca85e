"""The ``report`` command: a one-page savings report of a before and an after model.

``workbench report BEFORE AFTER -o report.html`` simulates both models and the
changes between them with the same settings and seed as ``workbench compare``, and
writes the report as HTML, PDF or XLSX, chosen by the suffix of the output file.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from workbench.cli.option_types import (
    non_negative_float,
    non_negative_int,
    output_file_problem,
    positive_float,
    positive_int,
)
from workbench.cli.sim_commands import load_checked_model, progress_bar
from workbench.errors import ReportError
from workbench.savings import HOURS_PER_FTE, SavingsAssumptions

__all__ = ["register", "run_report"]

logger = logging.getLogger(__name__)

_SUFFIX_FORMATS = {".html": "html", ".htm": "html", ".pdf": "pdf", ".xlsx": "xlsx"}


def register(subparsers) -> None:
    """Add the ``report`` command to the command line."""
    parser = subparsers.add_parser(
        "report",
        help="Write a one-page savings report (HTML, PDF or XLSX).",
        description="Simulate BEFORE and AFTER with the same settings and seed, "
        "share the saving among the redesign's changes, and write a one-page "
        "report. The suffix of --output chooses the format: .html, .pdf or .xlsx.",
    )
    parser.add_argument("before", type=Path, help="The before-scenario's file.")
    parser.add_argument("after", type=Path, help="The after-scenario's file.")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help="The report file: .html, .pdf or .xlsx.",
    )
    _add_run_options(parser)
    _add_savings_options(parser)
    parser.set_defaults(handler=run_report)


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--replications",
        type=positive_int,
        help="Independent replications per scenario (default: the engine's, 10).",
    )
    parser.add_argument(
        "--seed",
        type=non_negative_int,
        help="Root seed; the same seed gives the same results.",
    )
    length = parser.add_mutually_exclusive_group()
    length.add_argument(
        "--days", type=positive_float, help="Measured days per replication."
    )
    length.add_argument(
        "--cases", type=positive_int, help="Measured cases per replication."
    )
    parser.add_argument(
        "--warmup",
        type=non_negative_float,
        metavar="DAYS",
        help="Warm-up days per replication, left out of the statistics.",
    )
    parser.add_argument(
        "--jobs",
        type=positive_int,
        help="Worker processes for the replications (default: all cores).",
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="Show no progress bar."
    )


def _add_savings_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--hours-per-fte",
        type=positive_float,
        default=HOURS_PER_FTE,
        help=f"Working hours per FTE per year (default {HOURS_PER_FTE:,.0f}).",
    )
    parser.add_argument(
        "--cases-per-year",
        type=non_negative_float,
        help="Yearly case volume (default: from BEFORE's arrival rates).",
    )
    parser.add_argument(
        "--cost-per-hour",
        type=non_negative_float,
        help="One labour cost per staff hour for the yearly saving "
        "(default: each pool's cost_per_hour).",
    )


def _settings(args: argparse.Namespace):
    from workbench.sim.experiment import ExperimentSettings

    options = {
        "replications": args.replications,
        "seed": args.seed,
        "days": args.days,
        "cases": args.cases,
        "warmup_days": args.warmup,
        "jobs": args.jobs,
    }
    return ExperimentSettings(**{k: v for k, v in options.items() if v is not None})


def output_format(path: Path) -> str:
    """Return the report format for the suffix of ``path``.

    Raises
    ------
    ValueError
        If the suffix is not .html, .htm, .pdf or .xlsx.
    """
    fmt = _SUFFIX_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(
            f"cannot tell the report format from {path.name!r}; "
            "end the output file name in .html, .pdf or .xlsx"
        )
    return fmt


def run_report(args: argparse.Namespace) -> int:
    """Run ``workbench report``; return the exit code."""
    from workbench.report import render_report
    from workbench.report.assemble import collect_report

    try:
        fmt = output_format(args.output)
    except ValueError as error:
        print(f"workbench report: {error}", file=sys.stderr)
        return 2
    problem = output_file_problem(args.output)
    if problem is not None:
        print(f"cannot write {args.output}: {problem}", file=sys.stderr)
        return 1
    before, after = load_checked_model(args.before), load_checked_model(args.after)
    settings = _settings(args)
    assumptions = SavingsAssumptions(
        hours_per_fte=args.hours_per_fte,
        cases_per_year=args.cases_per_year,
        cost_per_hour=args.cost_per_hour,
    )
    # The scenario count is known only once the changes are applied, so the bar
    # counts replications without a total.
    with progress_bar(None, args.quiet) as bar:
        content = collect_report(before, after, settings, assumptions, bar)
    try:
        data = render_report(content, fmt)
    except ReportError as error:
        print(f"workbench report: {error}", file=sys.stderr)
        return 1
    try:
        args.output.write_bytes(data)
    except OSError as error:
        print(f"cannot write {args.output}: {error.strerror}", file=sys.stderr)
        return 1
    logger.info("wrote the %s report to %s", fmt, args.output)
    return 0
