"""Peak memory of one replication of the baseline for horizons of 1, 7 and 30 days.

Each horizon runs in a fresh subprocess (`python -m benchmarks.memory HORIZON`), which reports
its peak resident set size twice: once after the imports and the scenario's loading (the
interpreter, numpy, simpy, pydantic), and once after the run and its summary.  The whole
process's peak is the figure the target is about; the increment (peak after the run minus peak
before it) is what the run itself added, a stricter view of the same question.

The peak is the kernel's high-water mark of the process's own memory, `VmHWM` in
/proc/self/status.  `resource.getrusage(RUSAGE_SELF).ru_maxrss` would be the same figure in a
fresh interpreter, except that Linux carries the parent's peak into a child's `ru_maxrss`
across fork and exec: measured from the benchmark (whose Ciw run peaks near 800 MiB) it would
report the parent's peak.  Off Linux, `ru_maxrss` is used.
"""

from __future__ import annotations

import json
import resource
import sys
from dataclasses import dataclass

from benchmarks.common import BASELINE, Sizes, relative, run_python


@dataclass(frozen=True)
class MemoryPoint:
    """One horizon's memory, from its own subprocess.

    Attributes:
        horizon: The horizon as given to `--set horizon=`.
        messages: Messages the replication created.
        before_mib: Peak RSS after imports and loading, before the world was built (MiB).
        peak_mib: Peak RSS of the whole process, after the run and its summary (MiB).
        cpu_s: CPU seconds of the run (construction to summary).
        samples: Values the run kept in its backlog samples (times and every column).
        samples_mib: What those arrays take (MiB, `sys.getsizeof`).
    """

    horizon: str
    messages: int
    before_mib: float
    peak_mib: float
    cpu_s: float
    samples: int = 0
    samples_mib: float = 0.0

    @property
    def run_mib(self) -> float:
        """What the run added to the process's peak (MiB)."""
        return self.peak_mib - self.before_mib


@dataclass(frozen=True)
class MemoryResult:
    """Peak memory per horizon."""

    scenario: str
    points: list[MemoryPoint]
    method: str

    def ratio(self, attr: str = "peak_mib") -> float:
        """The longest horizon's figure over the shortest's."""
        first, last = self.points[0], self.points[-1]
        low = getattr(first, attr)
        return getattr(last, attr) / low if low > 0 else float("inf")


def peak_rss_mib() -> float:
    """This process's peak resident set size (MiB): VmHWM, else ru_maxrss."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0  # kB
    except OSError:
        pass
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 1024.0


def child(horizon: str) -> dict[str, float | int | str]:
    """In the subprocess: load, note the peak so far, run one replication, note the peak."""
    import time

    from sim import load_scenario, run

    scenario = load_scenario(BASELINE, sets=[f"horizon={horizon}"])
    before = peak_rss_mib()
    start = time.process_time()
    result = run(scenario, replications=1)
    cpu = time.process_time() - start
    samples = result.replications[0].samples
    arrays = [samples.time_s, *samples.columns.values()]
    size = sum(sys.getsizeof(values) for values in arrays)  # an array's size counts its items
    return {
        "samples": sum(len(values) for values in arrays),
        "samples_mib": size / 2**20,
        "horizon": horizon,
        "messages": int(result.summary["messages"]["created"]),
        "before_mib": before,
        "peak_mib": peak_rss_mib(),
        "cpu_s": cpu,
    }


def measure(sizes: Sizes) -> MemoryResult:
    """Run each horizon of `sizes.memory_horizons` in its own fresh subprocess."""
    points = []
    for horizon in sizes.memory_horizons:
        proc = run_python(["-m", "benchmarks.memory", horizon])
        data = json.loads(proc.stdout.strip().splitlines()[-1])
        points.append(
            MemoryPoint(
                horizon=str(data["horizon"]),
                messages=int(data["messages"]),
                before_mib=float(data["before_mib"]),
                peak_mib=float(data["peak_mib"]),
                cpu_s=float(data["cpu_s"]),
                samples=int(data["samples"]),
                samples_mib=float(data["samples_mib"]),
            )
        )
    method = (
        "the peak resident set size of a fresh subprocess per horizon "
        "(`python -m benchmarks.memory HORIZON`): `VmHWM` of /proc/self/status, the high-water "
        "mark `ru_maxrss` reports, read there because Linux carries the parent's peak into a "
        "child's `ru_maxrss` across fork and exec (not tracemalloc: it would count Python's "
        "allocations only, and slow the run several times)"
    )
    return MemoryResult(relative(BASELINE), points, method)


if __name__ == "__main__":
    print(json.dumps(child(sys.argv[1])))
