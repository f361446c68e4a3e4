"""Retry policy: how long a failed send waits before the next, and when to give up.

Backoff kinds and jitter kinds are registered by their YAML names (`retry.backoff`,
`retry.jitter`), so a new one is one small function.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.model.message import Message
    from sim.rng import Sampler
    from sim.scenario.schema import Retry

Backoff = Callable[[int, float, float], float]
"""(failed sends so far, first wait s, cap s) -> wait before the next send, in seconds."""
Jitter = Callable[[float, float, float, float, "Sampler"], float]
"""(wait s, previous wait s, first s, cap s, uniform sampler) -> the jittered wait."""

BACKOFFS: dict[str, Backoff] = {
    "immediate": lambda n, first, cap: 0.0,
    "fixed": lambda n, first, cap: first,
    "exponential": lambda n, first, cap: min(cap, first * 2.0 ** min(n - 1, 60)),
}
JITTERS: dict[str, Jitter] = {
    "none": lambda d, prev, first, cap, u: d,
    "full": lambda d, prev, first, cap, u: d * u(),
    "equal": lambda d, prev, first, cap, u: d / 2 + d / 2 * u(),
    # AWS's "decorrelated jitter": the next wait is drawn between `first` and 3x the previous.
    "decorrelated": lambda d, prev, first, cap, u: min(
        cap, first + (max(prev, first) * 3 - first) * u()
    ),
}


class RetryPolicy:
    """The `strategy.retry` settings bound to a random stream for jitter."""

    __slots__ = ("_backoff", "_jitter", "attempts", "cap", "first", "then", "uniform")

    def __init__(self, spec: Retry, uniform: Sampler) -> None:
        self._backoff = BACKOFFS[spec.backoff]
        self._jitter = JITTERS[spec.jitter]
        self.first = spec.first
        self.cap = spec.cap
        self.attempts = spec.attempts
        self.then = spec.then
        self.uniform = uniform

    def exhausted(self, msg: Message) -> bool:
        """Whether the message has used up its sends."""
        return self.attempts is not None and msg.tries >= self.attempts

    def delay(self, msg: Message) -> float:
        """The wait in seconds before the next send of a message whose last send failed."""
        d = self._backoff(msg.tries, self.first, self.cap)
        prev = msg.extra if isinstance(msg.extra, float) else self.first
        d = self._jitter(d, prev, self.first, self.cap, self.uniform)
        msg.extra = d
        return d
