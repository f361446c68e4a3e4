"""What the throughput figures leave out, measured apart: imports, loading, plotting.

A fresh subprocess (`python -m benchmarks.overheads [SETS...]`) times, in CPU seconds, the
imports of the run API, the loading of the baseline scenario, one replication (for scale), the
import of the plotting module (matplotlib), and writing the results folder (summary, CSV files
and both PNGs) of that replication.  The parent adds the subprocess's wall-clock time, the
interpreter's start included.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass

from benchmarks.common import BASELINE, Sizes, relative, run_python


@dataclass(frozen=True)
class Overheads:
    """CPU seconds of each step in a fresh process, and the process's wall-clock time."""

    scenario: str
    sets: tuple[str, ...]
    import_s: float
    load_s: float
    run_s: float
    messages: int
    plots_import_s: float
    write_s: float
    process_wall_s: float


def child(sets: list[str]) -> dict[str, float | int]:
    """In the subprocess: time each step with `time.process_time`."""
    import shutil
    import tempfile
    from pathlib import Path

    t0 = time.process_time()
    from sim import load_scenario, run

    t1 = time.process_time()
    scenario = load_scenario(BASELINE, sets=sets)
    t2 = time.process_time()
    result = run(scenario, replications=1)
    t3 = time.process_time()
    import sim.report.plots  # noqa: F401  (matplotlib: what plotting costs before any figure)
    from sim.report.results import write_results

    t4 = time.process_time()
    tmp = Path(tempfile.mkdtemp(prefix="ehrsim-bench-"))
    try:
        write_results(tmp, result)
        t5 = time.process_time()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {
        "import_s": t1 - t0,
        "load_s": t2 - t1,
        "run_s": t3 - t2,
        "messages": int(result.summary["messages"]["created"]),
        "plots_import_s": t4 - t3,
        "write_s": t5 - t4,
    }


def measure(sizes: Sizes) -> Overheads:
    """Run the steps in a fresh subprocess (one day of the baseline; less with --quick)."""
    sets = tuple(sizes.throughput_sets)
    start = time.perf_counter()
    proc = run_python(["-m", "benchmarks.overheads", *sets])
    wall = time.perf_counter() - start
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    return Overheads(
        scenario=relative(BASELINE),
        sets=sets,
        import_s=float(data["import_s"]),
        load_s=float(data["load_s"]),
        run_s=float(data["run_s"]),
        messages=int(data["messages"]),
        plots_import_s=float(data["plots_import_s"]),
        write_s=float(data["write_s"]),
        process_wall_s=wall,
    )


if __name__ == "__main__":
    print(json.dumps(child(sys.argv[1:])))
