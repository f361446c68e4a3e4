"""Running independent replications in worker processes.

Replications share nothing but the scenario, so they parallelise perfectly; results come back
in replication order, so the summary does not depend on how many workers ran them.  Workers
ignore SIGINT: the parent alone decides to stop, and terminates them.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def default_jobs() -> int:
    """The machine's cores (those this process may use)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


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


class _indexed(Generic[T, R]):
    """Picklable wrapper: (i, item) -> (i, fn(item))."""

    def __init__(self, fn: Callable[[T], R]) -> None:
        self.fn = fn

    def __call__(self, pair: tuple[int, T]) -> tuple[int, R]:
        i, item = pair
        return i, self.fn(item)
