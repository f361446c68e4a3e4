"""Trace and empirical CSV files: read at load time, bad rows named by file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.distributions import Empirical
from sim.scenario import ScenarioError, TraceRow, load_scenario

from .conftest import TINY, Write, messages

TRACED = TINY.replace("rate: 100/h,", "trace: data/orders.csv,")


def problems(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return messages(caught.value)


class TestTrace:
    def test_rows_are_read_and_sorted(self, write: Write) -> None:
        """A trace is read relative to its file, ISO times made offsets, rows sorted by time."""
        write(
            "data/orders.csv",
            "time,priority,patient\n120.5,stat,17\n2026-01-05T00:01,routine,3\n0,urgent,99\n",
        )
        flow = load_scenario(write("s.yaml", TRACED)).flows["orders"]
        assert flow.trace == (
            TraceRow(0.0, "urgent", 99),
            TraceRow(60.0, "routine", 3),
            TraceRow(120.5, "stat", 17),
        )

    def test_header_case_and_extra_columns(self, write: Write) -> None:
        """Header names are read case-insensitively; other columns are ignored."""
        write("data/orders.csv", "Patient,Note,Time,Priority\n5,first,10,stat\n")
        flow = load_scenario(write("s.yaml", TRACED)).flows["orders"]
        assert flow.trace == (TraceRow(10.0, "stat", 5),)

    def test_inline_rows(self, write: Write) -> None:
        """A trace may also be a list of rows in the scenario itself."""
        text = TINY.replace(
            "rate: 100/h,",
            "trace: [{time: 5, priority: stat, patient: 1}, {time: 1, priority: routine, "
            "patient: 2}],",
        )
        flow = load_scenario(write("s.yaml", text)).flows["orders"]
        assert flow.trace == (TraceRow(1.0, "routine", 2), TraceRow(5.0, "stat", 1))

    @pytest.mark.parametrize(
        ("csv", "line", "expected"),
        [
            (
                "time,priority,patient\n1,stat,1\nsoon,stat,2\n",
                3,
                "column 'time': 'soon' is "
                "neither seconds from the start nor an ISO date-time such as '2017-12-06T09:30'",
            ),
            (
                "time,priority,patient\n1,stta,1\n",
                2,
                "column 'priority': 'stta' is not a priority "
                "class; write stat, urgent or routine; did you mean 'stat'?",
            ),
            (
                "time,priority,patient\n1,stat,x\n",
                2,
                "column 'patient': 'x' is not a patient number (0 or more)",
            ),
            (
                "time,priority,patient\n-1,stat,1\n",
                2,
                "column 'time': '-1' is negative; times count from the scenario's start",
            ),
            (
                "time,priority,patient\n2025-01-01T00:00,stat,1\n",
                2,
                "column 'time': "
                "'2025-01-01T00:00' is before the scenario's start (2026-01-05T00:00:00)",
            ),
            (
                "time,priority,patient\nnan,stat,1\n",
                2,
                "column 'time': 'nan' is neither seconds "
                "from the start nor an ISO date-time such as '2017-12-06T09:30'",
            ),
            (
                "time,priority,patient\n1,x,1\n2,y,2\n3,z,3\n",
                2,
                "column 'priority': 'x' is not a "
                "priority class; write stat, urgent or routine (and 2 more bad rows)",
            ),
            (
                "time,prio,patient\n1,stat,1\n",
                1,
                "the header row must name the column 'priority' "
                "(found: time, prio, patient); did you mean 'priority'?",
            ),
            ("time,priority,patient\n", 1, "the trace has a header but no rows"),
            ("", 1, "the file is empty; it needs a header row ('time', 'priority', 'patient')"),
        ],
    )
    def test_bad_rows_name_file_and_line(
        self, write: Write, csv: str, line: int, expected: str
    ) -> None:
        """A bad row is an error at the CSV file's line, under the trace key."""
        data = write("data/orders.csv", csv)
        assert problems(write("s.yaml", TRACED)) == [
            f"{data}:{line}: flows.orders.trace: {expected}"
        ]

    def test_missing_and_binary_files(self, write: Write, tmp_path: Path) -> None:
        """A missing or binary trace file is named at its line 1."""
        path = write("s.yaml", TRACED)
        data = tmp_path / "data" / "orders.csv"
        assert problems(path) == [f"{data}:1: flows.orders.trace: no such file"]
        data.parent.mkdir()
        data.write_bytes(b"time\x00priority")
        assert problems(path) == [
            f"{data}:1: flows.orders.trace: this is a binary file, not CSV text"
        ]

    def test_bad_inline_row(self, write: Write) -> None:
        """A bad inline row is named by its index and key."""
        text = TINY.replace("rate: 100/h,", "trace: [{time: -5, priority: stat, patient: 1}],")
        path = write("s.yaml", text)
        assert problems(path) == [
            f"{path}:4: flows.orders.trace.0.time: -5 is not a time (seconds from start, 0 or more)"
        ]


class TestEmpirical:
    def test_samples_relative_to_the_file(self, write: Write) -> None:
        """empirical(file.csv) reads the 'seconds' column, relative to the scenario file."""
        data = write("data/ack.csv", "seconds\n0.1\n0.3\n")
        text = TINY.replace("exponential(100ms)", "empirical(data/ack.csv)")
        ack = load_scenario(write("s.yaml", text)).systems["lab"].ack
        assert ack == Empirical(str(data), (0.1, 0.3))

    def test_relative_to_the_base_file(self, write: Write) -> None:
        """A path in an extended file is relative to that file, not to the one extending it."""
        data = write("topo/ack.csv", "seconds\n2\n")
        write("topo/base.yaml", "systems:\n  lab: {ack: empirical(ack.csv)}\n")
        text = "extends: topo/base.yaml\n" + TINY.replace("  lab: {ack: exponential(100ms)}\n", "")
        ack = load_scenario(write("s.yaml", text)).systems["lab"].ack
        assert ack == Empirical(str(data), (2.0,))

    @pytest.mark.parametrize(
        ("csv", "line", "expected"),
        [
            ("seconds\n0.1\nfast\n", 3, "column 'seconds': 'fast' is not a number of seconds"),
            ("seconds\n-1\n", 2, "column 'seconds': '-1' is negative"),
            ("seconds\ninf\n", 2, "column 'seconds': 'inf' is not a number of seconds"),
            (
                "secs\n1\n",
                1,
                "the header row must name the column 'seconds' (found: secs); did you "
                "mean 'seconds'?",
            ),
            ("seconds\n0\n0\n", 1, "every value in column 'seconds' is zero"),
            ("seconds\n", 1, "the file has a header but no rows of values"),
        ],
    )
    def test_bad_values(self, write: Write, csv: str, line: int, expected: str) -> None:
        """A bad sample value is named at the CSV's line, under the distribution's key."""
        data = write("ack.csv", csv)
        text = TINY.replace("exponential(100ms)", "empirical(ack.csv)")
        assert problems(write("s.yaml", text)) == [f"{data}:{line}: systems.lab.ack: {expected}"]
