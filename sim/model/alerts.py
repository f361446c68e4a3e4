"""Alerts: a queue's depth or its oldest message's age past a threshold, read at each sample."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.model.channel import Channel
    from sim.scenario.schema import Alert

Fire = Callable[[str, str, float], None]
"""(queue, what crossed which threshold, now) -> None."""


class Alerts:
    """Fires an alert at the first sample past its threshold, once per episode.

    An episode ends when the queue is back under the threshold; it may fire again later.
    """

    def __init__(self, specs: Sequence[Alert], channels: dict[str, Channel], fire: Fire):
        self.specs = list(specs)
        self.fire = fire
        self._active: set[tuple[int, str]] = set()
        self._queues: dict[str, int] = {}
        """Per queue, how many of its alerts are active."""
        self.first: float | None = None
        """When the first alert fired."""
        # (spec index, queue, its channel, depth limit or -1, age limit): read at every sample
        self._watches: list[tuple[int, str, Channel, float, float]] = []
        for i, spec in enumerate(self.specs):
            names = list(channels) if spec.queue == "any" else [spec.queue]
            for sid in names:
                ch = channels.get(sid)
                if ch is None:
                    continue
                if spec.depth_above is not None:
                    self._watches.append((i, sid, ch, float(spec.depth_above), -1.0))
                else:
                    assert spec.oldest_older_than is not None
                    self._watches.append((i, sid, ch, -1.0, float(spec.oldest_older_than)))

    def check(self, now: float) -> None:
        """Compare every watched queue with its thresholds now."""
        for i, sid, ch, depth, age in self._watches:
            if depth >= 0.0:
                value, limit = float(ch.backlog), depth
            else:
                value, limit = ch.oldest_age(now), age
            key = (i, sid)
            if value > limit:
                if key not in self._active:
                    self._active.add(key)
                    self._queues[sid] = self._queues.get(sid, 0) + 1
                    if self.first is None:
                        self.first = now
                    self.fire(sid, _describe(self.specs[i], value, limit), now)
            elif key in self._active:
                self._active.discard(key)
                self._queues[sid] -= 1

    def alerting(self, queue: str) -> bool:
        """Whether an alert on `queue` is active (past its threshold at the last sample)."""
        return self._queues.get(queue, 0) > 0


def _describe(spec: Alert, value: float, limit: float) -> str:
    """What crossed which threshold, for events.csv (built only when an alert fires)."""
    if spec.depth_above is not None:
        return f"depth {value:g} > {limit:g}"
    return f"oldest message {value / 60:.1f} min > {limit / 60:g} min"
