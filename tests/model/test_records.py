"""Backlog samples: compact columns that read back exactly what was recorded."""

from __future__ import annotations

import math
import pickle

import pytest

from sim.model.records import ROWS_PER_BLOCK, Samples, column
from tests.model.conftest import MakeWorld

SMALL = """
name: small
horizon: 2h
warmup: 10min
sample_every: 30s
flows:
  orders: {from: ehr, to: lab, rate: 1800/h}
systems:
  lab: {ack: constant(100ms), timeout: 30s}
engine: {cores: 2, transform: constant(1ms)}
faults:
  - {name: integration servers stall, kind: engine-stall, at: +30min, for: 30min}
"""


class TestColumns:
    def test_a_column_widens_as_values_grow_and_keeps_each_value(self) -> None:
        """From one byte to two, four and eight, then doubles: every value reads back equal."""
        values = [0, 3, -7, 127, -128]
        col = column(values)
        assert col.typecode == "b"
        for value, code in ((300, "h"), (-70_000, "i"), (2**40, "q"), (2**63 - 1, "q")):
            values.append(value)
            col = column(values)
            assert col.typecode == code
            assert list(col) == values
            assert all(type(v) is int for v in col)

    def test_a_float_moves_the_column_to_doubles_and_reads_back_exactly(self) -> None:
        """0.1 and 1/3 come back as the very same floats; earlier integers as equal floats."""
        values = [0, 5, 200, 0.1, 1 / 3, 2.0**-40, 1e300, -0.0]
        col = column(values)
        assert col.typecode == "d"
        assert list(col) == values
        assert [v.hex() for v in col[3:]] == [float(v).hex() for v in values[3:]]
        assert math.copysign(1.0, col[-1]) == -1.0

    def test_a_non_number_is_refused(self) -> None:
        with pytest.raises(TypeError, match="must be a number"):
            column([1, "3"])  # type: ignore[list-item]


class TestSamples:
    def test_add_appends_a_row_in_the_columns_order(self) -> None:
        samples = Samples.of([], {"queue.lab": [], "total": []})
        samples.add(0, [1, 2])
        samples.add(60.0, [400, 2.5])
        assert list(samples.time_s) == [0.0, 60.0]
        assert list(samples.columns["queue.lab"]) == [1, 400]
        assert list(samples.columns["total"]) == [2, 2.5]
        assert samples.columns["queue.lab"].typecode == "h"
        assert samples.columns["total"].typecode == "d"

    def test_a_row_of_the_wrong_length_is_refused(self) -> None:
        samples = Samples.of([], {"queue.lab": [], "total": []})
        with pytest.raises(ValueError):
            samples.add(0.0, [1, 2, 3])

    def test_samples_pickle_exactly_and_compactly(self) -> None:
        """A day at 60 s of 30 small columns: one byte a value, 8 a time, once pickled."""
        n = 1441
        times = [i * 60.0 for i in range(n)]
        cols = {f"c{j}": [(i * j) % 50 for i in range(n)] for j in range(30)}
        samples = Samples.of(times, cols)
        data = pickle.dumps(samples, protocol=pickle.HIGHEST_PROTOCOL)
        back = pickle.loads(data)
        assert list(back.time_s) == times
        assert {k: list(v) for k, v in back.columns.items()} == cols
        assert len(data) < n * (8 + 30) + 2000

    def test_rows_added_one_by_one_equal_the_columns_made_at_once(self) -> None:
        """Packing rows a block at a time gives the same arrays as appending value by value:
        the same types and values, through pickling, and with a block left pending."""
        n = 3 * ROWS_PER_BLOCK + 17
        cols = {
            "small": [i % 7 for i in range(n)],
            "grows": [i * i for i in range(n)],  # 1 byte, then 2, then 4
            "neg": [-(i % 300) for i in range(n)],
            "late_float": [i if i < n - 5 else i + 0.5 for i in range(n)],
        }
        at_once = Samples.of([i * 60.0 for i in range(n)], cols)
        added = Samples.of([], {name: [] for name in cols})
        for i in range(n):
            added.add(i * 60.0, [values[i] for values in cols.values()])
        back = pickle.loads(pickle.dumps(added))  # packs what is pending
        assert back == added == at_once
        for name in cols:
            assert added.columns[name].typecode == at_once.columns[name].typecode
            assert list(added.columns[name]) == cols[name]
        assert [added.columns[k].typecode for k in cols] == ["b", "i", "h", "d"]

    def test_a_world_records_counts_as_small_integers(self, world_of: MakeWorld) -> None:
        """Every column of a run is an integer array; its last row is the world at its end."""
        w = world_of(SMALL).run()
        samples = w.samples
        assert samples.time_s.typecode == "d"
        assert len(samples.time_s) == 2 * 3600 // 30 + 1
        assert list(samples.time_s) == [i * 30.0 for i in range(len(samples.time_s))]
        assert {c.typecode for c in samples.columns.values()} <= {"b", "h", "i", "q"}
        assert all(len(c) == len(samples.time_s) for c in samples.columns.values())
        assert samples.columns["total"][-1] == w.count.outstanding
        assert samples.columns["queue.lab"][-1] == w.channels["lab"].backlog
        assert max(samples.columns["total"]) > 127  # the stall's backlog widened the column
