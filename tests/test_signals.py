"""Interrupting `ehrsim run`: SIGINT and SIGTERM mid-run exit 130 and 143 and leave nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.cli import Interrupted
from sim.report.results import PARTIAL

ROOT = Path(__file__).resolve().parent.parent
LONG = str(Path(__file__).parent / "data" / "long.yaml")


def start(cwd: Path, *args: str) -> subprocess.Popen[str]:
    """Start `python -m sim run long.yaml` (minutes of work) in its own process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "sim", "run", LONG, *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_temp_folder(where: Path, proc: subprocess.Popen[str], timeout: float = 60) -> Path:
    """Poll until the run's temporary folder holds scenario.yaml (the simulation then starts)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        found = [p for p in where.glob(f".*{PARTIAL}") if (p / "scenario.yaml").exists()]
        if found:
            return found[0]
        time.sleep(0.05)
    proc.kill()
    raise AssertionError("the run never created its temporary folder")


class TestInterrupt:
    @pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
    def test_a_signal_mid_run_exits_with_its_code_and_leaves_nothing(
        self, tmp_path: Path, signum: signal.Signals, code: int
    ) -> None:
        """SIGINT exits 130 and SIGTERM 143, say "interrupted", and remove the temporary folder."""
        proc = start(tmp_path, "--quiet")
        base = tmp_path / "results" / "long"
        temp = wait_for_temp_folder(base, proc)
        time.sleep(0.5)  # well into the simulation
        assert proc.poll() is None
        proc.send_signal(signum)
        stdout, stderr = proc.communicate(timeout=60)
        assert proc.returncode == code, stderr
        assert stderr.strip().endswith("interrupted")
        assert "Traceback" not in stderr and "Aborted" not in stderr
        assert stdout == ""
        assert not temp.exists()
        assert list(base.iterdir()) == []

    def test_an_interrupted_out_run_leaves_no_folder(self, tmp_path: Path) -> None:
        """With --out DIR an interrupted run creates neither DIR nor a temporary sibling."""
        proc = start(tmp_path, "--out", "o")
        temp = wait_for_temp_folder(tmp_path, proc)
        assert temp.name.startswith(".o.")
        time.sleep(0.5)
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=60)
        assert proc.returncode == 143
        assert "interrupted" in stderr
        assert list(tmp_path.iterdir()) == []


class TestInterruptedException:
    def test_a_copy_made_from_its_args_is_the_same_interruption(self) -> None:
        """SimPy re-raises process exceptions as type(e)(*e.args): the copy keeps the code."""
        original = Interrupted(signal.SIGTERM)
        copy = type(original)(*original.args)
        assert (copy.code, str(copy)) == (143, "SIGTERM")
        assert isinstance(copy, KeyboardInterrupt)


class TestWorkersStop:
    def test_sigint_stops_parallel_replications_and_their_workers(self, tmp_path: Path) -> None:
        """Ctrl-C during `--jobs 2` replications exits 130, leaves no folder and no workers."""
        out = tmp_path / "out"
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sim",
                "run",
                LONG,
                "--replications",
                "4",
                "--jobs",
                "2",
                "--quiet",
                "--out",
                str(out),
            ],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(_children(proc.pid)) < 2:
            time.sleep(0.1)
        workers = _children(proc.pid)
        assert len(workers) >= 2, "the workers never started"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 130
        assert not out.exists()
        time.sleep(0.5)
        assert not [
            pid
            for pid in workers
            if Path(f"/proc/{pid}").exists()
            and "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]
        ]


def _children(pid: int) -> list[int]:
    """Process ids whose parent is `pid` (Linux /proc)."""
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(stat.parent.name))
    return kids
