"""Random distributions for service, ACK and turnaround times.

A scenario names a distribution by text (``lognormal(150ms, 80ms)``); the loader turns that text
into one of the small frozen classes below, found by name in :data:`DISTRIBUTIONS`. Each class
knows its mean and squared coefficient of variation (what the queueing-theory checks need), draws
samples from a caller-owned :class:`numpy.random.Generator` (never a global one), and writes
itself back as canonical text that parses to an equal object, which is how a resolved scenario is
saved next to its results.

Every parameter is in seconds except ``gamma``'s ``cv``, a plain number. Parameters are checked
here too (finite and positive) so that a distribution built in Python is as safe as one read from
a file.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import ClassVar, Literal

import numpy as np
import numpy.typing as npt

__all__ = [
    "DISTRIBUTIONS",
    "Constant",
    "Distribution",
    "Empirical",
    "Exponential",
    "Gamma",
    "Lognormal",
    "ParamKind",
    "Uniform",
    "format_seconds",
]

ParamKind = Literal["duration", "number", "path"]
"""How a distribution's argument is written: a duration with a unit, a plain number, a file."""

FloatArray = npt.NDArray[np.float64]


def format_seconds(value: float) -> str:
    """Write a number of seconds as the shortest text that reads back to the same float.

    Args:
        value: A finite number of seconds.

    Returns:
        ``"25200s"`` for whole numbers, otherwise ``repr`` of the float with ``s``
        (``"0.15s"``, ``"1e-05s"``).
    """
    if value.is_integer() and abs(value) < 1e15:
        return f"{int(value)}s"
    return f"{value!r}s"


def _number(value: float) -> str:
    """Write a plain number as the shortest text that reads back to the same float."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _check(name: str, label: str, value: float, *, allow_zero: bool = False) -> None:
    """Refuse a parameter that is not finite and positive (or zero, where allowed).

    Raises:
        ValueError: With a message naming the distribution and the parameter.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name}: {label} must be a number, not {type(value).__name__}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise ValueError(f"{name}: {label} must be finite, not {value}")
    if value < 0 or (value == 0 and not allow_zero):
        bound = "zero or more" if allow_zero else "positive"
        raise ValueError(f"{name}: {label} must be {bound}, not {_number(float(value))}")


class Distribution(ABC):
    """A distribution of non-negative values (seconds, unless said otherwise).

    Subclasses are frozen dataclasses (so they are hashable and compare by value) and declare
    their YAML ``name`` and the kinds of their arguments in ``params``.
    """

    name: ClassVar[str]
    """The name used in scenario files, e.g. ``"lognormal"``."""
    params: ClassVar[tuple[tuple[str, ParamKind], ...]]
    """Argument names and kinds, in the order they are written."""
    example: ClassVar[str]
    """A correct example, quoted in error messages."""

    @property
    @abstractmethod
    def mean(self) -> float:
        """The mean of the distribution."""

    @property
    @abstractmethod
    def scv(self) -> float:
        """The squared coefficient of variation, variance divided by the squared mean."""

    @abstractmethod
    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        """Draw ``n`` independent values as a float64 array, using only ``rng``."""

    @abstractmethod
    def args(self) -> tuple[float | str, ...]:
        """The constructor arguments, in the order ``params`` lists them."""

    def text(self) -> str:
        """Canonical text that parses back to an equal object, e.g. ``lognormal(0.15s, 0.08s)``."""
        parts: list[str] = []
        for (_label, kind), value in zip(self.params, self.args(), strict=True):
            if kind == "duration":
                assert isinstance(value, float | int)
                parts.append(format_seconds(float(value)))
            elif kind == "number":
                assert isinstance(value, float | int)
                parts.append(_number(float(value)))
            else:
                parts.append(str(value))
        return f"{self.name}({', '.join(parts)})"

    @classmethod
    def signature(cls) -> str:
        """The written form with argument names, e.g. ``lognormal(mean, sd)``."""
        return f"{cls.name}({', '.join(label for label, _kind in cls.params)})"


@dataclass(frozen=True)
class Exponential(Distribution):
    """Exponential with the given mean (memoryless: the M of M/M/c)."""

    name: ClassVar[str] = "exponential"
    params: ClassVar[tuple[tuple[str, ParamKind], ...]] = (("mean", "duration"),)
    example: ClassVar[str] = "exponential(30min)"
    mean_s: float

    def __post_init__(self) -> None:
        _check(self.name, "mean", self.mean_s)

    @property
    def mean(self) -> float:
        return float(self.mean_s)

    @property
    def scv(self) -> float:
        return 1.0

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        return rng.exponential(self.mean_s, n)

    def args(self) -> tuple[float | str, ...]:
        return (float(self.mean_s),)


@dataclass(frozen=True)
class Constant(Distribution):
    """Always the same value (the D of M/D/1)."""

    name: ClassVar[str] = "constant"
    params: ClassVar[tuple[tuple[str, ParamKind], ...]] = (("value", "duration"),)
    example: ClassVar[str] = "constant(50ms)"
    value: float

    def __post_init__(self) -> None:
        _check(self.name, "value", self.value)

    @property
    def mean(self) -> float:
        return float(self.value)

    @property
    def scv(self) -> float:
        return 0.0

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        return np.full(n, float(self.value), dtype=np.float64)

    def args(self) -> tuple[float | str, ...]:
        return (float(self.value),)


