"""A cProfile of the M/M/3 world (and of one December replication): where the time goes.

Profiled once, before any timing, on a shorter run than the timed ones.  cProfile's own cost
per call inflates every figure several times over, so what matters is the split between
functions and the calls per message, not the totals.  cProfile cannot see inside the compiled
core, so the profile runs the same code from its Python sources (EHRSIM_PURE_PYTHON=1), in a
subprocess: `python -m benchmarks.profiling HORIZON_S WARMUP_S SETS_JSON` prints it as JSON.
"""

from __future__ import annotations

import cProfile
import json
import pstats
import sys
from dataclasses import asdict, dataclass

from benchmarks.common import MM3, ROOT, Sizes, december_source, relative, run_python


@dataclass(frozen=True)
class Entry:
    """One function's line of the profile."""

    function: str
    ncalls: int
    tottime: float
    cumtime: float


@dataclass(frozen=True)
class Profile:
    """The top functions by own time, and the run's calls and events per message."""

    label: str
    scenario: str
    messages: int
    total_calls: int
    total_s: float
    events: int
    top: list[Entry]

    @property
    def calls_per_message(self) -> float:
        """Python function calls per message created."""
        return self.total_calls / self.messages if self.messages else 0.0

    @property
    def events_per_message(self) -> float:
        """Events taken off the heap per message created."""
        return self.events / self.messages if self.messages else 0.0


def _name(key: tuple[str, int, str]) -> str:
    filename, line, func = key
    if filename == "~":
        return func
    root = str(ROOT) + "/"
    if filename.startswith(root):
        filename = filename[len(root) :]
    elif "site-packages/" in filename:
        filename = filename.split("site-packages/", 1)[1]
    return f"{filename}:{line}({func})"


def profile_world(label: str, path: str, sets: list[str], top: int = 15) -> Profile:
    """Profile one replication (construction to summary) of a scenario."""
    from sim import load_scenario
    from sim.experiments.run import replicate

    scenario = load_scenario(path, sets=sets)
    profiler = cProfile.Profile()
    profiler.enable()
    rep = replicate(scenario, 0)
    profiler.disable()
    stats = pstats.Stats(profiler)
    raw = stats.stats  # type: ignore[attr-defined]
    rows = sorted(raw.items(), key=lambda kv: kv[1][2], reverse=True)
    entries = [Entry(_name(k), int(v[1]), float(v[2]), float(v[3])) for k, v in rows[:top]]
    # SimPy's events leave its heap by heappop; the callbacks leave the clock's own by _pop
    taken = ("<built-in method _heapq.heappop>", "_pop")
    pops = sum(int(v[1]) for k, v in raw.items() if k[2] in taken)
    return Profile(
        label=label,
        scenario=relative(path),
        messages=int(rep.summary["messages"]["created"]),
        total_calls=int(stats.total_calls),  # type: ignore[attr-defined]
        total_s=float(stats.total_tt),  # type: ignore[attr-defined]
        events=pops,
        top=entries,
    )


def _both(horizon_s: float, warmup_s: float, sets: list[str]) -> tuple[Profile, Profile]:
    mm3 = profile_world("M/M/3 channel", str(MM3), [f"horizon={horizon_s}s", f"warmup={warmup_s}s"])
    path, december_sets, _note = december_source()
    december = profile_world("December 2017 replay", path, [*december_sets, *sets], top=20)
    return mm3, december


def _profile(data: dict[str, object]) -> Profile:
    top = [Entry(**e) for e in data.pop("top")]  # type: ignore[attr-defined]
    return Profile(**data, top=top)  # type: ignore[arg-type]


def measure(sizes: Sizes) -> tuple[Profile, Profile]:
    """Profile the M/M/3 world, then one replication of the December replay (Python sources)."""
    warmup = min(3600.0, sizes.mm3_warmup_s)
    sets = json.dumps(list(sizes.throughput_sets))
    args = ["-m", "benchmarks.profiling", str(sizes.profile_horizon_s), str(warmup), sets]
    out = run_python(args, env={"EHRSIM_PURE_PYTHON": "1"}).stdout
    mm3, december = json.loads(out)
    return _profile(mm3), _profile(december)


if __name__ == "__main__":
    horizon, warmup, given = float(sys.argv[1]), float(sys.argv[2]), json.loads(sys.argv[3])
    print(json.dumps([asdict(p) for p in _both(horizon, warmup, given)]))
