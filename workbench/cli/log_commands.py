"""The ``discover`` command: from an event log to a calibrated as-is model.

``workbench discover LOG -o model.yaml`` reads a CSV or XES log, keeps the most
frequent variants, calibrates a model, simulates it for the log's number of cases
and prints how it compares with the log. ``--report`` writes a self-contained HTML
page of the import, the discovered process, the model and the check.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench.cli.option_types import (
    non_negative_int,
    output_file_problem,
    positive_float,
)
from workbench.errors import EventLogError
from workbench.eventlog.calibration import DEFAULT_SESSION_BREAK_MINUTES, calibrate
from workbench.eventlog.checking import LogCheck, check_against_log
from workbench.eventlog.discovery import DEFAULT_COVERAGE, discover
from workbench.eventlog.reading import LogMapping, read_log
from workbench.eventlog.report import render_report

__all__ = ["register", "run_discover"]

_MAPPING_FIELDS = (
    ("case", "the case id"),
    ("activity", "the activity name"),
    ("timestamp", "the completion time"),
    ("start_timestamp", "the start time"),
    ("resource", "the resource (person)"),
    ("group", "the resource group, role or department"),
    ("lifecycle", "the lifecycle transition (start, complete)"),
    ("channel", "the case's channel"),
)


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a number, received {text!r}"
        ) from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"must be in (0, 1], received {value}")
    return value


def register(subparsers) -> None:
    """Add the ``discover`` command to the command line."""
    parser = subparsers.add_parser(
        "discover",
        help="Calibrate an as-is model from a CSV or XES event log.",
        description="Read an event log, discover its process, write a calibrated "
        "model file and compare the model's simulation with the log.",
    )
    parser.add_argument("log", type=Path, help="The .csv, .xes or .xes.gz log file.")
    parser.add_argument(
        "-o", "--output", type=Path, required=True, help="The model YAML file to write."
    )
    parser.add_argument(
        "--coverage",
        type=_share,
        default=DEFAULT_COVERAGE,
        help="Share of cases whose variants make up the model (default %(default)s).",
    )
    parser.add_argument("--report", type=Path, help="Write an HTML report here.")
    _add_reading_options(parser)
    _add_calibration_options(parser)
    parser.set_defaults(handler=run_discover)


def _add_reading_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format", choices=("csv", "xes"), help="The log format (default: from name)."
    )
    parser.add_argument(
        "--timezone",
        help="Time zone of timestamps without a UTC offset, such as Europe/Amsterdam.",
    )
    parser.add_argument(
        "--date-format", help="strptime format of non-ISO timestamps, e.g. %%d/%%m/%%Y."
    )
    parser.add_argument("--delimiter", help="CSV delimiter (default: detected).")
    parser.add_argument("--encoding", help="CSV encoding (default: detected).")
    for name, meaning in _MAPPING_FIELDS:
        option = "--" + name.replace("_", "-") + "-column"
        parser.add_argument(
            option, dest=f"{name}_column", help=f"Column or XES key of {meaning}."
        )


def _add_calibration_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--clock-timezone",
        help="Office time zone for arrival profiles and opening hours (default: "
        "--timezone, else the most frequent UTC offset in the log).",
    )
    parser.add_argument(
        "--session-break",
        type=positive_float,
        default=DEFAULT_SESSION_BREAK_MINUTES,
        help="Minutes between events above which a case waited between work "
        "sessions (default %(default)s).",
    )
    parser.add_argument("--name", help="The model name (default: from the log name).")
    parser.add_argument(
        "--replications",
        type=non_negative_int,
        default=3,
        help="Simulated runs of the log's number of cases for the check "
        "(default %(default)s; 0 skips the check).",
    )
    parser.add_argument(
        "--seed", type=non_negative_int, default=1, help="Root seed of the check."
    )


def run_discover(args: argparse.Namespace) -> int:
    """Run ``workbench discover`` and return the exit code."""
    problem = _output_problem(args)
    if problem is not None:
        print(problem, file=sys.stderr)
        return 1
    events, report = _read(args)
    out = sys.stdout
    # The import summary comes first, so its reasons show when nothing is usable.
    out.write("\n".join(report.summary()) + "\n")
    discovery = discover(events, args.coverage)
    clock = args.clock_timezone or args.timezone or report.clock_timezone()
    name = args.name or f"As-is {args.log.name.split('.')[0]}"
    model, yaml_text = calibrate(
        events,
        discovery,
        timezone=clock,
        session_break_minutes=args.session_break,
        name=name,
    )
    _write(args.output, yaml_text)

    out.write(
        f"{int(discovery.variants['kept'].sum())} of {len(discovery.variants)} "
        f"variants kept ({discovery.covered:.1%} of cases); model with "
        f"{len(model.steps)} steps written to {args.output}\n"
    )
    for pair in discovery.both_orders.itertuples():
        out.write(
            f"'{pair.first}' and '{pair.second}' follow each other in both orders "
            f"({pair.forward} and {pair.backward} times); they may run in parallel\n"
        )
    check = None
    if args.replications > 0:
        check = check_against_log(
            model, events, replications=args.replications, seed=args.seed
        )
        _print_check(check)

    if args.report is not None:
        page = render_report(report, discovery, yaml_text, check, title=name)
        _write(args.report, page)
        out.write(f"report written to {args.report}\n")
    return 0


def _output_problem(args: argparse.Namespace) -> str | None:
    """Return why the model or report file cannot be written, checked before reading."""
    for path in (args.output, args.report):
        problem = None if path is None else output_file_problem(path)
        if problem is not None:
            return f"cannot write {path}: {problem}"
    return None


def _read(args: argparse.Namespace):
    mapping = LogMapping(
        **{name: getattr(args, f"{name}_column") for name, _ in _MAPPING_FIELDS}
    )
    return read_log(
        args.log,
        mapping,
        file_format=args.format,
        timezone=args.timezone,
        date_format=args.date_format,
        delimiter=args.delimiter,
        encoding=args.encoding,
    )


def _print_check(check: LogCheck) -> None:
    out = sys.stdout
    out.write("lead time in minutes, log against simulated:\n")
    out.write(check.lead_time.to_string(float_format="{:.4g}".format) + "\n")
    out.write(f"{len(check.misses)} differences flagged as misses\n")
    for line in check.misses:
        out.write(f"  - {line}\n")


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise EventLogError(
            f"{path}: cannot write the file ({error.strerror}); check that the "
            "folder exists and is writable"
        ) from None
