"""`--dask`: replications on a Dask cluster give the same bytes as local processes.

The tests marked `cluster` start real clusters: a `LocalCluster` through `--dask local`, and
`dask scheduler` / `dask worker` subprocesses on localhost (plain and TLS), always torn down.
The others check the refusals that need no cluster: bad addresses, `--jobs` with an address,
TLS without certificates, nothing listening, a scheduler that never answers.
"""

from __future__ import annotations

import json
import os
import pickle
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

import sim
from sim.cli import app
from sim.experiments import dask_executor
from sim.experiments.dask_executor import VersionMismatch, _Checked, versions
from sim.experiments.executors import ExecutorError, open_executor
from tests.clusters import Cluster, cluster, environment, make_certificates

TINY = str(Path(__file__).parent / "data" / "tiny.yaml")
RUN = ("run", TINY, "-q", "--replications", "3", "--horizon", "50min")
COMPARE = (
    "compare", TINY, "-q", "--replications", "2", "--set", "horizon=90min",
    "--variant", "three: {systems: {lab: {connections: 3}}}",
    "--metric", "peak_backlog", "--metric", "recovery_time_s",
)  # fmt: skip

runner = CliRunner()


def invoke(*args: str) -> Result:
    return runner.invoke(app, list(args))


def record(folder: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((folder / "run.json").read_text())
    return data


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="module")
def tcp_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """A scheduler and two single-threaded workers on localhost, over tcp://."""
    with cluster(tmp_path_factory.mktemp("tcp"), workers=2) as running:
        yield running


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


# -- the same bytes on every executor ------------------------------------------------------------


@pytest.mark.cluster
@pytest.mark.parametrize("command", [RUN, COMPARE], ids=["run", "compare"])
def test_summary_is_byte_identical_on_every_executor(
    command: tuple[str, ...], tcp_cluster: Cluster, in_tmp: Path
) -> None:
    """--jobs 1, --jobs 2, --dask local and a `dask scheduler`/`dask worker` pair give the same
    summary.json bytes; run.json says which executor ran them."""
    executors = {
        "one": ("--jobs", "1"),
        "two": ("--jobs", "2"),
        "local": ("--dask", "local", "--jobs", "2"),
        "remote": ("--dask", tcp_cluster.address),
    }
    for name, options in executors.items():
        result = invoke(*command, *options, "--out", name)
        assert result.exit_code == 0, (name, result.output)
    summaries = {name: (in_tmp / name / "summary.json").read_bytes() for name in executors}
    assert len(set(summaries.values())) == 1
    assert json.loads(summaries["one"])["replications"] == (3 if command is RUN else 2)
    assert record(in_tmp / "one")["executor"] == {"kind": "processes", "workers": 1}
    assert record(in_tmp / "two")["executor"] == {"kind": "processes", "workers": 2}
    assert record(in_tmp / "local")["executor"] == {"kind": "dask-local", "workers": 2}
    assert record(in_tmp / "remote")["executor"] == {
        "kind": "dask",
        "workers": 2,
        "address": tcp_cluster.address,
    }
    assert f"--dask {tcp_cluster.address}" in str(record(in_tmp / "remote")["command"])


