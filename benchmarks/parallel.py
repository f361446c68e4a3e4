"""Replications on one and two worker processes, and the December replay's 20 replications.

Parallel efficiency is time(1 worker) / (2 x time(2 workers)), on wall-clock time (the only
time in which two workers can be faster than one); the same runs' CPU time, this process's and
its workers' together (`RUSAGE_CHILDREN`), is reported beside it: it is what the second worker
costs in work (forking, pickling results back), which another user's load on the machine does
not disturb the way it disturbs wall-clock time.

The December target is wall-clock time with imports, as a subprocess: the CLI
(`python -m sim run ... --jobs 2 --quiet --out DIR`) when it has `--jobs`, else the API
(`sim.run(scenario, replications=20, jobs=2)`) in `python -c`.
"""

from __future__ import annotations

import gc
import pickle
import resource
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.common import (
    Sizes,
    december_source,
    median,
    relative,
    rotated,
    run_python,
)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass(frozen=True)
class JobsRun:
    """One timed run of the replications on `jobs` workers."""

    jobs: int
    wall_s: float
    cpu_s: float
    """This process's CPU plus its workers' (reaped) CPU."""


@dataclass
class ParallelResult:
    """Repetitions of the 1-worker / 2-worker pair, and the December subprocess timings."""

    scenario: str
    sets: tuple[str, ...]
    note: str
    replications: int
    pairs: list[tuple[JobsRun, JobsRun]] = field(default_factory=list)
    december_command: str = ""
    december_how: str = ""
    december_replications: int = 0
    december_walls: list[float] = field(default_factory=list)
    pickle_ms: float = 0.0
    """CPU milliseconds to pickle one replication's result and unpickle it (a worker's send)."""
    result_kib: float = 0.0
    """Size of one pickled replication result (KiB)."""

    @property
    def efficiency(self) -> float:
        """Median over the repetitions of time(1) / (2 x time(2)), wall-clock."""
        return median([one.wall_s / (2.0 * two.wall_s) for one, two in self.pairs])

    @property
    def cpu_efficiency(self) -> float:
        """Median of CPU(1 worker) / CPU(2 workers, everything): the cost of the second."""
        return median([one.cpu_s / two.cpu_s for one, two in self.pairs])

    def wall(self, jobs: int) -> float:
        """Median wall-clock seconds on `jobs` workers."""
        return median([p[0 if jobs == 1 else 1].wall_s for p in self.pairs])

    def cpu(self, jobs: int) -> float:
        """Median CPU seconds (all processes) on `jobs` workers."""
        return median([p[0 if jobs == 1 else 1].cpu_s for p in self.pairs])

    @property
    def december_wall(self) -> float:
        """Median wall-clock seconds of the December subprocess."""
        return median(self.december_walls)


def timed_run(scenario: object, replications: int, jobs: int) -> tuple[JobsRun, Any]:
    """Run the replications on `jobs` workers; wall-clock and all-process CPU seconds."""
    from sim import run

    gc.collect()
    cpu0, child0 = time.process_time(), _children_cpu()
    wall0 = time.perf_counter()
    result = run(scenario, replications=replications, jobs=jobs)  # type: ignore[arg-type]
    wall = time.perf_counter() - wall0
    cpu = time.process_time() - cpu0 + _children_cpu() - child0
    return JobsRun(jobs, wall, cpu), result


def pickle_cost(replication: Any) -> tuple[float, float]:
    """(CPU milliseconds to pickle and unpickle, size in KiB) of one replication's result."""
    start = time.process_time()
    data = pickle.dumps(replication)
    pickle.loads(data)
    return (time.process_time() - start) * 1000.0, len(data) / 1024.0


def cli_has_jobs() -> bool:
    """Whether `python -m sim run` takes `--jobs` (the CLI is being written alongside)."""
    try:
        proc = run_python(["-m", "sim", "run", "--help"], timeout=120)
    except (RuntimeError, OSError):
        return False
    return "--jobs" in proc.stdout


def december_command(
    path: str, sets: tuple[str, ...], n: int, out: Path
) -> tuple[list[str], str, str]:
    """The subprocess's arguments, the command as RESULTS.md shows it, and how it runs."""
    shown = relative(path)
    if cli_has_jobs():
        tail = ["--replications", str(n), "--jobs", "2"]
        for s in sets:
            tail += ["--set", s]
        args = ["-m", "sim", "run", path, *tail, "--quiet", "--out", str(out)]
        display = " ".join(["python -m sim run", shown, *tail, "--quiet --out <tmp>"])
        return args, display, "the CLI, `python -m sim run` (results folder and plots written)"
    sets_arg = f", sets={list(sets)!r}" if sets else ""
    code = (
        "from sim import load_scenario, run; "
        f"run(load_scenario({path!r}{sets_arg}), replications={n}, jobs=2)"
    )
    display = (
        'python -c "from sim import load_scenario, run; '
        f"run(load_scenario('{shown}'{sets_arg}), replications={n}, jobs=2)\""
    )
    how = (
        "the API in a subprocess (`python -m sim run` has no `--jobs` option yet), "
        "so no results folder or plots are written"
    )
    return ["-c", code], display, how


def run_december(args: list[str]) -> float:
    """Wall-clock seconds of one December subprocess; exit 1 (a hypothesis failed) is fine."""
    start = time.perf_counter()
    run_python(args, ok=(0, 1))
    return time.perf_counter() - start


def measure(sizes: Sizes) -> ParallelResult:
    """Time the replications on 1 and 2 workers, then the December subprocess."""
    from sim import load_scenario

    path, sets, note = december_source()
    sets = (*sets, *sizes.throughput_sets)
    scenario = load_scenario(path, sets=list(sets))
    n = sizes.parallel_replications
    result = ParallelResult(relative(path), sets, note, n)
    for i in range(sizes.repeats):
        runs = {jobs: timed_run(scenario, n, jobs) for jobs in rotated([1, 2], i)}
        result.pairs.append((runs[1][0], runs[2][0]))
        result.pickle_ms, result.result_kib = pickle_cost(runs[1][1].replications[0])
        del runs

    result.december_replications = sizes.december_replications
    for _ in range(sizes.repeats):
        tmp = Path(tempfile.mkdtemp(prefix="ehrsim-bench-"))
        try:
            args, display, how = december_command(
                path, sets, sizes.december_replications, tmp / "results"
            )
            result.december_walls.append(run_december(args))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        result.december_command, result.december_how = display, how
    return result
