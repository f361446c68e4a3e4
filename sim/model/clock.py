"""Scheduling a callback on SimPy's event heap at the lowest cost.

SimPy stays the clock and the event heap (its processes still drive the sampler, faults and
people), but the hot path needs no event object per message: a callback is a plain heap entry,
and the world steps the heap itself (`Clock.run_until`), so SimPy's own `env.run` must not be
used on a world.  This relies on SimPy 4's `_queue`/`_eid`/`_now`; the pinned version and the
tests hold that contract.

A heap's operations cost its depth in comparisons, and most of a hospital's callbacks are
results due hours ahead (a backlog after a stall can leave 20,000 of them waiting).  So a
callback due beyond the current window waits in a bucket per window, a list appended to in
O(1), and joins the heap when the clock reaches its window.  Entries keep their (time,
priority, id) keys, so the order events are taken in is exactly the heap's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from heapq import heapify, heappop, heappush
from typing import Any, Final

import simpy
from mypy_extensions import mypyc_attr

NORMAL: Final = 1
"""SimPy's priority for ordinary events (URGENT is 0)."""


@mypyc_attr(native_class=False)
class ClockWentBack(RuntimeError):
    """An event was scheduled in the past: simulated time would run backwards."""


WINDOW: Final = 60.0
"""Seconds of simulated time per bucket of far callbacks (a whole number, so that a window's
start, index * WINDOW, is exact)."""


class Clock:
    """A world's simulated time: SimPy's heap plus buckets of callbacks due in later windows.

    `now` is the simulated time as a plain attribute (kept equal to SimPy's `env.now`), since
    the hot path reads it for every message.
    """

    def __init__(self, env: simpy.Environment) -> None:
        sim: Any = env
        self.env = env
        self.now: float = sim._now
        self._queue: list[Any] = sim._queue
        self._eid: Iterator[int] = sim._eid
        self._buckets: dict[int, list[Any]] = {}
        self._next = int(self.now // WINDOW) + 1
        """Index of the first window whose callbacks are not yet on the heap."""

    def call_in(self, delay: float, fn: Callable[[Any], None], value: Any) -> int:
        """Call fn(value) after `delay` simulated seconds; return the entry's id (a token).

        The entry is (time, priority, id, fn, value): five fields where SimPy's events have
        four, so `run_until` tells them apart, and the id (unique) settles every tie before a
        comparison could reach fn.
        """
        eid = next(self._eid)
        at = self.now + delay
        window = int(at // WINDOW)
        if window < self._next:
            heappush(self._queue, (at, NORMAL, eid, fn, value))
        else:
            bucket = self._buckets.get(window)
            if bucket is None:
                self._buckets[window] = [(at, NORMAL, eid, fn, value)]
            else:
                bucket.append((at, NORMAL, eid, fn, value))
        return eid

    def pending(self) -> int:
        """Events and callbacks scheduled and not yet taken (heap and buckets)."""
        return len(self._queue) + sum(len(b) for b in self._buckets.values())

    def _advance(self, until: float) -> bool:
        """Move the next window's bucket onto the heap if that window starts before `until`."""
        start = self._next * WINDOW
        if start >= until or not self._buckets:
            return False
        self._next += 1
        bucket = self._buckets.pop(self._next - 1, None)
        if bucket is not None:
            queue = self._queue
            if len(bucket) > len(queue):
                queue.extend(bucket)
                heapify(queue)
            else:
                for entry in bucket:
                    heappush(queue, entry)
        return True

    def run_until(self, until: float) -> None:
        """Process every event scheduled before `until`, then set the clock to `until`.

        The same semantics as `env.run(until=...)` (events at exactly `until` are left for
        later; a failed event that nobody defused raises), without its per-event overhead.
        """
        sim: Any = self.env
        queue = self._queue
        while True:
            if (not queue or queue[0][0] >= self._next * WINDOW) and self._advance(until):
                continue
            if not queue or queue[0][0] >= until:
                break
            entry: tuple[Any, ...] = heappop(queue)
            now: float = entry[0]
            if now < self.now:
                raise ClockWentBack(f"an event at {now:.6f} s came after {self.now:.6f} s")
            self.now = now
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
        if until > self.now:
            self.now = until
            sim._now = until
