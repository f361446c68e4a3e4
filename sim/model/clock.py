"""Scheduling a callback on SimPy's event heap at the lowest cost.

SimPy stays the clock and the event heap (its processes still drive the sampler, faults and
people), but the hot path needs no full `Timeout` per message: an event here is the smallest
object SimPy's `Environment.step` can process (a callbacks list and an `_ok` flag), pushed
straight onto the environment's heap.  This relies on SimPy 4's `_queue`/`_eid`/`_now`;
`tests/model/test_clock.py` pins that contract.
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappop, heappush
from typing import Any

import simpy

NORMAL = 1
"""SimPy's priority for ordinary events (URGENT is 0)."""


class Wakeup:
    """A scheduled callback: what SimPy's step() needs of an event, and nothing else."""

    __slots__ = ("_ok", "_value", "callbacks")

    def __init__(self, value: Any, fn: Callable[[Any], None]) -> None:
        self._ok = True
        self._value = value
        self.callbacks: list[Callable[[Any], None]] | None = [fn]


def call_in(env: simpy.Environment, delay: float, fn: Callable[[Any], None], value: Any) -> Wakeup:
    """Call fn(event) after `delay` simulated seconds; `event._value` is `value`."""
    ev = Wakeup(value, fn)
    sim: Any = env
    heappush(sim._queue, (sim._now + delay, NORMAL, next(sim._eid), ev))
    return ev


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
        now, _, _, ev = pop(queue)
        if now < sim._now:
            raise ClockWentBack(f"an event at {now:.6f} s came after {sim._now:.6f} s")
        sim._now = now
        callbacks, ev.callbacks = ev.callbacks, None
        for callback in callbacks:
            callback(ev)
        if not ev._ok and not hasattr(ev, "_defused"):
            raise ev._value
    if until > sim._now:
        sim._now = until
