"""Checks shared by the commands: option value types and output paths.

The ``type=`` functions raise :class:`argparse.ArgumentTypeError`, which argparse
prints with the option's name (``argument --seed: ...``) before exiting with 2. The
path checks run before any simulation, so that a run of several minutes does not end
in an error about the output file.
"""

from __future__ import annotations

import argparse
import math
import os
from pathlib import Path

__all__ = [
    "non_negative_int",
    "positive_int",
    "non_negative_float",
    "positive_float",
    "output_file_problem",
    "output_folder_problem",
]


def _whole_number(text: str, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        message = f"must be a whole number of at least {minimum}, received {text!r}"
        raise argparse.ArgumentTypeError(message) from None
    if value < minimum:
        message = f"must be a whole number of at least {minimum}, received {text}"
        raise argparse.ArgumentTypeError(message)
    return value


def non_negative_int(text: str) -> int:
    """Parse a whole number of at least 0, such as a seed."""
    return _whole_number(text, 0)


def positive_int(text: str) -> int:
    """Parse a whole number of at least 1, such as a replication count."""
    return _whole_number(text, 1)


def _finite_number(text: str, rule: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be {rule}, received {text!r}")
    return value


def non_negative_float(text: str) -> float:
    """Parse a finite number of at least 0, such as warm-up days."""
    rule = "a finite number of at least 0"
    value = _finite_number(text, rule)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be {rule}, received {text}")
    return value


def positive_float(text: str) -> float:
    """Parse a finite number greater than 0, such as measured days."""
    rule = "a finite number greater than 0"
    value = _finite_number(text, rule)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be {rule}, received {text}")
    return value


def output_file_problem(path: Path) -> str | None:
    """Return why ``path`` cannot be written as a new or replaced file, or None.

    The folder must exist and be writable. An existing folder at ``path`` itself,
    or an existing file without write permission, is rejected too.
    """
    if path.is_dir():
        return "it is a folder; give a file name"
    folder = path.parent
    if not folder.is_dir():
        return f"the folder {folder} does not exist; create it or choose another"
    if path.exists() and not os.access(path, os.W_OK):
        return "the file is not writable; check its permissions"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"the folder {folder} is not writable; check its permissions"
    return None


def output_folder_problem(path: Path) -> str | None:
    """Return why the folder ``path`` cannot be created or written into, or None.

    Missing folders are created later, so the nearest existing ancestor must be a
    writable folder.
    """
    if path.exists() and not path.is_dir():
        return "it is a file, not a folder; give a new or existing folder"
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return f"{existing} is a file, not a folder; choose another path"
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"the folder {existing} is not writable; check its permissions"
    return None
