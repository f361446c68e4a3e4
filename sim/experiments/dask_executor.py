"""Replications on a Dask cluster: a ``LocalCluster`` started here, or a running scheduler.

Imported only when ``--dask`` is given (dask and distributed take a second to import), through
:func:`sim.experiments.executors.open_executor`.

- **A task is one replication** (one (variant, replication) for ``compare``): it carries the
  pickled task object with the resolved scenario, never a file path, so workers need ehrsim
  installed but not the scenario files.
- **Same versions everywhere.** Before anything runs, every worker reports its ehrsim, numpy
  and simpy versions (``Client.run``); a worker that differs from this client is refused, since
  its figures could differ. Each task checks again on the worker before it unpickles the
  replication, which covers workers that join later.
- **A lost worker costs only its tasks.** Each replication is its own future; the scheduler
  reruns the tasks of a worker that dies on the others (up to ``allowed-failures`` deaths per
  task: :data:`ALLOWED_FAILURES` on a local cluster, the scheduler's own setting, 3 by default,
  on a remote one), and each result is fetched and released as soon as it is done, so a
  finished replication never depends on the worker that ran it.
- **Security.** ``tls://`` addresses take their certificates from Dask's configuration
  (``distributed.comm.tls.ca-file``, ``distributed.comm.tls.client.cert`` and ``.key``, e.g.
  the ``DASK_DISTRIBUTED__COMM__TLS__*`` environment variables); a ``tcp://`` address off this
  machine gets a warning, because a Dask worker runs whatever code it is sent.
"""

from __future__ import annotations

import ipaddress
import logging
import pickle
import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from sim.experiments.executors import ExecutorError, default_jobs

if TYPE_CHECKING:
    from distributed import Client

T = TypeVar("T")
R = TypeVar("R")

CONNECT_TIMEOUT_S = 5.0
"""How long to try reaching a scheduler before giving up (the CLI promises under 10 s)."""

WORKERS_TIMEOUT_S = 10.0
"""How long to wait for a scheduler without workers to get one."""

ALLOWED_FAILURES = 3
"""Worker deaths a task may be part of before the local cluster gives it up (Dask's default,
set explicitly so that a user's Dask configuration cannot turn retries off)."""

LOCAL_SETTINGS = {
    "distributed.scheduler.allowed-failures": ALLOWED_FAILURES,
    # Dask's statistical profiler feeds the dashboard, which a local cluster here does not
    # start; it samples the running replication's stack every 10 ms, taking the GIL each time
    "distributed.worker.profile.enabled": False,
}
"""The Dask configuration of a ``--dask local`` cluster (its workers inherit it)."""

CHECKED = ("ehrsim", "numpy", "simpy")
"""What must match between client and workers: the figures depend on all three."""

_ADDRESS = re.compile(r"^(tcp|tls)://(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$")

TLS_SETTINGS = (
    "distributed.comm.tls.ca-file",
    "distributed.comm.tls.client.cert",
)
"""The Dask settings a ``tls://`` address needs (the key may sit in the certificate's file or in
``distributed.comm.tls.client.key``)."""


class VersionMismatch(Exception):
    """A worker runs another ehrsim, numpy or simpy than the client (raised on the worker)."""


def versions() -> dict[str, str]:
    """This process's ehrsim, numpy and simpy versions (what a worker reports)."""
    import numpy
    import simpy

    import sim

    return {"ehrsim": sim.__version__, "numpy": numpy.__version__, "simpy": simpy.__version__}


def describe_difference(mine: dict[str, str], theirs: dict[str, str]) -> str:
    """``ehrsim 0.2.0 (this client: 0.1.0)``, for each package that differs."""
    return ", ".join(
        f"{name} {theirs.get(name, '?')} (this client: {mine.get(name, '?')})"
        for name in CHECKED
        if theirs.get(name) != mine.get(name)
    )


@dataclass(frozen=True)
class _Checked:
    """A task as it travels: the client's versions, the pickled function (for ``run``, the
    replication with its scenario) and, as its argument, the pickled item.

    Both are unpickled only after the worker's versions are found equal, so a worker with
    another ehrsim fails with a clear :class:`VersionMismatch` rather than an unpickling error
    or, worse, other figures.
    """

    expected: tuple[tuple[str, str], ...]
    payload: bytes

    def __call__(self, item: bytes) -> Any:
        mine = dict(self.expected)
        found = versions()
        if found != mine:
            raise VersionMismatch(describe_difference(mine, found))
        fn = pickle.loads(self.payload)
        return fn(pickle.loads(item))


def check_address(address: str) -> str:
    """``address`` if it is ``tcp://HOST:PORT`` or ``tls://HOST:PORT``; else ExecutorError."""
    match = _ADDRESS.match(address)
    if match is None or not 0 < int(match.group(3)) < 65536:
        raise ExecutorError(
            f"--dask {address!r}: write 'local' (a cluster on this machine) or the scheduler's "
            "address as tls://HOST:PORT (or tcp://HOST:PORT on this machine only), "
            "e.g. --dask tls://scheduler.example.org:8786"
        )
    return address


