"""Scheduling a callback on SimPy's event heap at the lowest cost.

SimPy stays the clock and the event heap (its processes still drive the sampler, faults and
people), but the hot path needs no event object per message: a callback is a plain heap entry,
and the world steps the heap itself (`run_until`), so SimPy's own `env.run` must not be used
on a world.  This relies on SimPy 4's `_queue`/`_eid`/`_now`; the pinned version and the tests
hold that contract.
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappop, heappush
from typing import Any

import simpy

NORMAL = 1
"""SimPy's priority for ordinary events (URGENT is 0)."""


def call_in(env: simpy.Environment, delay: float, fn: Callable[[Any], None], value: Any) -> int:
    """Call fn(value) after `delay` simulated seconds; return the entry's id (a token).

    The heap entry is (time, priority, id, fn, value): five fields where SimPy's events have
    four, so `run_until` tells them apart, and the id (unique) settles every tie before a
    comparison could reach fn.
    """
    sim: Any = env
    eid: int = next(sim._eid)
    heappush(sim._queue, (sim._now + delay, NORMAL, eid, fn, value))
    return eid


class ClockWentBack(RuntimeError):
    """An event was scheduled in the past: simulated time would run backwards."""


def run_until(env: simpy.Environment, until: float) -> None:
    """Process every event scheduled before `until`, then set the clock to `until`.

    The same semantics as `env.run(until=...)` (events at exactly `until` are left for
    later; a failed event that nobody defused raises), without its per-event overhead.
    """
    sim: Any = env
    queue = sim._queue
    pop = heappop
    while queue and queue[0][0] < until:
        entry = pop(queue)
        now = entry[0]
        if now < sim._now:
            raise ClockWentBack(f"an event at {now:.6f} s came after {sim._now:.6f} s")
        sim._now = now
        if len(entry) == 5:  # a callback of ours
            entry[3](entry[4])
            continue
        ev = entry[3]  # a SimPy event (processes: the sampler, faults, people)
        callbacks, ev.callbacks = ev.callbacks, None
        for callback in callbacks:
            callback(ev)
        if not ev._ok and not hasattr(ev, "_defused"):
            raise ev._value
    if until > sim._now:
        sim._now = until
