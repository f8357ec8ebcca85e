"""The ``workbench`` command line.

Each group of commands lives in its own module with a ``register(subparsers)``
function; a command's handler returns the process exit code. Model and event log
problems print as short messages without a traceback and exit with 1; usage errors
exit with 2.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from workbench.errors import EventLogError, ModelError, SimulationError

__all__ = ["main", "build_parser"]

_COMMAND_MODULES = (
    "workbench.cli.model_commands",
    "workbench.cli.sim_commands",
    "workbench.cli.log_commands",
    "workbench.cli.report_commands",
)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every available command registered."""
    parser = argparse.ArgumentParser(
        prog="workbench",
        description="Map, simulate and compare service processes for LEAN redesign.",
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="Log progress details to stderr."
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:
                raise
            continue
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return args.handler(args)
    except (ModelError, EventLogError) as error:
        print(error, file=sys.stderr)
        return 1
    except SimulationError as error:
        print(f"simulation failed: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