@dataclass(frozen=True)
class Lognormal(Distribution):
    """Lognormal given by its own mean and standard deviation (not those of its logarithm).

    sigma^2 = ln(1 + sd^2 / mean^2) and mu = ln(mean) - sigma^2 / 2, so that the draws have
    exactly the mean and sd written in the file.
    """

    name: ClassVar[str] = "lognormal"
    params: ClassVar[tuple[tuple[str, ParamKind], ...]] = (("mean", "duration"), ("sd", "duration"))
    example: ClassVar[str] = "lognormal(150ms, 80ms)"
    mean_s: float
    sd_s: float

    def __post_init__(self) -> None:
        _check(self.name, "mean", self.mean_s)
        _check(self.name, "sd", self.sd_s)

    @property
    def mean(self) -> float:
        return float(self.mean_s)

    @property
    def scv(self) -> float:
        return (self.sd_s / self.mean_s) ** 2

    @property
    def sigma(self) -> float:
        """Standard deviation of the underlying normal."""
        return math.sqrt(math.log1p(self.scv))

    @property
    def mu(self) -> float:
        """Mean of the underlying normal."""
        return math.log(self.mean_s) - math.log1p(self.scv) / 2

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        return rng.lognormal(self.mu, self.sigma, n)

    def args(self) -> tuple[float | str, ...]:
        return (float(self.mean_s), float(self.sd_s))


@dataclass(frozen=True)
class Gamma(Distribution):
    """Gamma given by its mean and coefficient of variation: shape 1/cv^2, scale mean*cv^2."""

    name: ClassVar[str] = "gamma"
    params: ClassVar[tuple[tuple[str, ParamKind], ...]] = (("mean", "duration"), ("cv", "number"))
    example: ClassVar[str] = "gamma(2min, 0.5)"
    mean_s: float
    cv: float

    def __post_init__(self) -> None:
        _check(self.name, "mean", self.mean_s)
        _check(self.name, "cv", self.cv)

    @property
    def mean(self) -> float:
        return float(self.mean_s)

    @property
    def scv(self) -> float:
        return float(self.cv) ** 2

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        return rng.gamma(1.0 / self.scv, self.mean_s * self.scv, n)

    def args(self) -> tuple[float | str, ...]:
        return (float(self.mean_s), float(self.cv))


@dataclass(frozen=True)
class Uniform(Distribution):
    """Uniform between two bounds; ``low`` may be zero, ``high`` must be above it."""

    name: ClassVar[str] = "uniform"
    params: ClassVar[tuple[tuple[str, ParamKind], ...]] = (
        ("low", "duration"),
        ("high", "duration"),
    )
    example: ClassVar[str] = "uniform(1s, 3s)"
    low: float
    high: float

    def __post_init__(self) -> None:
        _check(self.name, "low", self.low, allow_zero=True)
        _check(self.name, "high", self.high)
        if self.high <= self.low:
            raise ValueError(
                f"uniform: high ({format_seconds(float(self.high))}) must be above "
                f"low ({format_seconds(float(self.low))})"
            )

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2

    @property
    def scv(self) -> float:
        return ((self.high - self.low) ** 2 / 12) / self.mean**2

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        return rng.uniform(self.low, self.high, n)

    def args(self) -> tuple[float | str, ...]:
        return (float(self.low), float(self.high))


@dataclass(frozen=True)
class Empirical(Distribution):
    """Resampling, with replacement, of observed values read from a CSV file.

    ``path`` is the absolute path of the file (so that :meth:`text` reads back from anywhere);
    ``values`` are the seconds read from it at load time.
    """

    name: ClassVar[str] = "empirical"
    params: ClassVar[tuple[tuple[str, ParamKind], ...]] = (("file.csv", "path"),)
    example: ClassVar[str] = "empirical(ack-times.csv)"
    path: str
    values: tuple[float, ...]
    _array: FloatArray = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        if not self.values:
            raise ValueError(f"empirical: {self.path} holds no values")
        for value in self.values:
            _check(self.name, "every value", value, allow_zero=True)
        array = np.asarray(self.values, dtype=np.float64)
        if float(array.mean()) <= 0:
            raise ValueError(f"empirical: the values in {self.path} are all zero")
        object.__setattr__(self, "_array", array)

    @property
    def mean(self) -> float:
        return float(self._array.mean())

    @property
    def scv(self) -> float:
        return float(self._array.var()) / self.mean**2

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        return rng.choice(self._array, n, replace=True)

    def args(self) -> tuple[float | str, ...]:
        return (self.path,)


DISTRIBUTIONS: dict[str, type[Distribution]] = {
    cls.name: cls for cls in (Exponential, Constant, Lognormal, Gamma, Uniform, Empirical)
}
"""Every distribution by the name scenario files use; a new one is a class plus an entry here."""
