"""A cProfile of the M/M/3 world (and of one December replication): where the time goes.

Profiled once, before any timing, on a shorter run than the timed ones.  cProfile's own cost
per call inflates every figure several times over, so what matters is the split between
functions and the calls per message, not the totals.
"""

from __future__ import annotations

import cProfile
import pstats
from dataclasses import dataclass

from benchmarks.common import MM3, ROOT, Sizes, december_source, relative


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
    pops = sum(int(v[1]) for k, v in raw.items() if k[2] == "<built-in method _heapq.heappop>")
    return Profile(
        label=label,
        scenario=relative(path),
        messages=int(rep.summary["messages"]["created"]),
        total_calls=int(stats.total_calls),  # type: ignore[attr-defined]
        total_s=float(stats.total_tt),  # type: ignore[attr-defined]
        events=pops,
        top=entries,
    )


def measure(sizes: Sizes) -> tuple[Profile, Profile]:
    """Profile the M/M/3 world, then one replication of the December replay."""
    mm3 = profile_world(
        "M/M/3 channel",
        str(MM3),
        [f"horizon={sizes.profile_horizon_s}s", f"warmup={min(3600.0, sizes.mm3_warmup_s)}s"],
    )
    path, sets, _note = december_source()
    december = profile_world("December 2017 replay", path, [*sets, *sizes.throughput_sets], top=20)
    return mm3, december