def is_loopback(address: str) -> bool:
    """Whether the address's host is this machine (localhost, 127.x, ::1)."""
    match = _ADDRESS.match(address)
    host = match.group(2).strip("[]") if match else ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def tls_security(address: str) -> Any:
    """Dask's Security for a ``tls://`` address, from Dask's configuration; ExecutorError
    naming the missing setting or file."""
    from pathlib import Path

    import dask
    from distributed.security import Security

    missing = [key for key in TLS_SETTINGS if not dask.config.get(key, None)]
    if missing:
        raise ExecutorError(
            f"--dask {address}: a tls:// address needs this client's certificates in Dask's "
            f"configuration; {' and '.join(missing)} not set (e.g. export "
            "DASK_DISTRIBUTED__COMM__TLS__CA_FILE=ca.pem "
            "DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT=client.pem "
            "DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY=client-key.pem; see the README, "
            "'Running on a cluster')"
        )
    keys = (*TLS_SETTINGS, "distributed.comm.tls.client.key")
    for key in keys:
        path = dask.config.get(key, None)
        if path and not Path(path).is_file():
            raise ExecutorError(f"--dask {address}: {key} = {path}: no such file")
    return Security()


@dataclass
class DaskExecutor:
    """Replications as Dask futures on a connected client, results in item order."""

    client: Client
    kind: str
    address: str
    workers: int
    """Tasks that run at once when the executor opened: the cluster's worker threads."""
    notes: list[str] = field(default_factory=list)
    """Warnings for the user (printed by the CLI): e.g. an unencrypted remote scheduler."""

    def describe(self) -> dict[str, Any]:
        """run.json's ``executor``: the kind of cluster, its scheduler, its worker threads."""
        out: dict[str, Any] = {"kind": self.kind, "workers": self.workers}
        if self.kind == "dask":
            out["address"] = self.address
        return out

    def map(
        self,
        fn: Callable[[T], R],
        items: Sequence[T],
        done: Callable[[int, R], None] | None = None,
    ) -> list[R]:
        """One future per item; each result is fetched, then released, as it completes."""
        from concurrent.futures import CancelledError  # what distributed cancels futures with

        from distributed import as_completed
        from distributed.scheduler import KilledWorker

        if not items:
            return []
        task = _Checked(tuple(versions().items()), pickle.dumps(fn))
        batch = uuid.uuid4().hex[:12]
        # one graph for the whole batch: a submit per task costs the scheduler a graph each
        futures = self.client.map(
            task,
            [pickle.dumps(item) for item in items],
            key=[f"ehrsim-{batch}-{i}" for i in range(len(items))],
            pure=False,
        )
        place = {future.key: i for i, future in enumerate(futures)}
        results: list[Any] = [None] * len(items)
        try:
            for future, result in as_completed(futures, with_results=True, loop=self.client.loop):
                if future.status != "finished":  # cancelled: comes as a result, not raised
                    raise CancelledError(f"{future.key} {future.status}: {result}")
                i = place[future.key]
                results[i] = result
                future.release()
                if done is not None:
                    done(i, result)
        except VersionMismatch as exc:
            self.client.cancel(futures)
            raise ExecutorError(
                f"refused: a Dask worker of {self.address} runs {exc}; install the same "
                "versions on every worker (the figures could differ otherwise)"
            ) from None
        except KilledWorker as exc:
            self.client.cancel(futures)
            raise ExecutorError(
                "the Dask workers running a replication died as many times as the scheduler "
                f"allows (distributed.scheduler.allowed-failures; out of memory?): {exc}"
            ) from None
        except CancelledError as exc:
            raise ExecutorError(
                f"lost the Dask scheduler at {self.address} during the run, or its tasks were "
                f"cancelled ({exc})"
            ) from None
        except BaseException:
            self.client.cancel(futures)
            raise
        return results


def refuse_other_versions(client: Client, address: str) -> None:
    """ExecutorError unless every worker runs this client's ehrsim, numpy and simpy."""
    mine = versions()
    reports = client.run(versions, on_error="return")
    problems = []
    for worker, found in sorted(reports.items()):
        if isinstance(found, BaseException):
            problems.append(f"{worker} cannot run ehrsim ({type(found).__name__}: {found})")
        elif found != mine:
            problems.append(f"{worker} runs {describe_difference(mine, found)}")
    if problems:
        raise ExecutorError(
            f"refused the Dask workers of {address}: {'; '.join(problems)}; install the same "
            "ehrsim, numpy and simpy on every worker as on this machine (the figures could "
            "differ otherwise)"
        )


