"""What every measurement shares: CPU timing, medians, sizes, the machine, the scenarios.

Every figure is CPU time of this process (`time.process_time`) unless it says otherwise: the
machine is shared, and CPU time is what another user's load disturbs least.  Competing
implementations run side by side in the same repetition, so their ratio is taken on the same
conditions, and each figure is the median over the repetitions.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

ROOT = Path(__file__).resolve().parent.parent
"""The checkout: the benchmark runs its subprocesses from here."""
HERE = Path(__file__).resolve().parent
SCENARIOS = HERE / "scenarios"
MM3 = SCENARIOS / "mm3.yaml"
BACKLOG = SCENARIOS / "backlog.yaml"
BASELINE = ROOT / "scenarios" / "baseline-weekday.yaml"
DECEMBER = ROOT / "scenarios" / "december-2017.yaml"
DECEMBER_STAND_IN_SETS = (
    'faults=[{name: integration servers stall, kind: engine-stall, at: "09:00", for: 7h, '
    "mode: hold}]",
)
"""The stand-in for the December replay when its file is missing: the baseline with its stall."""

MILLION = 1_000_000


@dataclass(frozen=True)
class Sizes:
    """How big each measurement is.  `full()` is the real benchmark, `quick()` a smoke run."""

    repeats: int
    """Repetitions of each timed measurement (the figure is their median)."""
    min_messages: int
    """Messages each throughput run must reach (baseline, December replay)."""
    mm3_horizon_s: float
    """Simulated seconds of the M/M/3 runs (2 messages a second)."""
    mm3_warmup_s: float
    profile_horizon_s: float
    """Simulated seconds of the profiled M/M/3 run."""
    backlog_sets: tuple[str, ...]
    """`--set` assignments applied to the backlog world (none: the file as it is)."""
    min_backlog: int
    """Backlog the stall must build for the drain figure to count."""
    memory_horizons: tuple[str, ...]
    parallel_replications: int
    december_replications: int
    """Replications of the timed December subprocess (the target is about 20)."""
    throughput_sets: tuple[str, ...] = ()
    """`--set` assignments for the baseline and December throughput runs and profiles."""
    is_quick: bool = False
    log_messages: int = 300_000
    """HL7 messages (originals and ACKs) of the synthetic engine log read by `sim.logs`."""

    @classmethod
    def full(cls, repeats: int = 3) -> Sizes:
        """The benchmark of the issue: a million messages per throughput run."""
        return cls(
            repeats=repeats,
            min_messages=MILLION,
            mm3_horizon_s=500_000.0 + 3600.0,
            mm3_warmup_s=3600.0,
            profile_horizon_s=100_000.0,
            backlog_sets=(),
            min_backlog=300_000,
            memory_horizons=("1d", "7d", "30d"),
            parallel_replications=8,
            december_replications=20,
        )

    @classmethod
    def quick(cls) -> Sizes:
        """A smoke run of every measurement on tiny sizes (seconds, for the tests)."""
        return cls(
            repeats=1,
            min_messages=5_000,
            mm3_horizon_s=20_000.0,
            mm3_warmup_s=1_000.0,
            profile_horizon_s=5_000.0,
            backlog_sets=(
                "horizon=40min",
                "warmup=1min",
                "faults.0.at=+5min",
                "faults.0.for=10min",
            ),
            min_backlog=3_000,
            memory_horizons=("5h", "6h", "8h"),
            parallel_replications=2,
            december_replications=2,
            throughput_sets=("horizon=8h",),
            is_quick=True,
            log_messages=2_000,
        )


@contextmanager
def cpu_timer() -> Iterator[list[float]]:
    """Measure the CPU seconds of this process over a block: `with cpu_timer() as t: ...; t[0]`."""
    box = [0.0]
    start = time.process_time()
    try:
        yield box
    finally:
        box[0] = time.process_time() - start


def cpu_time(fn: Callable[[], T]) -> tuple[T, float]:
    """Call fn and return (its result, the CPU seconds it took)."""
    start = time.process_time()
    result = fn()
    return result, time.process_time() - start


def wall_time(fn: Callable[[], T]) -> tuple[T, float]:
    """Call fn and return (its result, the wall-clock seconds it took)."""
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def median(values: Sequence[float]) -> float:
    """The median (of the repetitions of a figure)."""
    return float(statistics.median(values))


def rotated(items: Sequence[T], shift: int) -> list[T]:
    """items rotated left by `shift`: alternates which contender runs first in a repetition."""
    if not items:
        return []
    k = shift % len(items)
    return [*items[k:], *items[:k]]


def python_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a subprocess of this checkout (its root on PYTHONPATH)."""
    env = {**os.environ, **(extra or {})}
    paths = [str(ROOT), *([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    return env


def run_python(
    args: Sequence[str],
    timeout: float = 3600.0,
    *,
    ok: Sequence[int] = (0,),
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run this interpreter with `args` in the checkout (with `env` added to the environment);
    raise with its stderr if it exits with a code not in `ok`."""
    proc = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=python_env(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if proc.returncode not in ok:
        raise RuntimeError(
            f"{' '.join(args)[:200]} exited with {proc.returncode}:\n{proc.stderr[-3000:]}"
        )
    return proc


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (or the platform's guess)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load_average() -> str:
    """The 1, 5 and 15 minute load averages (other users of the machine show here)."""
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


@dataclass
class Machine:
    """Where and when the benchmark ran."""

    nproc: int
    cpu: str
    python: str
    versions: dict[str, str]
    date: str
    load_start: str
    load_end: str = ""
    commit: str = ""
    dirty: bool = False
    commit_end: str = ""
    """The checkout's commit when the run ended (the tree is shared: it may have moved)."""
    extra: dict[str, str] = field(default_factory=dict)
    core: str = ""
    """Which simulation core ran: compiled (mypyc) or the Python sources."""


def core_kind() -> str:
    """'compiled (mypyc)' or why the Python sources ran instead."""
    import sim._compiled as compiled

    if compiled.is_compiled():
        return "compiled (mypyc)"
    if compiled.CORE_FROM_SOURCES:
        return "Python sources (EHRSIM_PURE_PYTHON, or the build is older than the sources)"
    return "Python sources (not compiled at install)"


def head_commit() -> str:
    """The checkout's short commit id ('' outside git)."""
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        return ""


def machine() -> Machine:
    """nproc, CPU model, Python and library versions, the date, the checkout's commit."""
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    commit, dirty = head_commit(), False
    try:
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        dirty = bool(status.strip())
    except OSError:
        pass
    return Machine(
        nproc=nproc or 1,
        cpu=cpu_model(),
        python=platform.python_version(),
        versions={d: _version(d) for d in ("numpy", "simpy", "ciw")},
        date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        load_start=load_average(),
        commit=commit,
        dirty=dirty,
        core=core_kind(),
    )


def december_source() -> tuple[str, tuple[str, ...], str]:
    """(scenario path, sets, note) for the December 2017 replay, or its stand-in.

    The replay's file is being written by a colleague; while it is missing (or does not load),
    the baseline with the replay's 7 h engine stall added by `--set` stands in, and the note
    says so.
    """
    from sim.scenario import ScenarioError, load_scenario

    if DECEMBER.exists():
        try:
            load_scenario(DECEMBER)
        except ScenarioError as err:
            note = (
                f"`scenarios/december-2017.yaml` did not load ({str(err).splitlines()[0]}); "
                "measured the baseline with an `engine-stall` (09:00, 7 h, hold) added by "
                "`--set` instead"
            )
            return str(BASELINE), DECEMBER_STAND_IN_SETS, note
        return str(DECEMBER), (), "`scenarios/december-2017.yaml` as shipped"
    note = (
        "`scenarios/december-2017.yaml` was not there when the benchmark ran; measured "
        "`scenarios/baseline-weekday.yaml` with an `engine-stall` (09:00, 7 h, hold) added by "
        "`--set` instead"
    )
    return str(BASELINE), DECEMBER_STAND_IN_SETS, note


def relative(path: str | Path) -> str:
    """A path relative to the checkout when it is inside it."""
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)
