"""`ehrsim sweep`: its folder and files, a point against `ehrsim run --set`, bad input, the
cache, and an interrupted sweep resumed."""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from sim.cli import app
from sim.metrics.registry import lookup
from sim.report.csvs import cell
from sim.report.results import PARTIAL

ROOT = Path(__file__).resolve().parent.parent
TINY = str(Path(__file__).parent / "data" / "tiny.yaml")
GRID = ["--param", "systems.lab.connections=1,2", "--param", "faults.0.for=10min,30min"]
METRICS = ["--metric", "recovery_time_s", "--metric", "peak_backlog", "--metric", "late.stat"]

runner = CliRunner()


def invoke(*args: str) -> Result:
    """Run the CLI in this process; its files land in the current directory."""
    return runner.invoke(app, list(args))


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


class TestFolder:
    def test_a_sweep_writes_its_folder_under_results_with_the_sweep_prefix(
        self, tmp_path: Path
    ) -> None:
        result = invoke("sweep", TINY, *GRID, "--replications", "2", "--jobs", "1")
        assert result.exit_code == 0, result.output
        (folder,) = (tmp_path / "results" / "tiny").iterdir()
        assert re.fullmatch(r"sweep-\d{8}-\d{6}-s7", folder.name)
        assert sorted(p.name for p in folder.iterdir()) == [
            "run.json", "scenario.yaml", "sweep.csv", "sweep.json", "sweep.png",
        ]  # fmt: skip
        assert f"results: results/tiny/{folder.name}" in result.stdout
        assert "reused 0 of 8 replications from the cache (results/.cache); ran 8" in result.stderr
        assert len(list((tmp_path / "results" / ".cache").glob("*/*.json"))) == 8

    def test_run_json_says_what_varies_and_sweep_json_holds_the_rows(self, tmp_path: Path) -> None:
        result = invoke("sweep", TINY, *GRID, *METRICS, "--replications", "2", "--out", "s")
        assert result.exit_code == 0, result.output
        record = json.loads((tmp_path / "s" / "run.json").read_text())
        assert record["kind"] == "sweep"
        assert record["params"] == ["systems.lab.connections", "faults.0.for"]
        assert record["executor"]["kind"] == "processes" and record["executor"]["workers"] >= 1
        assert (record["points"], record["reused"], record["ran"]) == (4, 0, 8)
        assert record["command"].startswith("ehrsim sweep ")
        data = json.loads((tmp_path / "s" / "sweep.json").read_text())
        rows = read_csv(tmp_path / "s" / "sweep.csv")
        assert list(rows[0]) == data["columns"]
        assert [{k: cell(v) for k, v in p.items()} for p in data["points"]] == rows
        text = (tmp_path / "s" / "sweep.json").read_text()
        for varying in ("wall", "started", "cache", "executor", "workers", str(tmp_path)):
            assert varying not in text

    def test_rows_are_in_grid_order_with_the_values_as_typed(self, tmp_path: Path) -> None:
        args = ["--param", "faults.0.for=30min,0.25h", "--param", "systems.lab.connections=2..3"]
        result = invoke("sweep", TINY, *args, *METRICS, "--replications", "1", "--out", "s")
        assert result.exit_code == 0, result.output
        rows = read_csv(tmp_path / "s" / "sweep.csv")
        assert [(r["faults.0.for"], r["systems.lab.connections"]) for r in rows] == [
            ("30min", "2"), ("30min", "3"), ("0.25h", "2"), ("0.25h", "3"),
        ]  # fmt: skip
        assert list(rows[0])[:3] == ["faults.0.for", "systems.lab.connections", "replications"]
        assert rows[0]["recovery_time_s.ci95_low"] == ""  # one replication: no interval


