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
        f"{top_share:.0%} (`{first}`), and the cost is spread over "
        f"{p.calls_per_message:.0f} Python function calls and {p.events_per_message:.2f} heap "
        "events per message (arrival, transform done, ACK) against 2 events and no function "
        "calls of its own per customer in the bare loop. Largest own times: "
        f"{_top(p)}. What is in the way is the per-message path itself (create -> accept -> "
        "transform -> lane push -> send -> outcome -> delivered -> release -> dispatch), each "
        "step a Python call with its attribute look-ups, and a third event per message for "
        "the transform station, which the loop does not have.",
    ]


def _december_note(r: Results) -> list[str]:
    dec = r.throughput[1]
    o = r.overheads
    par = r.parallel
    per_rep = dec.cpu_s / dec.replications
    floor = par.december_replications * per_rep / 2.0 + o.import_s + o.load_s
    cpu = (
        f"one replication of the replay took {per_rep:.2f} CPU-s in the throughput runs "
        f"({dec.rate:,.0f} messages per CPU-s), so {par.december_replications} replications "
        f"on 2 fully used cores take about {floor:.1f} s with imports ({o.import_s:.2f} s) and "
        f"loading ({o.load_s:.2f} s), before forking, pickling and (through the CLI) writing "
        "the results folder."
    )
    if floor < 10.0:
        m = r.machine
        return [
            f"Not for want of CPU: {cpu} Beyond that, the two workers waited for the "
            f"machine's {m.nproc} cores, which other users had a share of (load average "
            f"{m.load_start} at the start, {m.load_end} at the end; see Parallel replications).",
        ]
    return [
        f"It is CPU-bound: {cpu} Meeting 10 s needs about {floor / 10.0:.1f}x fewer "
        "CPU-seconds per message, more than any local change the profile points at. The "
        f"December profile's largest own times: {_top(r.profiles[1], 6)}.",
    ]


def _memory_note(r: Results) -> list[str]:
    m = r.memory
    first, last = m.points[0], m.points[-1]
    grown = last.run_mib - first.run_mib
    samples = last.samples_mib - first.samples_mib
    return [
        f"The run's own memory grew by {grown:.1f} MiB from {first.horizon} to {last.horizon}. "
        f"The backlog samples (`World.samples`, an array per column: 8 bytes a time and 1 to "
        f"8 bytes a value; {_n(last.samples)} values at {last.horizon}) account for "
        f"{samples:.1f} MiB of it (they grow with the horizon by design: they are "
        "timeseries.csv). The rest is state that fills up over days and then stays level: "
        "the latency histograms' buckets and buffers (up to 4,096 doubles each between "
        "flushes), results scheduled hours to days ahead on the event heap with their orders, "
        "orders awaiting their first result, and the per-patient `_last_filed` numbers of "
        "every channel; and pymalloc keeps the arenas of a peak, so `maxrss` never goes down.",
    ]


def _n(x: float) -> str:
    return f"{x:,.0f}"


def _parallel_note(r: Results) -> list[str]:
    p = r.parallel
    m = r.machine
    extra = 1.0 / p.cpu_efficiency - 1.0 if p.cpu_efficiency > 0 else 0.0
    lines = [
        f"Two workers spent {extra:.0%} more CPU-seconds on the same replications than one "
        f"(CPU(1) / CPU(2) = {p.cpu_efficiency:.2f}). Sending results back is not it: "
        f"pickling one replication's result and back takes {p.pickle_ms:.1f} ms "
        f"({p.result_kib:,.0f} KiB). What remains is starting the pool (forking two "
        "workers, a fixed cost that shows in short runs) and two busy processes sharing the "
        "machine's L3 cache and memory bandwidth (on a VM the two vCPUs may also share a "
        "physical core), which makes the same simulation take more CPU time."
    ]
    if p.efficiency < p.cpu_efficiency - 0.03:
        lines[0] += (
            " The wall-clock loss beyond that is the machine's other users: it has "
            f"{m.nproc} cores and was shared (load average {m.load_start} at the start, "
            f"{m.load_end} at the end), so the two workers did not always have both cores."
        )
    return lines


def _backlog_note(r: Results) -> list[str]:
    figures = "; ".join(
        f"`order: {b.order}`, draining: {b.med('drain_rate'):,.0f} messages per CPU-s "
        f"against {b.med('calm_rate'):,.0f} without the stall, deliveries alone "
        f"{b.med('drain_deliveries_rate'):,.0f} against {b.med('calm_deliveries_rate'):,.0f}"
        for b in r.backlog
    )
    return [
        f"{figures}. A backlog changes no step of a message's path; what it adds is memory: "
        "its waiting messages, and whatever a step reaches on their behalf (the per-patient "
        "lines of `sim/model/gate.py` were one), are out of the caches when they are reached. "
        "Look for a step that touches an object other than the message in hand: `perf record` "
        "on the drain window shows it as the increment of that object's reference count.",
    ]


NOTES: dict[str, Callable[[Results], list[str]]] = {
    "M/M/3": _mm3_note,
    "December": _december_note,
    "Peak memory": _memory_note,
    "Parallel": _parallel_note,
    "Backlog": _backlog_note,
}
"""Explanations by the prefix of the target's name."""
