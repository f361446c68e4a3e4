"""A sweep gives the same sweep.csv on one process, two processes, a Dask LocalCluster and a
real cluster (``dask scheduler`` and ``dask worker`` started here as subprocesses)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app

pytestmark = pytest.mark.cluster

ROOT = Path(__file__).resolve().parent.parent
TINY = str(Path(__file__).parent / "data" / "tiny.yaml")
DASK = str(Path(sys.executable).parent / "dask")
SWEEP = [
    "sweep", TINY, "--param", "systems.lab.connections=1,2", "--param",
    "faults.0.for=10min,30min", "--replications", "2", "--no-cache", "-q",
]  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def started(cmd: list[str], log: Path) -> Iterator[None]:
    """A subprocess in a session of its own; its whole session is ended on the way out."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    try:
        yield
    finally:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(proc.pid, sig)
                proc.wait(15)
                break
            except ProcessLookupError:
                break
            except subprocess.TimeoutExpired:
                continue


def wait_for(log: Path, text: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while text not in log.read_text(errors="replace"):
        assert time.monotonic() < deadline, log.read_text(errors="replace")
        time.sleep(0.1)


@contextmanager
def cluster(folder: Path) -> Iterator[str]:
    """``dask scheduler`` and one single-threaded ``dask worker`` on localhost."""
    address = f"tcp://127.0.0.1:{free_port()}"
    port = address.rsplit(":", 1)[1]
    scheduler = [DASK, "scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard"]
    worker = [DASK, "worker", address, "--nthreads", "1", "--nworkers", "1", "--no-dashboard",
              "--local-directory", str(folder)]  # fmt: skip
    with ExitStack() as stack:
        stack.enter_context(started(scheduler, folder / "scheduler.log"))
        wait_for(folder / "scheduler.log", "Scheduler at")
        stack.enter_context(started(worker, folder / "worker.log"))
        wait_for(folder / "worker.log", "Registered to")
        yield address


def test_every_executor_gives_the_same_sweep_csv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    with cluster(tmp_path) as address:
        runs = {
            "jobs1": ["--jobs", "1"],
            "jobs2": ["--jobs", "2"],
            "local": ["--dask", "local", "--jobs", "2"],
            "remote": ["--dask", address],
        }
        for name, options in runs.items():
            result = runner.invoke(app, [*SWEEP, *options, "--out", name])
            assert result.exit_code == 0, (name, result.output)
    first = (tmp_path / "jobs1" / "sweep.csv").read_bytes()
    assert first.count(b"\n") == 5
    for name in runs:
        assert (tmp_path / name / "sweep.csv").read_bytes() == first, name
        assert (tmp_path / name / "sweep.json").read_bytes() == (
            tmp_path / "jobs1" / "sweep.json"
        ).read_bytes(), name
    kinds = {
        name: json.loads((tmp_path / name / "run.json").read_text())["executor"] for name in runs
    }
    assert kinds["jobs1"]["kind"] == "processes" and kinds["remote"]["kind"] != "processes"
