"""A small world with faults, its run and its comparison, each with its report, a sweep and a
plan of a smaller one with theirs, and a metastability map of the small metastable world with
its, for the report tests (written once per session: about 5 s, 10 s and a few seconds)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from sim.cli import app

# Covers: the reports of `ehrsim run` and `ehrsim compare` (tests/report/); the sweep and the
#   plan use tests/data/drain.yaml (see GRIDS below).
# Scenario: a lab and a radiology interface behind the engine, 3 hours from 08:00. The lab is
#   down 08:30-09:10 (a system outage): lab orders queue, the paper fallback starts after 10
#   minutes and a clerk back-enters the paper orders; imaging orders surge 09:30-09:50. So the
#   report has two faults on two targets for its timeline, late orders, paper work and a
#   hypothesis. The comparison adds an `expire` variant, which beats the baseline on peak
#   backlog by sending lab orders to paper (a trade-off), and a shared queue. ~6,000 messages.
WORLD = """\
name: report-world
title: Small world for the report
seed: 11
start: 2026-01-05T08:00
horizon: 3h
warmup: 10min
flows:
  orders:
    from: ehr
    to: lab
    message: OML^O21
    rate: 900/h
    priority: {stat: 0.2, urgent: 0.2, routine: 0.6}
    deadline: {stat: 30min, urgent: 1h, routine: 4h}
    reply: {flow: results, after: exponential(10min)}
  results: {from: lab, to: ehr, message: ORU^R01}
  imaging: {from: ehr, to: ris, rate: 300/h, priority: {stat: 0.3, routine: 0.7}}
systems:
  lab: {ack: exponential(100ms), connections: 2}
  ris: {ack: exponential(100ms)}
  ehr: {ack: exponential(80ms), connections: 2}
strategy: {order: per-patient, retry: {backoff: fixed, first: 30s}}
faults:
  - {name: lab down, kind: system-outage, target: lab, at: "08:30", for: 40min}
  - {name: imaging rush, kind: surge, target: imaging, at: "09:30", for: 20min, severity: 2}
fallback: {trigger_after: 10min}
staff:
  clerks: {count: 1}
hypotheses:
  - {metric: messages.lost, equals: 0}
compare:
  expire: {strategy: {expire: {after: 15min}}}
  shared: {strategy: {queues: shared}}
"""

runner = CliRunner()


def invoke(*args: str) -> Result:
    """Run the CLI in this process."""
    return runner.invoke(app, list(args))


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Folders:
    """The world's scenario file and the results folders of its run and its comparison."""

    scenario: Path
    run: Path
    compare: Path


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small world as a scenario file."""
    path = tmp_path_factory.mktemp("world") / "world.yaml"
    path.write_text(WORLD)
    return path


@pytest.fixture(scope="session")
def folders(world: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Folders]:
    """`run --replications 2 --report-format both` and the same `compare`, in this process."""
    base = tmp_path_factory.mktemp("results")
    old = Path.cwd()
    os.chdir(base)
    try:
        for command in ("run", "compare"):
            result = invoke(
                command, str(world), "--replications", "2", "--jobs", "1", "-q",
                "--out", command, "--report-format", "both",
            )  # fmt: skip
            assert result.exit_code == 0, result.output
    finally:
        os.chdir(old)
    yield Folders(world, base / "run", base / "compare")


DRAIN = Path(__file__).resolve().parent.parent / "data" / "drain.yaml"
"""A 10-minute stall draining through c connections in 40 minutes (tests/data/drain.yaml): one
connection has not drained by the end (its recovery time is null: "not recovered in 2/2"),
two and four have (about 3 and 1.5 minutes). About 2,400 messages a replication."""

SWEEP_METRICS = (
    "recovery_time_s", "peak_backlog", "messages.delivered", "messages.lost",
    "order_to_result_all_s.stat.p95", "retry_amplification",
)  # fmt: skip
"""The sweep's metrics (of one parameter; of two: the first two)."""
SWEEP_LEFT_OUT = ("messages.lost", "order_to_result_all_s.stat.p95")
"""Those left out of the table and the plot: messages lost is 0 everywhere; the world has no
STAT orders, so their order-to-result has no value anywhere."""


def grid_commands(scenario: Path | str) -> dict[str, list[str]]:
    """The sweep of one parameter, the sweep of two and the plan of the report tests, each
    with 2 replications a point and its report in both formats."""
    metrics = [a for m in SWEEP_METRICS for a in ("--metric", m)]
    common = ["--replications", "2", "--jobs", "1", "--no-cache", "--report-format", "both"]
    return {
        "sweep": ["sweep", str(scenario), "--param", "systems.server.connections=1,2,4",
                  *metrics, *common, "--out", "sweep"],
        "sweep2": ["sweep", str(scenario), "--param", "systems.server.connections=2,4",
                   "--param", "faults.0.for=5min,10min", "--metric", "recovery_time_s",
                   "--metric", "peak_backlog", *common, "--out", "sweep2"],
        "plan": ["plan", str(scenario), "--vary", "systems.server.connections=1..8",
                 "--target", "recovery_time_s < 160s", "--set", "replications=2",
                 "--replications-max", "4", "--jobs", "1", "--no-cache",
                 "--report-format", "both", "--out", "plan"],
    }  # fmt: skip


@dataclass(frozen=True)
class Grids:
    """The results folders of a sweep of one parameter, a sweep of two and a plan (each with
    its report in both formats), and what the plan printed."""

    sweep: Path
    sweep2: Path
    plan: Path
    plan_stdout: str


@pytest.fixture(scope="session")
def grids(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Grids]:
    """The commands of :func:`grid_commands`, in this process."""
    base = tmp_path_factory.mktemp("grids")
    old = Path.cwd()
    os.chdir(base)
    out = {}
    try:
        for name, command in grid_commands(DRAIN).items():
            result = invoke(*command)
            assert result.exit_code == 0, result.output
            out[name] = result.stdout
    finally:
        os.chdir(old)
    yield Grids(base / "sweep", base / "sweep2", base / "plan", out["plan"])


METASTABLE = Path(__file__).resolve().parent.parent / "data" / "metastable.yaml"
"""The small metastable world (tests/data/metastable.yaml): a 1h15m run whose engine stalls
for part of each minute from +10min."""

META_COMMAND = [
    "metastability", str(METASTABLE), "--magnitude", "0.1..0.5", "--duration", "3s..30s",
    "--steps", "2", "--replications", "2",
    "--variant", "drain: {strategy: {drain: {rate: 3/s}}}",
    "--jobs", "1", "--no-cache", "--report-format", "both", "--out", "meta",
]  # fmt: skip
"""A map of four points per variant, two replications each, with its report in both formats:
on the baseline (immediate retries) only the strongest and longest stall tips the world into
staying degraded (see tests/test_cli_metastability.py); draining the backlog at 3/s after the
stall recovers everywhere."""


@pytest.fixture(scope="session")
def meta(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The results folder of :data:`META_COMMAND`, run in this process."""
    base = tmp_path_factory.mktemp("meta")
    old = Path.cwd()
    os.chdir(base)
    try:
        result = invoke(*META_COMMAND)
        assert result.exit_code == 0, result.output
    finally:
        os.chdir(old)
    return base / "meta"
