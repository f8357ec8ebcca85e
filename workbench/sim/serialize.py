"""Conversion of simulation results to JSON-ready data."""

from __future__ import annotations

import dataclasses
import math

import numpy as np

__all__ = ["json_safe", "settings_dict"]


def json_safe(value):
    """Return ``value`` with NaN and infinity as None and numpy scalars as numbers.

    Dictionaries, lists and tuples are converted recursively; dictionary keys
    become strings. ``json.dumps`` would otherwise write NaN, which is not JSON.
    """
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def settings_dict(settings) -> dict:
    """Return the fields of experiment settings (a dataclass) as plain data.

    Dates and other values that JSON has no type for become strings.
    """
    return {
        field.name: _plain(getattr(settings, field.name))
        for field in dataclasses.fields(settings)
    }


def _plain(value):
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(value)