@pytest.mark.cluster
def test_tls_cluster_with_certificates_from_dask_settings(
    tmp_path: Path, tcp_cluster: Cluster
) -> None:
    """A TLS scheduler and worker with certificates made here: `--dask tls://...` with the
    client's certificates in the DASK_DISTRIBUTED__COMM__TLS__* variables (as the README says)
    runs and gives the bytes of a local run; without them it is refused, naming the settings."""
    certificates = make_certificates(tmp_path / "certs")
    with cluster(tmp_path / "tls", certificates=certificates) as running:
        assert running.address.startswith("tls://127.0.0.1:")
        base = [sys.executable, "-m", "sim", *RUN, "--dask", running.address]
        done = subprocess.run(
            [*base, "--out", str(tmp_path / "tls-run")],
            env=environment(**certificates.dask_environment()),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        bare = subprocess.run(
            [*base, "--out", str(tmp_path / "bare")],
            env={k: v for k, v in environment().items() if not k.startswith("DASK_")},
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert bare.returncode == 2
    assert "distributed.comm.tls.ca-file" in bare.stderr and running.address in bare.stderr
    assert not (tmp_path / "bare").exists()
    local = invoke(*RUN, "--jobs", "1", "--out", str(tmp_path / "local"))
    assert local.exit_code == 0, local.output
    tls_summary = (tmp_path / "tls-run" / "summary.json").read_bytes()
    assert tls_summary == (tmp_path / "local" / "summary.json").read_bytes()
    assert record(tmp_path / "tls-run")["executor"] == {
        "kind": "dask",
        "workers": 1,
        "address": running.address,
    }


# -- refusals ------------------------------------------------------------------------------------

PRETEND = '''"""Preloaded into the test's dask worker: it runs another ehrsim version."""
import sim

sim.__version__ = "0.0.0+other"
'''


@pytest.mark.cluster
def test_a_worker_with_another_ehrsim_is_refused(tmp_path: Path, in_tmp: Path) -> None:
    """The worker itself reports its version (a preload changed it there, not here): exit 2
    naming the worker's and the client's versions, nothing written."""
    preload = tmp_path / "pretend_other_version.py"
    preload.write_text(PRETEND)
    with cluster(tmp_path / "other", preload=preload) as running:
        result = invoke(*RUN, "--dask", running.address, "--out", "o")
    assert result.exit_code == 2, result.output
    assert "refused the Dask workers of " + running.address in result.output
    assert f"ehrsim 0.0.0+other (this client: {sim.__version__})" in result.output
    assert not (in_tmp / "o").exists()


def test_each_task_checks_the_versions_on_the_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """A task made by this client, run where ehrsim is another version (a worker that joined
    after the first check), raises VersionMismatch before it unpickles the replication; with
    the same versions it runs."""
    unreadable = b"not a pickle: never read when the versions differ"
    task = _Checked(tuple(versions().items()), unreadable)
    monkeypatch.setattr(sim, "__version__", "9.9.9")
    with pytest.raises(VersionMismatch, match=r"ehrsim 9\.9\.9 \(this client: "):
        task(unreadable)
    monkeypatch.undo()
    assert _Checked(tuple(versions().items()), pickle.dumps(abs))(pickle.dumps(-4)) == 4


@pytest.mark.parametrize(
    "address", ["127.0.0.1:8786", "http://127.0.0.1:8786", "tcp://127.0.0.1", "tcp://h:99999"]
)
def test_a_malformed_address_exits_2(address: str, in_tmp: Path) -> None:
    result = invoke(*RUN, "--dask", address)
    assert result.exit_code == 2
    assert f"--dask {address!r}: write 'local'" in result.output
    assert not (in_tmp / "results").exists()


def test_jobs_with_an_address_exits_2(in_tmp: Path) -> None:
    """--jobs sizes local processes or a local cluster; with an address it is an error."""
    result = invoke(*RUN, "--jobs", "2", "--dask", "tcp://127.0.0.1:8786")
    assert result.exit_code == 2
    assert "--jobs 2 with --dask tcp://127.0.0.1:8786" in result.output
    assert "drop --jobs" in result.output


def test_nothing_listening_exits_2_naming_the_address(in_tmp: Path) -> None:
    """A closed port: exit 2 at once, naming the address; no results folder."""
    address = f"tcp://127.0.0.1:{_free_port()}"
    for command in (RUN, COMPARE):
        result = invoke(*command, "--dask", address)
        assert result.exit_code == 2, result.output
        assert f"cannot reach the Dask scheduler at {address}" in result.output
    assert not (in_tmp / "results").exists()


def test_a_silent_scheduler_times_out_naming_the_address(
    monkeypatch: pytest.MonkeyPatch, in_tmp: Path
) -> None:
    """Something accepts the connection but never speaks Dask: the client gives up after its
    connect timeout (shortened here from 5 s) and exit 2 names the address."""
    monkeypatch.setattr(dask_executor, "CONNECT_TIMEOUT_S", 1.0)
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
        result = invoke(*RUN, "--dask", address)
    assert result.exit_code == 2, result.output
    assert f"cannot reach the Dask scheduler at {address} within 1 s" in result.output


def test_tls_without_certificates_names_the_settings(
    monkeypatch: pytest.MonkeyPatch, in_tmp: Path
) -> None:
    import dask

    monkeypatch.setattr(dask.config, "config", {})
    result = invoke(*RUN, "--dask", "tls://127.0.0.1:8786")
    assert result.exit_code == 2
    assert "needs this client's certificates in Dask's configuration" in result.output
    assert "distributed.comm.tls.ca-file and distributed.comm.tls.client.cert" in result.output


# -- a lost worker -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DieOnce:
    """Squares a number; the first time it is given 1, it kills the worker process running it."""

    marker: str

    def __call__(self, x: int) -> int:
        if x == 1 and not os.path.exists(self.marker):
            Path(self.marker).write_text(str(os.getpid()))
            os._exit(1)
        return x * x


def _setting(key: str) -> object:
    import dask

    return dask.config.get(key)


@pytest.mark.cluster
def test_a_lost_worker_costs_only_its_task(tmp_path: Path) -> None:
    """A worker dies mid-run: its task runs again elsewhere and every result arrives, in item
    order, each reported once."""
    marker = tmp_path / "died"
    seen: list[int] = []
    lock = threading.Lock()

    def done(i: int, _r: int) -> None:
        with lock:
            seen.append(i)

    with open_executor(2, "local") as executor:
        out = executor.map(DieOnce(str(marker)), list(range(6)), done)
        profiling = executor.client.run(_setting, "distributed.worker.profile.enabled")
        retries = executor.client.run_on_scheduler(
            _setting, "distributed.scheduler.allowed-failures"
        )
    assert marker.exists()  # a worker did die
    # the local cluster's settings reach its workers (a replacement may still be starting)
    assert profiling and set(profiling.values()) == {False}
    assert retries == 3
    assert out == [x * x for x in range(6)]
    assert sorted(seen) == list(range(6))


@pytest.mark.cluster
def test_a_lost_scheduler_ends_the_run_with_an_error_naming_it(tmp_path: Path) -> None:
    """The scheduler dies while a task runs: ExecutorError naming its address at once (the
    futures come back cancelled, as results rather than raised)."""
    with cluster(tmp_path / "doomed") as running, open_executor(None, running.address) as ex:
        kill = threading.Timer(1.0, os.killpg, (running.scheduler_pid, signal.SIGKILL))
        kill.start()
        try:
            lost = "lost the Dask scheduler at " + running.address
            with pytest.raises(ExecutorError, match=lost):
                ex.map(time.sleep, [60.0])
        finally:
            kill.cancel()


def test_open_executor_without_dask_is_local_processes() -> None:
    with open_executor(3) as executor:
        assert executor.describe() == {"kind": "processes", "workers": 3}
    with pytest.raises(ExecutorError, match="--jobs 0"), open_executor(0):
        pass
