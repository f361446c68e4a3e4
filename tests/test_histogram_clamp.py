"""Percentiles of the histogram never leave the exact [min, max] of the values it holds."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.metrics.histogram import Histogram

QS = (0.5, 0.95, 0.99)


def quantiles(h: Histogram) -> list[float]:
    """p50, p95 and p99 (the histogram is not empty)."""
    out = [h.quantile(q) for q in QS]
    assert all(v is not None for v in out)
    return [float(v) for v in out if v is not None]


class TestExact:
    def test_equal_values_give_that_value_at_every_percentile(self) -> None:
        """Every value 1200.2 s: p50, p95 and p99 are 1200.2 (not a bucket's middle)."""
        h = Histogram.of([1200.2] * 100)
        assert quantiles(h) == [1200.2, 1200.2, 1200.2]

    def test_a_percentile_below_the_smallest_value_is_the_smallest(self) -> None:
        """Values just above their bucket's middle: no percentile is below the minimum."""
        low = 1.0e-6 * 1.02**100.7  # in bucket 100, above its geometric middle (100.5)
        h = Histogram.of([low] * 50 + [low * 1.001] * 50)
        assert quantiles(h) == [low, low, low]  # p99 (low * 1.001) is within 0.1 %

    def test_merging_keeps_the_exact_minimum(self) -> None:
        """A merged histogram (a channel's waits over classes) keeps min and max exact."""
        merged = Histogram()
        merged.merge(Histogram.of([1200.2] * 10))
        merged.merge(Histogram.of([1200.2] * 5))
        assert merged.min == 1200.2
        assert merged.max == 1200.2
        assert quantiles(merged) == [1200.2, 1200.2, 1200.2]

    def test_zero_and_tiny_values_stay_within_their_range(self) -> None:
        """Values below the first bucket's floor are reported within [min, max] too."""
        assert quantiles(Histogram.of([0.0, 0.0, 0.0])) == [0.0, 0.0, 0.0]
        assert quantiles(Histogram.of([3e-7] * 4)) == [3e-7, 3e-7, 3e-7]


values = st.lists(
    st.one_of(
        st.floats(min_value=0.0, max_value=1e6, allow_nan=False),
        st.sampled_from([0.0, 1e-7, 1200.2, 0.0105, 86400.0]),
    ),
    min_size=1,
    max_size=300,
)


@settings(max_examples=300, deadline=None)
@given(values, st.integers(min_value=1, max_value=4))
def test_percentiles_are_ordered_and_within_min_and_max(xs: list[float], parts: int) -> None:
    """min <= p50 <= p95 <= p99 <= max, also for a histogram merged from parts, and each
    percentile is within 2 % of the exact one (the bucket's 1 %, at the bucket's edge)."""
    h = Histogram()
    size = math.ceil(len(xs) / parts)
    for i in range(0, len(xs), size):
        h.merge(Histogram.of(xs[i : i + size]))
    p50, p95, p99 = quantiles(h)
    assert h.min == min(xs)
    assert h.max == max(xs)
    assert min(xs) <= p50 <= p95 <= p99 <= max(xs)
    for q, got in zip(QS, (p50, p95, p99), strict=True):
        exact = float(np.quantile(xs, q, method="inverted_cdf"))
        if exact >= 1e-6:
            assert abs(got - exact) <= 0.0201 * exact
