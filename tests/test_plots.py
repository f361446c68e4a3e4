"""The PNG plots: valid images, faults paired and named, clock-time axes, readable units."""

from __future__ import annotations

import struct
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from sim.experiments.run import ReplicationResult
from sim.model.world import Event, Samples
from sim.report.plots import (
    backlog_png,
    destination_labels,
    fault_spans,
    latency_png,
    readable_seconds,
)

ROOT = Path(__file__).resolve().parent.parent
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
START = datetime(2017, 12, 6, 0, 0)


def png_size(path: Path) -> tuple[int, int]:
    """Width and height of a PNG, read from its IHDR chunk (checks the signature too)."""
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def replication(events: list[Event], hours: float = 24.0) -> ReplicationResult:
    """A replication with two destinations whose backlog rises in a stall from 09:00 to 16:00."""
    step = 60.0
    times = [i * step for i in range(int(hours * 3600 / step) + 1)]

    def backlog(rate: float) -> list[float]:
        return [max(0.0, min(t, 57600.0) - 32400.0) * rate if t < 57660 else 0.0 for t in times]

    samples = Samples.of(
        times, {"queue.labka": backlog(0.08), "queue.ehr": backlog(0.5), "total": backlog(0.58)}
    )
    return ReplicationResult(0, {}, samples, events, [], True, "")


STALL = [
    Event(32400.0, "fault-start", "", "integration servers stall"),
    Event(57600.0, "fault-end", "", "integration servers stall"),
]


class TestFaultSpans:
    def test_start_and_end_events_are_paired_by_name(self) -> None:
        """A fault's start and end become one span named as the scenario names it."""
        spans = fault_spans(replication(STALL), 86400.0)
        assert [(s.start, s.end, s.name, s.open_ended) for s in spans] == [
            (32400.0, 57600.0, "integration servers stall", False)
        ]

    def test_a_fault_without_end_runs_to_the_end_and_names_its_target(self) -> None:
        """A poison message not fixed by the horizon is shaded to the end, with its target."""
        events = [Event(50400.0, "fault-start", "labka", "poison-message")]
        spans = fault_spans(replication(events), 86400.0)
        assert [(s.end, s.name, s.open_ended) for s in spans] == [
            (86400.0, "poison-message (labka)", True)
        ]


class TestBacklogPlot:
    def test_the_backlog_plot_is_a_readable_png(self, tmp_path: Path) -> None:
        """backlog.png is a PNG of 1320x660 pixels and far from empty."""
        path = tmp_path / "backlog.png"
        backlog_png(
            path,
            replication(STALL),
            start=START,
            horizon=86400.0,
            title="December",
            labels={"labka": "labka ← lab-orders"},
        )
        assert png_size(path) == (1320, 660)
        assert path.stat().st_size > 20_000

    def test_a_run_over_several_days_gets_dates_on_the_axis(self, tmp_path: Path) -> None:
        """A two-day run still plots (dates with the clock times)."""
        path = tmp_path / "backlog.png"
        backlog_png(
            path,
            replication(STALL, hours=48),
            start=START,
            horizon=172800.0,
            title="Two days",
            labels={},
        )
        assert png_size(path) == (1320, 660)

    def test_a_guard_stop_is_drawn(self, tmp_path: Path) -> None:
        """A guard event (the run stopped early) plots without error."""
        events = [*STALL, Event(40000.0, "guard", "", "limits.queued")]
        path = tmp_path / "backlog.png"
        backlog_png(path, replication(events), start=START, horizon=86400.0, title="t", labels={})
        assert path.stat().st_size > 20_000


class TestLatencyPlot:
    def test_latency_bars_are_drawn_per_flow_and_class(self, tmp_path: Path) -> None:
        """latency.png grows with the number of flows and classes shown."""
        latency = {
            f"flow-{i}": {
                "stat": {"count": 10, "mean": 0.2 * (i + 1), "p95": 0.5 * (i + 1)},
                "routine": {"count": 10, "mean": 60.0 * (i + 1), "p95": 900.0 * (i + 1)},
            }
            for i in range(6)
        }
        path = tmp_path / "latency.png"
        latency_png(path, latency, title="t")
        one = tmp_path / "one.png"
        latency_png(one, {"flow-0": {"stat": latency["flow-0"]["stat"]}}, title="t")
        width, height = png_size(path)
        assert width == 1200 and height > png_size(one)[1]
        assert path.stat().st_size > 20_000

    def test_a_run_without_deliveries_still_gets_a_plot(self, tmp_path: Path) -> None:
        """With nothing delivered the plot says so instead of failing."""
        path = tmp_path / "latency.png"
        latency_png(
            path, {"orders": {"routine": {"count": 0, "mean": None, "p95": None}}}, title="t"
        )
        assert png_size(path)[0] == 1200


class TestLabels:
    def test_destinations_are_labelled_with_their_flows(self) -> None:
        """A destination's legend names its flows, or counts them when there are many."""
        labels = destination_labels({"lab-orders": "labka", "a": "ehr", "b": "ehr", "c": "ehr"})
        assert labels == {"labka": "labka ← lab-orders", "ehr": "ehr ← 3 flows"}

    @pytest.mark.parametrize(
        ("seconds", "text"),
        [(0.15, "150ms"), (12.0, "12s"), (270.0, "4.5min"), (10800.0, "3h"), (172800.0, "2d")],
    )
    def test_durations_on_axes_carry_units(self, seconds: float, text: str) -> None:
        """Latency axis ticks are durations with units."""
        assert readable_seconds(seconds) == text


class TestImportCost:
    def test_validate_does_not_import_matplotlib(self) -> None:
        """The quick commands never import matplotlib (plots are imported only to write them)."""
        code = (
            "import sys; from typer.testing import CliRunner; from sim.cli import app; "
            "r = CliRunner().invoke(app, ['validate', 'baseline-weekday']); "
            "assert r.exit_code == 0, r.output; print('matplotlib' in sys.modules)"
        )
        out = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env={"PYTHONPATH": str(ROOT), "PATH": ""},
            capture_output=True,
            text=True,
            check=True,
        )
        assert out.stdout.strip() == "False"


class TestMergedSpans:
    def test_same_named_overlapping_faults_are_one_labelled_window(self) -> None:
        """A surge on ten flows at once is shaded and named once, without its targets."""
        from sim.report.plots import FaultSpan, merged_spans

        spans = [
            FaultSpan(57600, 64800, "catch-up rebound (lab-orders)", False),
            FaultSpan(57600, 63000, "catch-up rebound (ecg-orders)", False),
            FaultSpan(32400, 57600, "integration servers stall", False),
            FaultSpan(90000, 91000, "catch-up rebound (lab-orders)", False),
        ]
        assert merged_spans(spans) == [
            FaultSpan(32400, 57600, "integration servers stall", False),
            FaultSpan(57600, 64800, "catch-up rebound", False),
            FaultSpan(90000, 91000, "catch-up rebound (lab-orders)", False),
        ]
