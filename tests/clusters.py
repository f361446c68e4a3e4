"""Real Dask clusters for tests: ``dask scheduler`` and ``dask worker`` as subprocesses on
localhost, optionally with TLS certificates made here by the ``openssl`` command.

Every process is started in a session of its own and the whole session is terminated on the
way out (the worker's nanny and its worker process included), whatever the test did.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
"""The checkout under test: workers import ehrsim from here, as the client does."""

START_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Certificates:
    """A certificate authority and one certificate it signed for localhost (PEM files)."""

    ca: Path
    cert: Path
    key: Path

    def tls_options(self) -> list[str]:
        """The options of ``dask scheduler`` and ``dask worker`` that use them."""
        return [
            "--tls-ca-file",
            str(self.ca),
            "--tls-cert",
            str(self.cert),
            "--tls-key",
            str(self.key),
        ]

    def dask_environment(self) -> dict[str, str]:
        """The environment variables that give a client (ehrsim) these certificates."""
        return {
            "DASK_DISTRIBUTED__COMM__TLS__CA_FILE": str(self.ca),
            "DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT": str(self.cert),
            "DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY": str(self.key),
        }


def make_certificates(folder: Path) -> Certificates:
    """A CA and a localhost certificate signed by it, with ``openssl`` (as the README shows)."""
    folder.mkdir(parents=True, exist_ok=True)
    ca, ca_key = folder / "ca.pem", folder / "ca-key.pem"
    cert, key, request = folder / "node.pem", folder / "node-key.pem", folder / "node.csr"
    extensions = folder / "node.ext"
    extensions.write_text(
        "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
        "basicConstraints=CA:FALSE\n"
        "keyUsage=digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth,clientAuth\n"
    )
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    for cmd in (
        ["openssl", "req", "-x509", *ec, "-keyout", ca_key, "-out", ca, "-days", "2",
         "-subj", "/CN=ehrsim test CA"],
        ["openssl", "req", *ec, "-keyout", key, "-out", request, "-subj", "/CN=localhost"],
        ["openssl", "x509", "-req", "-in", request, "-CA", ca, "-CAkey", ca_key,
         "-CAcreateserial", "-out", cert, "-days", "2", "-extfile", extensions],
    ):  # fmt: skip
        subprocess.run([str(c) for c in cmd], check=True, capture_output=True)
    return Certificates(ca, cert, key)


def environment(**extra: str) -> dict[str, str]:
    """This environment with the checkout under test first on the workers' import path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env.update(extra)
    return env


@contextmanager
def process(cmd: list[str], log: Path, env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    """A subprocess in a session of its own, terminated (with its children) at the end."""
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)  # fmt: skip
    try:
        yield proc
    finally:
        for sig, wait in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(wait)
                break
            except subprocess.TimeoutExpired:
                continue


@dataclass(frozen=True)
class Cluster:
    """A running scheduler's address and the folder holding its logs."""

    address: str
    folder: Path


@contextmanager
def cluster(
    folder: Path,
    *,
    workers: int = 1,
    certificates: Certificates | None = None,
    preload: Path | None = None,
) -> Iterator[Cluster]:
    """``dask scheduler`` and ``dask worker --nworkers N`` (one thread each) on localhost.

    Yields once every worker has joined the scheduler; a ``preload`` script runs in each worker
    process before it takes tasks.
    """
    folder.mkdir(parents=True, exist_ok=True)
    tls = certificates.tls_options() if certificates is not None else []
    env = environment()
    info = folder / "scheduler.json"
    dask = [sys.executable, "-m", "dask"]
    with ExitStack() as stack:
        scheduler = stack.enter_context(
            process(
                [*dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                 "--scheduler-file", str(info),
                 *(["--protocol", "tls", *tls] if certificates else [])],
                folder / "scheduler.log",
                env,
            )
        )  # fmt: skip
        address = _wait_for_address(info, scheduler, folder / "scheduler.log")
        worker = stack.enter_context(
            process(
                [*dask, "worker", address, "--host", "127.0.0.1", "--nworkers", str(workers),
                 "--nthreads", "1", "--no-dashboard", *tls,
                 *(["--preload", str(preload)] if preload else [])],
                folder / "worker.log",
                env,
            )
        )  # fmt: skip
        _wait_for_workers(address, workers, certificates, worker, folder / "worker.log")
        yield Cluster(address, folder)


def _wait_for_address(info: Path, proc: subprocess.Popen[bytes], log: Path) -> str:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"dask scheduler exited: {log.read_text()}")
        if info.exists():
            try:
                return str(json.loads(info.read_text())["address"])
            except (ValueError, KeyError):
                pass
        time.sleep(0.1)
    raise RuntimeError(f"dask scheduler did not start: {log.read_text()}")


def _wait_for_workers(
    address: str,
    n: int,
    certificates: Certificates | None,
    proc: subprocess.Popen[bytes],
    log: Path,
) -> None:
    from distributed import Client
    from distributed.security import Security

    security = (
        Security(
            tls_ca_file=str(certificates.ca),
            tls_client_cert=str(certificates.cert),
            tls_client_key=str(certificates.key),
            require_encryption=True,
        )
        if certificates is not None
        else None
    )
    with Client(address, security=security, timeout=30, set_as_default=False) as client:
        deadline = time.monotonic() + START_TIMEOUT_S
        while len(client.nthreads()) < n:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"dask workers did not join: {log.read_text()}")
            time.sleep(0.1)
