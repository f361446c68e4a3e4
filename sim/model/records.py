"""What a run leaves besides its figures: events, samples, and why it stopped early."""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


class GuardTripped(Exception):
    """A run exceeded one of its limits and was stopped."""


class InvariantBroken(Exception):
    """A run broke one of the model's invariants (a bug, never a property of the scenario)."""


@dataclass
class Event:
    """A row of events.csv."""

    time_s: float
    kind: str
    target: str = ""
    detail: str = ""


_TYPECODES = ("b", "h", "i", "q", "d")
"""A sample column's array types, narrowest first: signed integers of 1, 2, 4 and 8 bytes,
then doubles (once a value is not an integer).  Values are typed `object`, not `float`: the
compiled core would turn an int typed `float` into a float and lose the narrow types."""


def _times() -> array[float]:
    return array("d")


def column(values: Iterable[object] = ()) -> array[Any]:
    """A sample column holding `values`, each in the narrowest type that keeps it exactly."""
    col: array[Any] = array("b")
    for value in values:
        try:
            col.append(value)
        except (OverflowError, TypeError):
            col = _widened(col, value)
    return col


def _widened(col: array[Any], value: object) -> array[Any]:
    """`col` copied into the next type that also holds `value`, with `value` appended.

    Integers stay integers up to 8 bytes (a count never gets that far); a float moves the
    column to doubles, where its integers read back as equal floats (exact below 2**53).
    """
    for code in _TYPECODES[_TYPECODES.index(col.typecode) + 1 :]:
        wider: array[Any] = array(code, col)
        try:
            wider.append(value)
        except (OverflowError, TypeError):
            continue
        return wider
    raise TypeError(f"a sample must be a number, not {value!r}")


@dataclass
class Samples:
    """Backlogs at the fixed sampling step: a compact array per column.

    `time_s` is an array of doubles; each column an array of the narrowest signed integer
    type its values have needed so far (1 byte for most backlogs), widened as a larger value
    or a float comes.  Every value reads back exactly as it was recorded, at 1 to 8 bytes a
    value instead of a list's pointer and number object (8 + 24 bytes), and a replication's
    samples pickle as a few byte strings.
    """

    time_s: array[float] = field(default_factory=_times)
    columns: dict[str, array[Any]] = field(default_factory=dict)

    @classmethod
    def of(cls, times: Iterable[float], columns: Mapping[str, Iterable[object]]) -> Samples:
        """Samples holding the given times and columns (tests and tools)."""
        return cls(array("d", times), {name: column(v) for name, v in columns.items()})

    def add(self, time_s: float, values: Sequence[object]) -> None:
        """Record one sample: its time and a value per column, in the columns' order."""
        self.time_s.append(time_s)
        cols = self.columns
        for (name, col), value in zip(cols.items(), values, strict=True):
            try:
                col.append(value)
            except (OverflowError, TypeError):
                cols[name] = _widened(col, value)