class TestTable:
    def test_the_table_writes_each_figure_as_compare_does(self) -> None:
        """Mean ± half the 95 % interval, and why a value is missing."""
        result = invoke(
            "sweep", "theory/stall", "--param", "systems.server.connections=1,2",
            "--metric", "recovery_time_s", "--replications", "2", "--out", "s", "--no-cache",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        lines = result.stdout.splitlines()
        assert lines[0] == (
            "stall: 2 points, 2 replications each from seed 1; each figure is the mean ± half "
            "its 95% interval"
        )
        row_one = next(line for line in lines if line.startswith("│ ") and " 1 │" in line)
        assert "not recovered in 2/2" in row_one
        row_two = next(line for line in lines if line.startswith("│ ") and " 2 │" in line)
        assert re.search(r"\d+m \d\ds ± \d+m \d\ds", row_two)


class TestAgainstRun:
    def test_a_point_has_the_figures_of_run_with_set(self, tmp_path: Path) -> None:
        """Point (2 connections, 30 min stall) of a 3-replication sweep equals
        `ehrsim run tiny --set ... --replications 3`: each metric's mean and CI95, cell by cell."""
        result = invoke("sweep", TINY, *GRID, "--replications", "3", "--out", "s", "--no-cache")
        assert result.exit_code == 0, result.output
        run = invoke(
            "run", TINY, "--set", "systems.lab.connections=2", "--set", "faults.0.for=30min",
            "--replications", "3", "--out", "r", "-q",
        )  # fmt: skip
        assert run.exit_code == 0, run.output
        summary = json.loads((tmp_path / "r" / "summary.json").read_text())
        row = read_csv(tmp_path / "s" / "sweep.csv")[3]
        assert (row["systems.lab.connections"], row["faults.0.for"]) == ("2", "30min")
        metrics = [c for c in row if c not in ("systems.lab.connections", "faults.0.for")]
        metrics = [m for m in metrics if not m.endswith((".ci95_low", ".ci95_high"))][1:]
        assert len(metrics) == 11
        compared = 0
        for m in metrics:
            assert row[m] == cell(lookup(summary, m)), m
            try:
                low, high = lookup(summary["ci95"], m)
            except KeyError:
                low = high = None
            assert (row[f"{m}.ci95_low"], row[f"{m}.ci95_high"]) == (cell(low), cell(high)), m
            compared += row[m] not in ("", "0")
        assert compared >= 3  # recovery time, peak backlog, late STAT... are not all zero


class TestIdentical:
    def test_sweep_csv_and_json_are_byte_identical_whatever_ran_them(self, tmp_path: Path) -> None:
        """One worker without a cache, two workers filling a cache, and a rerun from it."""
        args = ["sweep", TINY, *GRID, "--replications", "2", "-q"]
        assert invoke(*args, "--jobs", "1", "--no-cache", "--out", "a").exit_code == 0
        assert invoke(*args, "--jobs", "2", "--cache", "c", "--out", "b").exit_code == 0
        rerun = invoke(*args, "--jobs", "2", "--cache", "c", "--out", "d")
        assert rerun.exit_code == 0
        assert json.loads((tmp_path / "d" / "run.json").read_text())["reused"] == 8
        for name in ("sweep.csv", "sweep.json"):
            first = (tmp_path / "a" / name).read_bytes()
            assert (tmp_path / "b" / name).read_bytes() == first
            assert (tmp_path / "d" / name).read_bytes() == first
        assert not (tmp_path / "results").exists()  # --no-cache and --cache DIR: no results/.cache


def test_the_api_and_the_command_share_the_cache(tmp_path: Path) -> None:
    """Both key entries by the version of the code that runs: what one fills, the other reuses."""
    from sim import sweep

    sweep(TINY, GRID[1::2], ["peak_backlog"], replications=2, cache=tmp_path / "c")
    result = invoke("sweep", TINY, *GRID, "--replications", "2", "--cache", "c", "--out", "s")
    assert result.exit_code == 0, result.output
    assert "reused 8 of 8 replications from the cache (c); ran 0" in result.stderr


class TestBadInput:
    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (
                ["--param", "systems.lab.conections=1,2"],
                "error: point 1/2 (systems.lab.conections=1) (and 1 more point): --param "
                "systems.lab.conections: unknown key 'conections'; did you mean 'connections'?",
            ),
            (
                ["--param", "systems.lab.connections=3.."],
                "error: --param systems.lab.connections: the range '3..' is empty: give both ends",
            ),
            (
                ["--param", "systems.lab.connections=4..1"],
                "error: --param systems.lab.connections: the range '4..1' is reversed",
            ),
            (
                ["--param", "faults.0.for=10min,2"],
                "error: point 2/2 (faults.0.for=2): --param faults.0.for: 2 has no unit, and a "
                "plain number is ambiguous; write e.g. '2s' or '2min'",
            ),
            (
                ["--param", "systems.lab.connections=1,1h"],
                "error: point 2/2 (systems.lab.connections=1h): --param systems.lab.connections: "
                "expected a whole number of 1 or more, found '1h'",
            ),
            (
                ["--param", "systems.lab.connections=1,2", "--metric", "recovery_time"],
                "error: --metric: unknown metric 'recovery_time'; did you mean 'recovery_time_s'?",
            ),
            (
                ["--param", "systems.lab.connections=1,2", "--cache", "c", "--no-cache"],
                "error: --cache and --no-cache: give one of them",
            ),
            ([], "error: no --param; name what to vary"),
            (
                ["--param", "replications=1,2"],
                "error: --param replications: a sweep cannot vary replications",
            ),
            (
                ["--param", "horizon=1h,2h", "--horizon", "3h"],
                "error: --param horizon: the key is also set ('horizon=3h')",
            ),
        ],
    )
    def test_exit_2_with_a_clear_message_and_nothing_run_or_written(
        self, tmp_path: Path, args: list[str], message: str
    ) -> None:
        result = invoke("sweep", TINY, *args)
        assert result.exit_code == 2, result.output
        assert message in result.stderr
        assert "Traceback" not in result.output
        assert list(tmp_path.iterdir()) == []

    def test_a_point_that_cannot_run_is_named(self, tmp_path: Path) -> None:
        """Each point is checked as `run` checks a scenario (its horizon, its messages)."""
        result = invoke(
            "sweep", TINY, "--param", "flows.orders.rate=900/h,9000/h", "--set",
            "limits.messages=10000",
        )  # fmt: skip
        assert result.exit_code == 2
        assert (
            "error: point 2/2 (flows.orders.rate=9000/h) is expected to create about 36,000 "
            "messages per replication, above limits.messages = 10,000" in result.stderr
        )
        assert list(tmp_path.iterdir()) == []


