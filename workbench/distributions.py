"""Duration distributions of steps, waits and patience.

Every distribution is a frozen pydantic model tagged by ``dist``. Parameters are in the
time unit of the model file. :func:`sample` draws from a numpy ``Generator``, so all
randomness comes from streams that the caller owns.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "Fixed",
    "Uniform",
    "Triangular",
    "Exponential",
    "Normal",
    "Lognormal",
    "Empirical",
    "Distribution",
    "sample",
    "mean_of",
]


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Fixed(_Dist):
    """A constant duration."""

    dist: Literal["fixed"]
    value: float = Field(ge=0, description="The duration.")


class Uniform(_Dist):
    """Any duration between ``low`` and ``high`` equally likely."""

    dist: Literal["uniform"]
    low: float = Field(ge=0)
    high: float = Field(ge=0)

    @model_validator(mode="after")
    def _check_order(self):
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) must be at least low ({self.low})")
        return self


class Triangular(_Dist):
    """A three-point estimate: minimum, most likely and maximum duration."""

    dist: Literal["triangular"]
    min: float = Field(ge=0)
    mode: float = Field(ge=0, description="The most likely duration.")
    max: float = Field(ge=0)

    @model_validator(mode="after")
    def _check_order(self):
        if not self.min <= self.mode <= self.max:
            raise ValueError(
                f"needs min <= mode <= max, received min={self.min}, "
                f"mode={self.mode}, max={self.max}"
            )
        if self.max == self.min:
            raise ValueError(
                f"min and max are both {self.min}: use dist: fixed for a constant"
            )
        return self


class Exponential(_Dist):
    """A memoryless duration with the given mean."""

    dist: Literal["exponential"]
    mean: float = Field(gt=0)


class Normal(_Dist):
    """A normal duration truncated at zero (negative draws are drawn again)."""

    dist: Literal["normal"]
    mean: float = Field(gt=0)
    sd: float = Field(ge=0, description="Standard deviation before truncation.")


class Lognormal(_Dist):
    """A right-skewed duration given by its own mean and standard deviation.

    ``mean`` and ``sd`` describe the duration, not its logarithm.
    """

    dist: Literal["lognormal"]
    mean: float = Field(gt=0)
    sd: float = Field(gt=0)

    def log_parameters(self) -> tuple[float, float]:
        """Return ``(mu, sigma)`` of the underlying normal distribution."""
        sigma2 = math.log(1.0 + (self.sd / self.mean) ** 2)
        return math.log(self.mean) - sigma2 / 2.0, math.sqrt(sigma2)


class Empirical(_Dist):
    """Observed durations, each drawn with equal probability."""

    dist: Literal["empirical"]
    samples: list[Annotated[float, Field(ge=0)]] = Field(min_length=1)


Distribution = Annotated[
    Fixed | Uniform | Triangular | Exponential | Normal | Lognormal | Empirical,
    Field(discriminator="dist"),
]


def sample(dist: Distribution, rng: np.random.Generator) -> float:
    """Draw one duration from ``dist`` with ``rng``, in the model's time unit."""
    kind = dist.dist
    if kind == "fixed":
        return dist.value
    if kind == "exponential":
        return rng.exponential(dist.mean)
    if kind == "triangular":
        return rng.triangular(dist.min, dist.mode, dist.max)
    if kind == "uniform":
        return rng.uniform(dist.low, dist.high)
    if kind == "lognormal":
        mu, sigma = dist.log_parameters()
        return rng.lognormal(mu, sigma)
    if kind == "normal":
        return _truncated_normal(dist.mean, dist.sd, rng)
    return dist.samples[rng.integers(len(dist.samples))]


def _truncated_normal(mean: float, sd: float, rng: np.random.Generator) -> float:
    # The mean is positive, so each draw is at least half likely to be kept.
    while True:
        value = rng.normal(mean, sd)
        if value >= 0:
            return value


def mean_of(dist: Distribution) -> float:
    """Return the mean of ``dist`` in the model's time unit.

    For ``normal`` this is the mean before truncation at zero, which is close to the
    truncated mean when ``sd`` is well below ``mean``.
    """
    kind = dist.dist
    if kind == "fixed":
        return dist.value
    if kind == "uniform":
        return (dist.low + dist.high) / 2.0
    if kind == "triangular":
        return (dist.min + dist.mode + dist.max) / 3.0
    if kind in ("exponential", "normal", "lognormal"):
        return dist.mean
    return float(np.mean(dist.samples))
