"""Durations of two steps merged into one, as distribution mappings.

The sum of two random times has a known mean and variance but, in general, no
distribution of the same family, so the merged duration is an approximation.
"""

from __future__ import annotations

import math

from pydantic import TypeAdapter

from workbench.distributions import Distribution, mean_of

__all__ = ["summed_duration"]

_DISTRIBUTION = TypeAdapter(Distribution)


def summed_duration(first: dict | None, second: dict | None) -> dict | None:
    """Return a duration for two steps done as one, as a distribution mapping.

    Two bounded times (fixed, uniform, triangular) give a triangular time whose
    min, most likely and max are the sums of theirs. A uniform time counts as a
    triangular one with its midpoint as most likely. Any other pair gives a
    lognormal time with the summed mean and variance. A missing duration counts
    as no time.

    Raises
    ------
    pydantic.ValidationError
        If a mapping is not a valid distribution.
    """
    if first is None or second is None:
        return first or second
    bounded = ("fixed", "triangular", "uniform")
    if first["dist"] in bounded and second["dist"] in bounded:
        pairs = zip(_points(first), _points(second), strict=True)
        low, likely, high = (a + b for a, b in pairs)
        if low == high:
            return {"dist": "fixed", "value": likely}
        return {"dist": "triangular", "min": low, "mode": likely, "max": high}
    # NOTE: a sum of unbounded times is approximated by a lognormal with the summed
    # mean and variance; its shape differs from the true sum.
    mean = _mean(first) + _mean(second)
    sd = math.sqrt(_variance(first) + _variance(second))
    if sd == 0:
        return {"dist": "fixed", "value": mean}
    return {"dist": "lognormal", "mean": mean, "sd": sd}


def _points(dist: dict) -> tuple[float, float, float]:
    if dist["dist"] == "fixed":
        return dist["value"], dist["value"], dist["value"]
    if dist["dist"] == "uniform":
        return dist["low"], (dist["low"] + dist["high"]) / 2, dist["high"]
    return dist["min"], dist["mode"], dist["max"]


def _mean(dist: dict) -> float:
    return mean_of(_DISTRIBUTION.validate_python(dist))


def _variance(dist: dict) -> float:
    kind = dist["dist"]
    if kind == "exponential":
        return dist["mean"] ** 2
    if kind in ("normal", "lognormal"):
        return dist["sd"] ** 2
    if kind == "uniform":
        return (dist["high"] - dist["low"]) ** 2 / 12
    if kind == "triangular":
        a, c, b = dist["min"], dist["mode"], dist["max"]
        return (a * a + b * b + c * c - a * b - a * c - b * c) / 18
    if kind == "empirical":
        samples = dist["samples"]
        mean = sum(samples) / len(samples)
        return sum((x - mean) ** 2 for x in samples) / len(samples)
    return 0.0
