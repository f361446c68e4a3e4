"""Simulated time at the lowest cost per event.

SimPy stays the driver of the long-lived processes (the sampler, faults, people), and its
events stay on its own heap.  The hot path needs no event object per message: a callback is
a small entry on the clock's own heap, compared natively by (time, id), and the clock steps
both heaps in one timeline (`Clock.run_until`), in exactly the order one heap of SimPy's
(time, priority, id) keys would give, since both draw their ids from SimPy's counter.  So
SimPy's own `env.run` must not be used on a world.  This relies on SimPy 4's
`_queue`/`_eid`/`_now`; the pinned version and the tests hold that contract.

A heap's operations cost its depth in comparisons, and most of a hospital's callbacks are
results due hours ahead (a backlog after a stall can leave 20,000 of them waiting).  So a
callback due beyond the current window waits in a bucket per window, a list appended to in
O(1), and joins the heap when the clock reaches its window.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from heapq import heappop
from typing import Any, Final

import simpy
from mypy_extensions import mypyc_attr

NORMAL: Final = 1
"""SimPy's priority for ordinary events (URGENT is 0)."""


@mypyc_attr(native_class=False)
class ClockWentBack(RuntimeError):
    """An event was scheduled in the past: simulated time would run backwards."""


WINDOW: Final = 60.0
"""Seconds of simulated time per bucket of far callbacks."""
_PER_WINDOW: Final = 1.0 / WINDOW
_LAST: Final = 2.0**62
_LAST_INDEX: Final = 2**62
"""The window of every time beyond 2**62 windows, infinity included."""


def _window(at: float) -> int:
    """The index of the window a time falls in.  Every decision about buckets goes through
    this one function, and it never decreases as `at` grows; that is all the order needs."""
    index = at * _PER_WINDOW
    return int(index) if index < _LAST else _LAST_INDEX


class Call:
    """A callback due at `at`: fn(value).  `eid` (from SimPy's counter) settles ties."""

    __slots__ = ("at", "eid", "fn", "value")

    def __init__(self, at: float, eid: int, fn: Callable[[Any], None], value: Any) -> None:
        self.at = at
        self.eid = eid
        self.fn = fn
        self.value = value


def _before(a: Call, b: Call) -> bool:
    return a.at < b.at or (a.at == b.at and a.eid < b.eid)


def _push(heap: list[Call], item: Call) -> None:
    heap.append(item)
    pos = len(heap) - 1
    while pos > 0:
        parent = (pos - 1) >> 1
        above = heap[parent]
        if not _before(item, above):
            break
        heap[pos] = above
        pos = parent
    heap[pos] = item


def _pop(heap: list[Call]) -> Call:
    last = heap.pop()
    if not heap:
        return last
    top = heap[0]
    n = len(heap)
    pos = 0
    child = 1
    while child < n:
        right = child + 1
        if right < n and _before(heap[right], heap[child]):
            child = right
        below = heap[child]
        if not _before(below, last):
            break
        heap[pos] = below
        pos = child
        child = 2 * pos + 1
    heap[pos] = last
    return top


class Clock:
    """A world's simulated time: SimPy's heap, the callbacks' heap, and buckets of callbacks
    due in later windows.

    `now` is the simulated time as a plain attribute (kept equal to SimPy's `env.now`), since
    the hot path reads it for every message.
    """

    def __init__(self, env: simpy.Environment) -> None:
        sim: Any = env
        self.env = env
        self.now: float = sim._now
        self._events: list[Any] = sim._queue
        """SimPy's heap of (time, priority, id, event)."""
        self._eid: Iterator[int] = sim._eid
        self._calls: list[Call] = []
        self._buckets: dict[int, list[Call]] = {}
        self._next = _window(self.now) + 1
        """Index of the first window whose callbacks are not yet on the heap."""

    def call_in(self, delay: float, fn: Callable[[Any], None], value: Any) -> int:
        """Call fn(value) after `delay` simulated seconds; return the call's id (a token)."""
        eid: int = next(self._eid)
        call = Call(self.now + delay, eid, fn, value)
        window = _window(call.at)
        if window < self._next:
            _push(self._calls, call)
        else:
            bucket = self._buckets.get(window)
            if bucket is None:
                self._buckets[window] = [call]
            else:
                bucket.append(call)
        return eid

    def pending(self) -> int:
        """Events and callbacks scheduled and not yet taken."""
        return len(self._events) + len(self._calls) + self.waiting_in_buckets()

    def waiting_in_buckets(self) -> int:
        """Callbacks not yet on the heap (due in a later window)."""
        return sum(len(b) for b in self._buckets.values())

    def _advance(self, until: float) -> bool:
        """Move the next window's bucket onto the heap if it may hold a time before `until`."""
        if self._next > _window(until) or not self._buckets:
            return False
        self._next += 1
        bucket = self._buckets.pop(self._next - 1, None)
        if bucket is not None:
            calls = self._calls
            for call in bucket:
                _push(calls, call)
        return True

    def run_until(self, until: float) -> None:
        """Process every event scheduled before `until`, then set the clock to `until`.

        The same semantics as `env.run(until=...)` (events at exactly `until` are left for
        later; a failed event that nobody defused raises), without its per-event overhead.
        """
        sim: Any = self.env
        calls = self._calls
        events = self._events
        while True:
            if (not calls or _window(calls[0].at) >= self._next) and self._advance(until):
                continue
            if calls:
                call = calls[0]
                mine = True
                if events:
                    head = events[0]
                    t: float = head[0]
                    if t < call.at or (t == call.at and (head[1], head[2]) < (NORMAL, call.eid)):
                        mine = False
            elif events:
                mine = False
            else:
                break
            now: float = calls[0].at if mine else events[0][0]
            if now >= until:
                break
            if now < self.now:
                raise ClockWentBack(f"an event at {now:.6f} s came after {self.now:.6f} s")
            self.now = now
            sim._now = now
            if mine:
                call = _pop(calls)
                call.fn(call.value)
                continue
            ev = heappop(events)[3]  # a SimPy event (processes: the sampler, faults, people)
            callbacks, ev.callbacks = ev.callbacks, None
            for callback in callbacks:
                callback(ev)
            if not ev._ok and not hasattr(ev, "_defused"):
                raise ev._value
        if until > self.now:
            self.now = until
            sim._now = until
