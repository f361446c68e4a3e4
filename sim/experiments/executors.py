"""Where replications run: local worker processes, or a Dask cluster, behind one interface.

Replications share nothing but the scenario, so they parallelise perfectly; results come back
in item order, so the summary does not depend on the executor or on how many workers ran them.
:func:`open_executor` turns the command line's ``--jobs N`` / ``--dask local|ADDRESS`` into an
:class:`Executor`; ``run``, ``compare`` and ``sweep`` hand it their tasks and nothing else
changes.  Local workers ignore SIGINT: the parent alone decides to stop, and terminates them.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Generic, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")

Done = Callable[[int, Any], None]
"""``done(index, result)``: called in the client process as each result arrives."""


class ExecutorError(Exception):
    """The executor cannot be opened or lost what it runs on: an unreachable address, a
    worker running another ehrsim, ``--jobs`` where it means nothing (exit 2 on the CLI)."""


class Executor(Protocol):
    """Runs ``fn`` over items somewhere and returns the results in item order.

    ``fn`` and the items must be picklable (a module-level function or a frozen dataclass
    holding the resolved scenario): a task carries everything it needs, never a file path.
    """

    @property
    def workers(self) -> int:
        """How many tasks run at once (1: in this process, one after another)."""
        ...

    def map(
        self,
        fn: Callable[[T], R],
        items: Sequence[T],
        done: Callable[[int, R], None] | None = None,
    ) -> list[R]:
        """``fn`` over ``items``, results in item order whatever the completion order;
        ``done(index, result)`` is called in this process as each result arrives."""
        ...

    def describe(self) -> dict[str, Any]:
        """What run.json records about the executor (it varies between identical runs)."""
        ...


def default_jobs() -> int:
    """The machine's cores (those this process may use)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


class LocalExecutor:
    """``jobs`` worker processes on this machine (this process itself when ``jobs`` is 1)."""

    def __init__(self, jobs: int) -> None:
        if jobs < 1:
            raise ExecutorError(f"--jobs {jobs}: give at least 1 worker process")
        self._jobs = jobs

    @property
    def workers(self) -> int:
        return self._jobs

    def map(
        self,
        fn: Callable[[T], R],
        items: Sequence[T],
        done: Callable[[int, R], None] | None = None,
    ) -> list[R]:
        return map_in_workers(fn, items, self._jobs, done)

    def describe(self) -> dict[str, Any]:
        return {"kind": "processes", "workers": self._jobs}


def runs_here(executor: Executor, tasks: int) -> bool:
    """Whether ``tasks`` are better run in this process, one after another: local processes
    would have only one worker busy (in this process the progress bar also moves in simulated
    time, not per finished task). A Dask executor always gets the tasks it was asked to run."""
    return isinstance(executor, LocalExecutor) and (executor.workers <= 1 or tasks <= 1)


@contextmanager
def open_executor(jobs: int | None = None, dask: str | None = None) -> Iterator[Executor]:
    """The executor that ``--jobs`` and ``--dask`` ask for, closed at the end of the block.

    Args:
        jobs: Worker processes (default: the machine's cores); with ``dask="local"``, the
            single-threaded workers of the local Dask cluster.
        dask: ``None`` for local processes; ``"local"`` for a Dask ``LocalCluster`` started
            here and closed at the end; ``tcp://HOST:PORT`` or ``tls://HOST:PORT`` to join a
            running Dask scheduler (TLS certificates from Dask's configuration).

    Raises:
        ExecutorError: ``jobs`` with a scheduler address (the cluster's workers decide how
            many tasks run), a malformed or unreachable address, no workers, or workers that
            run another ehrsim, numpy or simpy.
    """
    if dask is None:
        yield LocalExecutor(default_jobs() if jobs is None else jobs)
        return
    from sim.experiments.dask_executor import connect

    with connect(dask, jobs) as executor:
        yield executor


def map_in_workers(
    fn: Callable[[T], R],
    items: Sequence[T],
    jobs: int,
    done: Callable[[int, R], None] | None = None,
) -> list[R]:
    """fn over items on `jobs` worker processes (in this process when jobs is 1).

    `done(index, result)` is called in this process as each result arrives.  An exception in
    a worker, or KeyboardInterrupt here, terminates every worker before it propagates.
    """
    jobs = max(1, min(jobs, len(items)))
    if jobs == 1:
        out = []
        for i, item in enumerate(items):
            result = fn(item)
            if done is not None:
                done(i, result)
            out.append(result)
        return out
    ctx = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    pool = ctx.Pool(jobs, initializer=_ignore_sigint)
    try:
        results: list[R | None] = [None] * len(items)
        for i, result in pool.imap_unordered(_indexed(fn), list(enumerate(items))):
            results[i] = result
            if done is not None:
                done(i, result)
        pool.close()
        return [r for r in results if r is not None]
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


class _indexed(Generic[T, R]):
    """Picklable wrapper: (i, item) -> (i, fn(item))."""

    def __init__(self, fn: Callable[[T], R]) -> None:
        self.fn = fn

    def __call__(self, pair: tuple[int, T]) -> tuple[int, R]:
        i, item = pair
        return i, self.fn(item)
