"""Figures of summary.json whose meaning docs/scenario-format.md states: checked on real runs."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from sim.cli import app

runner = CliRunner()

BURST = """\
name: burst
horizon: 3h
sample_every: 1h
flows:
  orders: {from: ehr, to: lab, rate: 600/h}
systems:
  lab: {ack: constant(100ms)}
faults:
  - {kind: system-outage, target: lab, at: +70min, for: 20min}
strategy: {retry: {backoff: fixed, first: 1s}}
"""
"""Backlog sampled hourly; a 20-minute outage between two samples builds ~200 messages that
drain well before the next sample."""

TRANSFORM = """\
name: slow-transform
horizon: 30min
flows:
  orders: {from: ehr, to: lab, rate: 120/h}
engine: {cores: 2, transform: constant(2h)}
systems:
  lab: {ack: constant(100ms)}
"""
"""Every message stays in the transform station past the horizon: two in it, the rest queued."""


def run(tmp_path: Path, text: str) -> tuple[dict[str, Any], Path]:
    scenario = tmp_path / "s.yaml"
    scenario.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(scenario), "--out", str(out), "--quiet", "--jobs", "1"])
    assert result.exit_code in (0, 1), result.output
    return json.loads((out / "summary.json").read_text()), out


def test_peak_backlog_is_exact_not_sampled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """peak_backlog (overall and per destination) sees a peak that no hourly sample shows."""
    monkeypatch.chdir(tmp_path)
    summary, out = run(tmp_path, BURST)
    with (out / "timeseries.csv").open(newline="", encoding="utf-8") as handle:
        sampled = max(int(row["queue.lab"]) for row in csv.DictReader(handle))
    peak = summary["queues"]["lab"]["peak_backlog"]
    assert sampled < 20 < 150 < peak
    assert summary["peak_backlog"] == peak  # one destination: the total is its backlog
    assert 70 * 60 < summary["queues"]["lab"]["peak_at_s"] <= 91 * 60


def test_in_flight_at_end_includes_the_transform(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Messages in the transform station at the horizon are in flight, not queued."""
    monkeypatch.chdir(tmp_path)
    summary, _ = run(tmp_path, TRANSFORM)
    messages = summary["messages"]
    assert messages["delivered"] == 0
    assert messages["in_flight_at_end"] == 2  # engine.cores, each holding one message
    assert messages["queued_at_end"] == messages["created"] - 2 > 0
