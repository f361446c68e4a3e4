"""What a run leaves besides its figures: events, samples, and why it stopped early."""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np


class GuardTripped(Exception):
    """A run exceeded one of its limits and was stopped."""


class InvariantBroken(Exception):
    """A run broke one of the model's invariants (a bug, never a property of the scenario)."""


TraceRow = tuple[float, int, str, str, str, int, str, int | None, str, int | None]
"""A row of trace.csv (``--trace``): time (simulated seconds), uid, flow, priority class,
event, patient, system (the flow's end that is not the EHR), attempt (on ``sent``, ``acked``,
``nak`` and ``timeout``; else None), ACK code (``AA``, ``AE``, ``AR`` on ``acked``/``nak``;
else ''), and the uid of the order a result answers (None for other messages)."""


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
    return _appended(array("b"), values)


def _appended(col: array[Any], values: Iterable[object]) -> array[Any]:
    """`col` with `values` appended one by one, widened as they need."""
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


ROWS_PER_BLOCK: Final = 256
"""Samples gathered as rows before they are packed into the columns (a few KiB at most)."""

_NUMPY_TYPES: Final = {"b": np.int8, "h": np.int16, "i": np.int32, "q": np.int64, "d": np.float64}
_LIMITS: Final = {"b": 2**7, "h": 2**15, "i": 2**31, "q": 2**63}
"""Each integer type holds -limit <= v < limit."""


def _extended(col: array[Any], values: Sequence[object]) -> array[Any]:
    """`col` with `values` appended, widened (as `column` would) to hold them all exactly."""
    block = np.asarray(values)
    if block.dtype.kind in "iu" and col.typecode != "d":
        lo, hi = int(block.min()), int(block.max())
        wider = _TYPECODES[_TYPECODES.index(col.typecode) :]
        code = next(c for c in wider if c == "d" or (-_LIMITS[c] <= lo and hi < _LIMITS[c]))
    elif block.dtype.kind in "iuf":
        code = "d"
    else:  # not all numbers: value by value, so that the error names the culprit
        return _appended(col, values)
    if code != col.typecode:
        col = array(code, col)
    col.frombytes(block.astype(_NUMPY_TYPES[code]).tobytes())
    return col


class Samples:
    """Backlogs at the fixed sampling step: a compact array per column.

    `time_s` is an array of doubles; each column an array of the narrowest signed integer
    type its values have needed so far (1 byte for most backlogs), widened as a larger value
    or a float comes.  Every value reads back exactly as it was recorded, at 1 to 8 bytes a
    value instead of a list's pointer and number object (8 + 24 bytes), and a replication's
    samples pickle as a few byte strings.  Rows are packed into the columns a block at a
    time (numpy converts a block at once, where appending value by value cost a run ~7 %);
    reading `columns` packs what is pending.
    """

    def __init__(
        self, time_s: array[float] | None = None, columns: dict[str, array[Any]] | None = None
    ) -> None:
        self.time_s: array[float] = array("d") if time_s is None else time_s
        self._columns: dict[str, array[Any]] = {} if columns is None else columns
        self._rows: list[Sequence[object]] = []

    @classmethod
    def of(cls, times: Iterable[float], columns: Mapping[str, Iterable[object]]) -> Samples:
        """Samples holding the given times and columns (tests and tools)."""
        return cls(array("d", times), {name: column(v) for name, v in columns.items()})

    @property
    def columns(self) -> dict[str, array[Any]]:
        """Column name -> its values, one per time in `time_s`."""
        if self._rows:
            self._pack()
        return self._columns

    def add(self, time_s: float, values: Sequence[object]) -> None:
        """Record one sample: its time and a value per column, in the columns' order."""
        if len(values) != len(self._columns):
            raise ValueError(f"{len(values)} values for {len(self._columns)} sample columns")
        self.time_s.append(time_s)
        self._rows.append(values)
        if len(self._rows) >= ROWS_PER_BLOCK:
            self._pack()

    def _pack(self) -> None:
        rows, self._rows = self._rows, []
        cols = self._columns
        for (name, col), values in zip(list(cols.items()), zip(*rows, strict=True), strict=True):
            cols[name] = _extended(col, values)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Samples):
            return NotImplemented
        return self.time_s == other.time_s and self.columns == other.columns

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        return (Samples, (self.time_s, self.columns))

    def __repr__(self) -> str:
        return f"Samples({len(self.time_s)} times, columns {list(self.columns)})"