@contextmanager
def connect(address: str, jobs: int | None) -> Iterator[DaskExecutor]:
    """A Dask executor for ``--dask local`` (with ``jobs`` workers) or ``--dask ADDRESS``.

    The local cluster, or the connection, is closed at the end of the block.
    """
    if address == "local":
        with _local(default_jobs() if jobs is None else jobs) as executor:
            yield executor
        return
    check_address(address)
    if jobs is not None:
        raise ExecutorError(
            f"--jobs {jobs} with --dask {address}: the workers of that cluster decide how many "
            "replications run at once (start them with 'dask worker --nworkers N'); drop --jobs"
        )
    security = tls_security(address) if address.startswith("tls://") else None
    client = _client(address, security)
    try:
        _wait_for_workers(client, address)
        refuse_other_versions(client, address)
        executor = DaskExecutor(client, "dask", address, _threads(client))
        if address.startswith("tcp://") and not is_loopback(address):
            executor.notes.append(
                f"{address} is unencrypted and unauthenticated: anyone who reaches that "
                "scheduler can run code on its workers; use a tls:// address (see the README, "
                "'Running on a cluster')"
            )
        yield executor
    finally:
        client.close()


def _knock(address: str) -> None:
    """ExecutorError at once when nothing listens at the address (Dask would keep retrying a
    refused connection until its timeout)."""
    import socket

    match = _ADDRESS.match(address)
    assert match is not None
    host, port = match.group(2).strip("[]"), int(match.group(3))
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ExecutorError(
            f"cannot reach the Dask scheduler at {address} ({reason}); is it running, and is "
            "the address right?"
        ) from None


def _handshake(address: str, security: Any) -> None:
    """Greet the scheduler as a Dask client does, within :data:`CONNECT_TIMEOUT_S` in all.

    ``Client`` bounds the connection but not the greeting that follows it, so a listener that
    accepts and never answers (a firewall, another service, a TLS port spoken to in plain
    TCP) would hang it for many minutes. ExecutorError naming the address.
    """
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from distributed.comm.core import connect as dask_connect
    from distributed.security import Security

    args = (security or Security()).get_connection_args("client")

    async def greet() -> None:
        comm = await asyncio.wait_for(
            dask_connect(address, timeout=CONNECT_TIMEOUT_S, **args), CONNECT_TIMEOUT_S
        )
        await comm.close()

    with ThreadPoolExecutor(1) as pool:  # its own event loop, whatever runs in this thread
        try:
            pool.submit(asyncio.run, greet()).result()
        except Exception as exc:  # OSError, TimeoutError, ssl and configuration errors
            raise ExecutorError(
                f"cannot reach the Dask scheduler at {address} within "
                f"{CONNECT_TIMEOUT_S:.0f} s ({type(exc).__name__}: {str(exc) or 'no answer'}); is "
                "it a Dask scheduler, and are the address and certificates right?"
            ) from None


def _client(address: str, security: Any) -> Client:
    """A client connected to ``address``; ExecutorError naming it when it cannot be reached."""
    from distributed import Client

    _knock(address)
    _handshake(address, security)
    try:
        return Client(
            address,
            timeout=CONNECT_TIMEOUT_S,
            security=security,
            set_as_default=False,
        )
    except (OSError, TimeoutError, ValueError) as exc:
        raise ExecutorError(
            f"cannot reach the Dask scheduler at {address} within {CONNECT_TIMEOUT_S:.0f} s "
            f"({type(exc).__name__}: {exc}); is it running, and are the address and "
            "certificates right?"
        ) from None


def _threads(client: Client) -> int:
    """The cluster's worker threads (at least 1)."""
    threads: dict[str, int] = client.nthreads()
    return max(1, sum(threads.values()))


def _wait_for_workers(client: Client, address: str) -> None:
    try:
        client.wait_for_workers(1, timeout=WORKERS_TIMEOUT_S)
    except TimeoutError:
        raise ExecutorError(
            f"the Dask scheduler at {address} has no workers (waited "
            f"{WORKERS_TIMEOUT_S:.0f} s); start some with 'dask worker {address}'"
        ) from None


@contextmanager
def _local(workers: int) -> Iterator[DaskExecutor]:
    """A ``LocalCluster`` of ``workers`` single-threaded processes on 127.0.0.1, no dashboard."""
    if workers < 1:
        raise ExecutorError(f"--jobs {workers}: give at least 1 worker")
    import dask
    from distributed import Client, LocalCluster

    with dask.config.set(LOCAL_SETTINGS):
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            scheduler_port=0,
            dashboard_address=None,
            # no dashboard; the scheduler's health and metrics routes on a free loopback port
            # (not 8787, where another cluster's dashboard may be)
            scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"},
            silence_logs=logging.CRITICAL,  # failures reach the user as exceptions
        )
    try:
        client = Client(cluster, set_as_default=False)
        try:
            yield DaskExecutor(client, "dask-local", cluster.scheduler_address, _threads(client))
        finally:
            client.close()
    finally:
        cluster.close()
