"""Random streams: one seed per experiment, one generator per source of randomness.

The root seed of an experiment and the replication number give a
:class:`numpy.random.SeedSequence`. Within a replication, each source of randomness
(such as ``"arrivals/Walk-ins"`` or ``"duration/Check form"``) gets its own generator.
Its spawn key is a stable hash of the source name. Two scenarios run with the same
seed therefore draw the same values wherever they share a source name: this is how
common random numbers reach a before/after comparison. No global random state is
used.
"""

from __future__ import annotations

import hashlib

import numpy as np

from workbench.distributions import Distribution

__all__ = [
    "DEFAULT_SEED",
    "stable_key",
    "replication_seed_sequence",
    "RandomStreams",
    "Sampler",
    "draw_block",
]

#: Root seed of an experiment when the caller gives none.
DEFAULT_SEED = 20260105

#: Values drawn per refill of a :class:`Sampler` buffer.
_BLOCK = 512


def stable_key(name: str) -> int:
    """Return a 64-bit integer hash of ``name`` that is the same in every process.

    Python's built-in ``hash`` of a string changes between interpreter runs, so it
    cannot key random streams.
    """
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def replication_seed_sequence(seed: int, replication: int) -> np.random.SeedSequence:
    """Return the seed sequence of one replication.

    This is the ``replication``-th child of ``SeedSequence(seed).spawn``, built
    directly so that replication 7 does not need children 0 to 6.
    """
    return np.random.SeedSequence(seed, spawn_key=(replication,))


class RandomStreams:
    """The independent random generators of one replication, keyed by source name.

    Parameters
    ----------
    seed : int
        The experiment's root seed.
    replication : int
        The replication number, from 0.
    """

    def __init__(self, seed: int, replication: int):
        parent = replication_seed_sequence(seed, replication)
        self._entropy = parent.entropy
        self._spawn_key = parent.spawn_key
        self._generators: dict[str, np.random.Generator] = {}

    def generator(self, name: str) -> np.random.Generator:
        """Return the generator of the source ``name``, creating it on first use."""
        rng = self._generators.get(name)
        if rng is None:
            sequence = np.random.SeedSequence(
                self._entropy, spawn_key=(*self._spawn_key, stable_key(name))
            )
            rng = np.random.Generator(np.random.PCG64(sequence))
            self._generators[name] = rng
        return rng

    def sampler(
        self, name: str, dist: Distribution | None, scale: float = 1.0
    ) -> Sampler:
        """Return a buffered sampler of ``dist`` times ``scale`` from ``name``."""
        return Sampler(dist, self.generator(name), scale)

    def uniforms(self, name: str) -> Sampler:
        """Return a buffered sampler of uniform values in [0, 1) from ``name``."""
        return Sampler(None, self.generator(name), 1.0, uniform=True)


def draw_block(dist: Distribution, rng: np.random.Generator, size: int) -> np.ndarray:
    """Draw ``size`` values of ``dist`` in its own time unit.

    The values have the distribution of :func:`workbench.distributions.sample`, drawn
    as one numpy call.
    """
    kind = dist.dist
    if kind == "fixed":
        return np.full(size, dist.value)
    if kind == "exponential":
        return rng.exponential(dist.mean, size)
    if kind == "triangular":
        return rng.triangular(dist.min, dist.mode, dist.max, size)
    if kind == "uniform":
        return rng.uniform(dist.low, dist.high, size)
    if kind == "lognormal":
        mu, sigma = dist.log_parameters()
        return rng.lognormal(mu, sigma, size)
    if kind == "normal":
        return _truncated_normal_block(dist.mean, dist.sd, rng, size)
    return np.asarray(dist.samples)[rng.integers(len(dist.samples), size=size)]


def _truncated_normal_block(
    mean: float, sd: float, rng: np.random.Generator, size: int
) -> np.ndarray:
    accepted = np.empty(0)
    while accepted.size < size:
        values = rng.normal(mean, sd, size)
        accepted = np.concatenate([accepted, values[values >= 0]])
    return accepted[:size]


class Sampler:
    """Draws of one distribution from one generator, refilled in blocks.

    Drawing blocks keeps numpy's per-call cost off the simulation's hot path. A
    fixed distribution draws nothing. ``dist=None`` samples zero.
    """

    __slots__ = ("_dist", "_rng", "_scale", "_uniform", "_buffer", "_index", "_fixed")

    def __init__(self, dist, rng: np.random.Generator, scale: float, uniform=False):
        self._dist = dist
        self._rng = rng
        self._scale = scale
        self._uniform = uniform
        self._buffer: list[float] = []
        self._index = 0
        self._fixed = None
        if dist is None and not uniform:
            self._fixed = 0.0
        elif dist is not None and dist.dist == "fixed":
            self._fixed = dist.value * scale

    def __call__(self) -> float:
        """Return the next value."""
        if self._fixed is not None:
            return self._fixed
        if self._index >= len(self._buffer):
            self._refill()
        value = self._buffer[self._index]
        self._index += 1
        return value

    def _refill(self) -> None:
        if self._uniform:
            block = self._rng.random(_BLOCK)
        else:
            block = draw_block(self._dist, self._rng, _BLOCK) * self._scale
        self._buffer = block.tolist()
        self._index = 0
