"""The latency histogram: a compact buffer that bins exactly what a list would have."""

from __future__ import annotations

import sys

import numpy as np

from sim.metrics.histogram import _FLUSH_AT, Histogram


def test_the_buffer_holds_doubles_not_float_objects() -> None:
    """A full buffer takes about 8 bytes a value (a list of floats would take 32)."""
    h = Histogram()
    for i in range(_FLUSH_AT - 1):
        h.add(i * 0.001)
    assert sys.getsizeof(h._buf) < 9 * _FLUSH_AT + 200
    h.flush_if_large()
    assert len(h._buf) == _FLUSH_AT - 1  # not large yet
    h.add(1.5)
    h.flush_if_large()
    assert len(h._buf) == 0


def test_figures_are_those_of_the_values_summed_per_flush() -> None:
    """Count, total, max and quantiles are those of numpy over each flushed chunk."""
    rng = np.random.default_rng(7)
    chunks = [rng.exponential(2.0, n).tolist() for n in (_FLUSH_AT, 17, _FLUSH_AT + 5)]
    h = Histogram()
    for chunk in chunks:
        for v in chunk:
            h.add(v)
        h.flush()
    everything = [v for chunk in chunks for v in chunk]
    total = 0.0
    for chunk in chunks:
        total += float(np.asarray(chunk, dtype=np.float64).sum())
    assert h.count == len(everything)
    assert h.total == total
    assert h.max == max(everything)
    assert h.min == min(everything)
    p95 = h.quantile(0.95)
    assert p95 is not None
    assert abs(p95 / float(np.quantile(everything, 0.95)) - 1) < 0.03
