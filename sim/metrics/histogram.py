"""A log-bucketed histogram: exact count, mean, min and max; percentiles within 1 % relative
error, and never outside the exact [min, max] of the values.

Values are appended to a buffer of doubles (a bare `array.append` on the hot path: 8 bytes a
value, no float object kept alive) and binned with numpy when the buffer is flushed; the world
asks every histogram at each backlog sample to flush once it holds `_FLUSH_AT` values, so
memory stays O(buckets + _FLUSH_AT).
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable
from typing import Final

import numpy as np

_RATIO: Final = 1.02
"""Bucket width: each bucket spans a factor of 1.02, so its geometric middle is within 1 %."""
_LOG_RATIO = math.log(_RATIO)
_FLOOR: Final = 1e-6
"""Values below a microsecond share the first bucket."""
_FLUSH_AT: Final = 4096


class Histogram:
    """Values (seconds) counted in geometric buckets."""

    __slots__ = ("_buf", "_count", "_max", "_min", "_total", "add", "buckets")

    def __init__(self) -> None:
        self.buckets: dict[int, int] = {}
        self._count = 0
        self._total = 0.0
        self._max = 0.0
        self._min = math.inf
        self._buf = array("d")
        self.add = self._buf.append
        """Count one value (binned at the next flush)."""

    def flush(self) -> None:
        """Bin the buffered values."""
        buf = self._buf
        if not buf:
            return
        values = np.array(buf, dtype=np.float64)  # a copy: the buffer is emptied next
        del buf[:]
        self._count += int(values.size)
        self._total += float(values.sum())
        self._max = max(self._max, float(values.max()))
        self._min = min(self._min, float(values.min()))
        clipped = np.maximum(values, _FLOOR)
        idx = np.floor(np.log(clipped / _FLOOR) / _LOG_RATIO).astype(np.int64)
        keys, counts = np.unique(idx, return_counts=True)
        buckets = self.buckets
        for k, n in zip(keys.tolist(), counts.tolist(), strict=True):
            buckets[k] = buckets.get(k, 0) + n

    def flush_if_large(self) -> None:
        """Flush when the buffer has grown past its bound (called between events)."""
        if len(self._buf) >= _FLUSH_AT:
            self.flush()

    @property
    def count(self) -> int:
        """How many values were added."""
        self.flush()
        return self._count

    @property
    def total(self) -> float:
        """The sum of the values."""
        self.flush()
        return self._total

    @property
    def max(self) -> float:
        """The largest value (0 when empty)."""
        self.flush()
        return self._max

    @property
    def min(self) -> float | None:
        """The smallest value (None when empty)."""
        self.flush()
        return self._min if self._count else None

    @property
    def mean(self) -> float | None:
        """The exact mean, or None when empty."""
        self.flush()
        return self._total / self._count if self._count else None

    def quantile(self, q: float) -> float | None:
        """The q-quantile (0 < q <= 1) within 1 % relative error, or None when empty.

        A bucket's geometric middle stands for its values, clamped to the exact min and max:
        values that all fall in one bucket (all equal, say) are reported as they are.
        """
        self.flush()
        if not self._count:
            return None
        rank = max(1, math.ceil(q * self._count))
        seen = 0
        mid = self._max
        for b in sorted(self.buckets):
            seen += self.buckets[b]
            if seen >= rank:
                mid = _FLOOR if b == 0 else float(_FLOOR * _RATIO ** (b + 0.5))
                break
        return min(max(mid, self._min), self._max)

    def merge(self, other: Histogram) -> None:
        """Add another histogram's values to this one."""
        self.flush()
        other.flush()
        self._count += other._count
        self._total += other._total
        self._max = max(self._max, other._max)
        self._min = min(self._min, other._min)
        for b, n in other.buckets.items():
            self.buckets[b] = self.buckets.get(b, 0) + n

    @classmethod
    def of(cls, values: Iterable[float]) -> Histogram:
        """A histogram of the given values (tests and small tools)."""
        h = cls()
        for v in values:
            h.add(v)
        return h
