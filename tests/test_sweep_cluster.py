"""A sweep gives the same sweep.csv on one process, two processes, a Dask LocalCluster and a
real cluster (``dask scheduler`` and ``dask worker`` started here as subprocesses)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app
from tests.clusters import cluster

pytestmark = pytest.mark.cluster

TINY = str(Path(__file__).parent / "data" / "tiny.yaml")
SWEEP = [
    "sweep", TINY, "--param", "systems.lab.connections=1,2", "--param",
    "faults.0.for=10min,30min", "--replications", "2", "--no-cache", "-q",
]  # fmt: skip


def test_every_executor_gives_the_same_sweep_csv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--jobs 1, --jobs 2, --dask local and --dask tcp://... (a scheduler and two worker
    processes): byte-identical sweep.csv and sweep.json; run.json says which ran it."""
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    with cluster(tmp_path / "cluster", workers=2) as running:
        runs = {
            "jobs1": ["--jobs", "1"],
            "jobs2": ["--jobs", "2"],
            "local": ["--dask", "local", "--jobs", "2"],
            "remote": ["--dask", running.address],
        }
        for name, options in runs.items():
            result = runner.invoke(app, [*SWEEP, *options, "--out", name])
            assert result.exit_code == 0, (name, result.output)
    first = (tmp_path / "jobs1" / "sweep.csv").read_bytes()
    assert first.count(b"\n") == 5  # the header and 4 points
    for name in runs:
        for file in ("sweep.csv", "sweep.json"):
            assert (tmp_path / name / file).read_bytes() == (tmp_path / "jobs1" / file).read_bytes()
    kinds = {
        name: json.loads((tmp_path / name / "run.json").read_text())["executor"]["kind"]
        for name in runs
    }
    assert kinds["jobs1"] == kinds["jobs2"] == "processes"
    assert kinds["local"] != "processes" and kinds["remote"] != "processes"


def test_an_unreachable_scheduler_exits_2_naming_it_before_anything_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, [*SWEEP[:-2], "--dask", "tcp://127.0.0.1:1"])
    assert result.exit_code == 2, result.output
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:1" in result.stderr
    assert list(tmp_path.iterdir()) == []  # no results folder, no cache