class TestGuard:
    def test_a_point_stopped_at_a_guard_exits_3_with_its_rows_and_is_not_cached(
        self, tmp_path: Path
    ) -> None:
        """limits.queued stops the 1-connection point mid-stall: the sweep writes its results
        with "complete": false, names the point, exits 3, and keeps only whole replications."""
        result = invoke(
            "sweep", TINY, "--param", "faults.0.for=1min,30min", "--set", "limits.queued=150",
            *METRICS, "--replications", "1", "--out", "s",
        )  # fmt: skip
        assert result.exit_code == 3, result.output
        assert "stopped at a guard: point 2/2 (faults.0.for=30min) replication 0:" in result.stderr
        assert json.loads((tmp_path / "s" / "sweep.json").read_text())["complete"] is False
        assert json.loads((tmp_path / "s" / "run.json").read_text())["complete"] is False
        assert len(read_csv(tmp_path / "s" / "sweep.csv")) == 2
        assert len(list((tmp_path / "results" / ".cache").glob("*/*.json"))) == 1


def start(cwd: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "sim", "sweep", TINY, *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


class TestInterrupt:
    def test_an_interrupted_sweep_resumes_from_its_cache_to_the_same_rows(
        self, tmp_path: Path
    ) -> None:
        """SIGINT once 3 replications are in the cache: exit 130, no results folder, the
        finished replications kept. The rerun reuses every one of them, says how many, and
        writes the sweep.csv of a sweep never interrupted."""
        args = ["--param", "faults.0.for=10min,30min", "--param",
                "systems.lab.connections=1..3", "--replications", "3", "--jobs", "1"]  # fmt: skip
        cache = tmp_path / "results" / ".cache"
        proc = start(tmp_path, *args, "-q")
        deadline = time.monotonic() + 60
        while len(list(cache.glob("*/*.json"))) < 3:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.01)
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
        assert proc.returncode == 130, stderr
        assert stderr.strip().endswith("interrupted") and stdout == ""
        kept = len(list(cache.glob("*/*.json")))
        assert 3 <= kept < 18
        assert not [p for p in (tmp_path / "results" / "tiny").iterdir()]
        assert not list(tmp_path.rglob(f"*{PARTIAL}"))

        rerun = start(tmp_path, *args, "--out", "resumed")
        _, stderr = rerun.communicate(timeout=120)
        assert rerun.returncode == 0, stderr
        assert f"reused {kept} of 18 replications from the cache" in stderr
        assert f"ran {18 - kept}" in stderr

        whole = invoke("sweep", TINY, *args, "--no-cache", "--out", "whole", "-q")
        assert whole.exit_code == 0, whole.output
        resumed = (tmp_path / "resumed" / "sweep.csv").read_bytes()
        assert resumed == (tmp_path / "whole" / "sweep.csv").read_bytes()
