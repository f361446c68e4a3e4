"""`python -m benchmarks.sweep`: a 40-point sweep on one and two local worker processes, and
on a Dask ``LocalCluster`` of two workers against two local processes.

Two figures (the issue's goals in brackets):

- speed-up of ``--jobs 2`` over ``--jobs 1`` on wall-clock time (at least 1.8x): a sweep's
  tasks are independent replications, so two cores should nearly halve it;
- the Dask ``LocalCluster``'s overhead per point against two local processes (under 10 %):
  wall-clock time of the same sweep on each, the cluster already started (its start-up, a
  fixed cost of a few seconds, is given apart).

Every sweep runs through :func:`sim.experiments.sweep.run_points` without a cache, its points
built once; the executors run side by side in each repetition (rotated, so neither always
goes first) and each figure is the median over the repetitions. Wall-clock time is the only
time in which two workers can be faster than one, so another user's load on the machine
disturbs these figures: the load average is printed with them.

Options: ``--repeats N`` (default 3), ``--quick`` (4 points, for a smoke run; its figures
mean nothing).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from benchmarks.common import load_average, median, rotated

if TYPE_CHECKING:
    from sim.experiments.executors import Executor
    from sim.experiments.grid import Param
    from sim.experiments.sweep import Point

SCENARIO = "theory/stall"
"""The fluid-model stall: one M/M/2 channel and a 20-minute engine stall, swept over its
connections and the stall's length. Its 10-hour horizon (HORIZON) gives a replication about
0.16 s of CPU on the compiled core, a small real world's cost: at its own 1 h 40 min a
replication took 28 ms, and the figures measured the executors' fixed few milliseconds per
task rather than a sweep."""
HORIZON = "10h"
GRID = (
    "systems.server.connections=2..5",
    "faults.0.for=" + ",".join(f"{minutes}min" for minutes in range(5, 15)),
)
QUICK_GRID = ("systems.server.connections=2..3", "faults.0.for=5min,10min")
POINTS_GOAL_SPEEDUP = 1.8
DASK_GOAL_OVERHEAD = 0.10


def _grid(quick: bool) -> tuple[list[Param], list[Point]]:
    from sim.experiments.grid import parse_params
    from sim.experiments.sweep import load_points

    params = parse_params(QUICK_GRID if quick else GRID)
    flags = ["replications=1"] + ([] if quick else [f"horizon={HORIZON}"])
    points, _ = load_points(SCENARIO, params, flags=flags)
    return params, points


def _timed(points: Sequence[Point], params: Sequence[Param], executor: Executor) -> float:
    from sim.experiments.sweep import run_points

    start = time.perf_counter()
    run_points(points, params, ("recovery_time_s", "peak_backlog"), executor=executor)
    return time.perf_counter() - start


def measure(repeats: int, quick: bool) -> str:
    """Run the measurements; return them as a Markdown table with the conditions."""
    from sim.experiments.executors import LocalExecutor, open_executor

    params, points = _grid(quick)
    walls: dict[str, list[float]] = {"jobs 1": [], "jobs 2": [], "dask local 2": []}
    load_before = load_average()
    cluster_start = time.perf_counter()
    with open_executor(2, "local") as dask:
        cluster_s = time.perf_counter() - cluster_start
        _timed(points[:2], params, dask)  # workers import ehrsim once, before the clock runs
        executors: dict[str, Executor] = {
            "jobs 1": LocalExecutor(1),
            "jobs 2": LocalExecutor(2),
            "dask local 2": dask,
        }
        for k in range(repeats):
            for name in rotated(list(executors), k):
                walls[name].append(_timed(points, params, executors[name]))
    one, two, dask_wall = (median(walls[name]) for name in ("jobs 1", "jobs 2", "dask local 2"))
    speedup = one / two
    overhead = dask_wall / two - 1.0
    per_point_ms = (dask_wall - two) / len(points) * 1000.0
    lines = [
        f"{len(points)}-point sweep of {SCENARIO} ({' x '.join(p.key for p in params)}), one "
        f"replication per point, median of {repeats} repetitions (wall-clock seconds)",
        "",
        "| executor | wall s | |",
        "| --- | ---: | --- |",
        f"| --jobs 1 | {one:.2f} | |",
        f"| --jobs 2 | {two:.2f} | speed-up {speedup:.2f}x (goal {POINTS_GOAL_SPEEDUP}x) |",
        f"| --dask local --jobs 2 | {dask_wall:.2f} | {overhead:+.1%} against --jobs 2, "
        f"{per_point_ms:+.0f} ms per point (goal under {DASK_GOAL_OVERHEAD:.0%}) |",
        "",
        f"LocalCluster start-up: {cluster_s:.1f} s (once per sweep, not counted above). "
        f"Load average before: {load_before}; after: {load_average()}.",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sweep", description=__doc__)
    parser.add_argument("--repeats", type=int, default=3, help="repetitions per figure")
    parser.add_argument("--quick", action="store_true", help="a smoke run on 4 points")
    args = parser.parse_args(argv)
    print(measure(max(1, args.repeats), args.quick))
    return 0


if __name__ == "__main__":
    sys.exit(main())
