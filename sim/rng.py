"""Named random streams: one generator per stream, derived from the seed by name.

Streams are derived by name, never by position, so adding a flow or a system does not shift
the numbers any other stream draws, and `compare` variants see the same arrivals (common
random numbers).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

import numpy as np

if TYPE_CHECKING:
    from sim.distributions import Distribution

BLOCK: Final = 1024
"""How many numbers a sampler draws at once; numpy's per-call cost is paid once per block."""


def stable_hash(name: str) -> int:
    """A hash of `name` that is the same in every process (unlike `hash`, which is salted)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little")


class Streams:
    """The random streams of one replication of one seed."""

    def __init__(self, seed: int, replication: int) -> None:
        self.seed = seed
        self.replication = replication

    def generator(self, name: str) -> np.random.Generator:
        """The generator of the stream called `name`, independent of every other name."""
        seq = np.random.SeedSequence(self.seed, spawn_key=(self.replication, stable_hash(name)))
        return np.random.Generator(np.random.PCG64(seq))

    def sampler(self, name: str, dist: Distribution, scale: float = 1.0) -> Sampler:
        """A sampler of `dist` on its own stream."""
        gen = self.generator(name)
        return Sampler(lambda n: dist.sample(gen, n) * scale)

    def uniform(self, name: str) -> Sampler:
        """Uniform numbers on [0, 1) on their own stream."""
        gen = self.generator(name)
        return Sampler(gen.random)

    def exponential(self, name: str) -> Sampler:
        """Unit-mean exponential numbers on their own stream."""
        gen = self.generator(name)
        return Sampler(gen.standard_exponential)


class Sampler:
    """Hands out numbers one by one from blocks drawn in a vectorised call."""

    __slots__ = ("_buf", "_draw", "_i", "_n")

    def __init__(self, draw: Callable[[int], np.ndarray]) -> None:
        self._draw = draw
        self._buf: list[float] = []
        self._i = 0
        self._n = 0

    def __call__(self) -> float:
        i = self._i
        if i == self._n:
            self._buf = self._draw(BLOCK).tolist()
            self._n = len(self._buf)
            i = 0
        self._i = i + 1
        return self._buf[i]
