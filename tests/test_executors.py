"""Worker processes: results in item order, whichever worker ran them."""

from __future__ import annotations

import os

import pytest

from sim.experiments.executors import map_in_workers


def _pid_and_square(x: int) -> tuple[int, int]:
    return os.getpid(), x * x


@pytest.mark.parametrize("jobs", [1, 2])
def test_results_in_item_order_from_the_workers(jobs: int) -> None:
    """Results come back in item order, `done` hears of each once, and with jobs > 1 the
    work ran in other processes."""
    seen: list[tuple[int, int]] = []
    out = map_in_workers(
        _pid_and_square, list(range(12)), jobs, done=lambda i, r: seen.append((i, r[1]))
    )
    assert [square for _pid, square in out] == [x * x for x in range(12)]
    assert sorted(seen) == [(i, i * i) for i in range(12)]
    workers = {pid for pid, _square in out}
    if jobs == 1:
        assert workers == {os.getpid()}
    else:
        assert os.getpid() not in workers
