"""summary.json of one replication, built from a finished World."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from sim.metrics.histogram import Histogram
from sim.metrics.recovery import Recovery, recover
from sim.model.message import CLASSES

if TYPE_CHECKING:
    from sim.model.world import World

FORMAT_VERSION = 1


def _stats(h: Histogram, *keys: str) -> dict[str, Any]:
    out: dict[str, Any] = {"count": h.count, "mean": h.mean}
    for key in keys:
        if key == "max":
            out["max"] = h.max if h.count else None
        else:
            out[key] = h.quantile(int(key[1:]) / 100)
    return out


def recoveries(world: World) -> dict[str, Recovery]:
    """Each destination's recovery after the faults (empty without faults in the horizon)."""
    windows = world.fault_windows()
    if not windows:
        return {}
    first = min(a for a, _ in windows)
    last = max(b for _, b in windows)
    if world.fault_on_at_end():
        last = math.inf  # the horizon ends before the last fault does: never "recovering"
    times = world.samples.time_s
    return {
        sid: recover(times, world.samples.columns[f"queue.{sid}"], world.warmup, first, last)
        for sid in world.channels
    }


def people_recovery(world: World) -> tuple[float | None, str] | None:
    """The people's recovery after the faults: (time or None, why it is None); None without
    faults in the horizon."""
    if not world.fault_windows():
        return None
    return world.people_recovery()


def replication_summary(world: World) -> dict[str, Any]:
    """Every figure of one replication, in summary.json's structure (without hypotheses)."""
    c = world.count
    rec = recoveries(world)
    queues: dict[str, Any] = {}
    for sid, ch in world.channels.items():
        wait = ch.wait()
        r = rec.get(sid)
        queues[sid] = {
            "peak_backlog": ch.peak,
            "peak_at_s": ch.peak_at,
            "oldest_age_s": ch.max_oldest_age,
            "backlog_hours": ch.area / 3600.0,
            "wait_s": {"mean": wait.mean, "p95": wait.quantile(0.95)},
            "recovery_time_s": r.time_s if r else None,
        }
    latency: dict[str, Any] = {}
    o2r: dict[str, Any] = {}
    late = dict.fromkeys(CLASSES, 0)
    decided = dict.fromkeys(CLASSES, 0)
    overall = {name: Histogram() for name in CLASSES}
    for fid, flow in world.flows.items():
        classes = sorted(flow.classes)
        latency[fid] = {
            CLASSES[k]: _stats(flow.latency[k], "p50", "p95", "p99", "max") for k in classes
        }
        if flow.reply is None:
            continue
        o2r[fid] = {}
        for k in classes:
            entry = _stats(flow.o2r[k], "p95")
            entry["late"] = flow.late[k]
            entry["pending"] = flow.pending[k]
            o2r[fid][CLASSES[k]] = entry
            overall[CLASSES[k]].merge(flow.o2r[k])
            if flow.deadline[k] is not None:
                late[CLASSES[k]] += flow.late[k]
                decided[CLASSES[k]] += flow.o2r[k].count + flow.late_open[k]
    late_share = {k: (late[k] / decided[k] if decided[k] else None) for k in CLASSES}
    faults = bool(rec)
    times = [r.time_s for r in rec.values()]
    people = people_recovery(world) if faults else None
    recovered = faults and all(t is not None for t in times)
    return {
        "format_version": FORMAT_VERSION,
        "scenario": world.scenario.name,
        "seed": world.seed,
        "replications": 1,
        "complete": world.complete,
        "messages": {
            "created": c.created,
            "delivered": c.delivered,
            "queued_at_end": world.queued_now(),
            "in_flight_at_end": world.in_flight_now(),
            "dead_lettered": c.dead_lettered,
            "expired": c.expired,
            "shed": c.shed,
            "lost": c.lost,
            "duplicates": c.duplicates,
            "on_paper": c.on_paper,
            "paper_duplicates": world.paper_duplicates,
        },
        "lost_by_flow": {fid: flow.lost for fid, flow in world.flows.items()},
        "staff_hours": world.staff_hours(),
        "queues": queues,
        "latency_s": latency,
        "order_to_result_s": o2r,
        "order_to_result_all_s": {name: _stats(h, "p95") for name, h in overall.items() if h.count},
        "late": late,
        "late_share": late_share,
        "medcom_later_than_24h": sum(f.late_medcom for f in world.flows.values()),
        "peak_backlog": c.peak_outstanding,
        "retry_amplification": c.sends / c.delivered if c.delivered else None,
        "goodput_share": c.delivered / c.sends if c.sends else None,
        "order_violations": sum(ch.order_violations for ch in world.channels.values()),
        "recovery_time_s": max(t for t in times if t is not None) if recovered else None,
        "people_recovery_time_s": people[0] if people is not None else None,
        "recovered_share": (1.0 if recovered else 0.0) if faults else None,
        "time_to_detect_s": world.time_to_detect() if faults else None,
    }
