"""The ``workbench`` command line.

Each group of commands lives in its own module with a ``register(subparsers)``
function; a command's handler returns the process exit code. Model and event log
problems, and files that cannot be written, print as short messages without a
traceback and exit with 1; usage errors exit with 2. Any other exception is a bug and
keeps its traceback.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

from workbench.errors import EventLogError, ModelError, SimulationError

__all__ = ["main", "build_parser"]

_COMMAND_MODULES = (
    "workbench.cli.model_commands",
    "workbench.cli.sim_commands",
    "workbench.cli.log_commands",
    "workbench.cli.report_commands",
)


class CommandParser(argparse.ArgumentParser):
    """An argument parser whose command may replace the missing-arguments error.

    argparse lists the missing positionals by name, which misleads when some of
    them are optional lists; ``missing_arguments_message`` states the rule instead.
    """

    def __init__(self, *args, missing_arguments_message: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.missing_arguments_message = missing_arguments_message

    def error(self, message: str):
        # The wording of argparse on Python 3.11, which this check relies on.
        missing = message.startswith("the following arguments are required")
        if missing and self.missing_arguments_message:
            message = self.missing_arguments_message
        super().error(message)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every available command registered."""
    parser = argparse.ArgumentParser(
        prog="workbench",
        description="Map, simulate and compare service processes for LEAN redesign.",
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="Log progress details to stderr."
    )
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMAND", required=True, parser_class=CommandParser
    )
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
        code = args.handler(args)
        # Flushing here lets a closed pipe raise inside the try, not at exit.
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        _silence_stdout()
        return 1
    except (ModelError, EventLogError) as error:
        print(error, file=sys.stderr)
        return 1
    except SimulationError as error:
        print(f"simulation failed: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"workbench {args.command}: {_os_error_text(error)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _os_error_text(error: OSError) -> str:
    if error.filename is None or error.strerror is None:
        return str(error)
    return f"{error.filename}: {error.strerror}"


def _silence_stdout() -> None:
    """Point stdout at devnull after the reader closed the pipe, such as ``head``.

    This is the recipe of the Python documentation (signal module, "Note on
    SIGPIPE"): without it, the flush at interpreter exit raises BrokenPipeError
    again and prints a traceback.
    """
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, descriptor)
    os.close(devnull)
