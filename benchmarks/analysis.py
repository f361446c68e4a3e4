"""What RESULTS.md says under a missed target: the figures of this run that explain the miss.

Each note is built from the run's own measurements (its profiles, memory points, CPU times),
so it stays true when the figures change.
"""

from __future__ import annotations

from collections.abc import Callable

from benchmarks.profiling import Profile
from benchmarks.report import Results


def _top(p: Profile, k: int = 5) -> str:
    total = p.total_s or 1.0
    return "; ".join(f"`{e.function}` {e.tottime / total:.0%}" for e in p.top[:k])


def _mm3_note(r: Results) -> list[str]:
    p = r.profiles[0]
    top_share = p.top[0].tottime / p.total_s if p.total_s else 0.0
    first = p.top[0].function
    return [
        f"The profile of the M/M/3 world has no single hot spot: the largest own time is "
        f"{top_share:.0%} (`{first}`, the event loop itself), and the cost is spread over "
        f"{p.calls_per_message:.0f} Python function calls and {p.events_per_message:.2f} heap "
        "events per message (arrival, transform done, ACK) against 2 events and no function "
        "calls of its own per customer in the bare loop. Largest own times: "
        f"{_top(p)}. What is in the way is the per-message path itself (create -> accept -> "
        "transform -> lane push -> send -> outcome -> delivered -> release -> dispatch), each "
        "step a Python call with its attribute look-ups; see the suggestions in the report "
        "to the lead (scheduling without a `Wakeup` object per event, a fast path for the "
        "transform station when it is a pure delay, fewer checks in `_transmit`).",
    ]


def _december_note(r: Results) -> list[str]:
    _, dec = r.throughput
    o = r.overheads
    par = r.parallel
    per_rep = dec.cpu_s / dec.replications
    floor = par.december_replications * per_rep / 2.0 + o.import_s + o.load_s
    return [
        f"It is CPU-bound: one replication of the replay takes {per_rep:.2f} CPU-s "
        f"({dec.rate:,.0f} messages per CPU-s), so {par.december_replications} replications "
        f"on 2 perfectly used cores need at least {floor:.1f} s with imports "
        f"({o.import_s:.2f} s) and loading ({o.load_s:.2f} s), before forking and pickling. "
        f"Meeting 10 s needs about {floor / 10.0:.1f}x fewer CPU-seconds per message, more than "
        "any local change the profile points at. The December profile's largest own times: "
        f"{_top(r.profiles[1], 6)}.",
    ]


def _memory_note(r: Results) -> list[str]:
    m = r.memory
    first, last = m.points[0], m.points[-1]
    grown = last.run_mib - first.run_mib
    samples = last.samples_mib - first.samples_mib
    return [
        f"The run's own memory grew by {grown:.1f} MiB from {first.horizon} to {last.horizon}. "
        f"The backlog samples (`World.samples`, a list of Python floats per column, "
        f"{_n(last.samples)} values at {last.horizon}) account for {samples:.1f} MiB of it "
        "(they grow with the horizon by design: they are timeseries.csv). The rest is state "
        "that fills up over days and then stays level: results scheduled hours to days ahead "
        "on the event heap with their orders, orders awaiting their first result, and the "
        "per-patient `_last_filed` numbers of every channel; and pymalloc keeps the arenas of "
        "a peak, so `maxrss` never goes down.",
    ]


def _n(x: float) -> str:
    return f"{x:,.0f}"


def _parallel_note(r: Results) -> list[str]:
    p = r.parallel
    m = r.machine
    return [
        f"In CPU time the second worker costs little: CPU(1) / CPU(2) = {p.cpu_efficiency:.2f} "
        "(forking, pickling the replications' results back). The wall-clock loss beyond that "
        "is the machine's: it has "
        f"{m.nproc} cores and was shared (load average {m.load_start} at the start, "
        f"{m.load_end} at the end), so two workers rarely had both cores to themselves.",
    ]


def _backlog_note(r: Results) -> list[str]:
    b = r.backlog
    return [
        f"Draining: {b.med('drain_rate'):,.0f} messages per CPU-s against "
        f"{b.med('calm_rate'):,.0f} without the stall; deliveries alone "
        f"{b.med('drain_deliveries_rate'):,.0f} against {b.med('calm_deliveries_rate'):,.0f}.",
    ]


NOTES: dict[str, Callable[[Results], list[str]]] = {
    "M/M/3": _mm3_note,
    "December": _december_note,
    "Peak memory": _memory_note,
    "Parallel": _parallel_note,
    "Backlog": _backlog_note,
}
"""Explanations by the prefix of the target's name."""
