"""Channel policies: strategy keys that act on each destination's sends.

A policy is a small class registered by its `strategy` key (`breaker`, `drain`, ...).  The
channel calls three hooks, and only when the scenario has a policy: `admit` (the earliest time
a send may start), `succeeded` and `failed` (each send's outcome).  Adding a policy means one
class here, nothing in the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from mypy_extensions import mypyc_attr
from simpy.events import Timeout

from sim.registry import Registry

if TYPE_CHECKING:
    import simpy

    from sim.model.channel import Channel

Note = Callable[[float, str, str, str], None]
"""(time, kind, target, detail) -> None: writes an events.csv row."""

POLICIES: Registry[type[ChannelPolicy]] = Registry("channel policy", "key")
"""Every channel policy by its YAML name."""


register_policy = POLICIES.register


@mypyc_attr(allow_interpreted_subclasses=True)
class ChannelPolicy:
    """Hooks on one channel's sends; the defaults do nothing."""

    key: ClassVar[str] = ""

    def __init__(self, spec: Any, channel: Channel, env: simpy.Environment, note: Note) -> None:
        self.spec = spec
        self.channel = channel
        self.env = env
        self.note = note

    def admit(self, now: float) -> float:
        """The earliest time the next send may start (now: at once)."""
        return now

    def succeeded(self, now: float) -> None:
        """A send was ACKed."""

    def failed(self, now: float) -> None:
        """A send failed (negative ACK or timeout)."""


class Drain(ChannelPolicy):
    """A token bucket of one token on the channel's sends: at most `rate` sends per second.

    After an outage it keeps a recovering system from being flooded by the backlog (the
    rate limiter of Resilience4j, Mirth's queue throttling).
    """

    def __init__(self, spec: Any, channel: Channel, env: simpy.Environment, note: Note) -> None:
        super().__init__(spec, channel, env, note)
        self.gap = 1.0 / float(spec.rate)
        self.next_at = 0.0

    def admit(self, now: float) -> float:
        at = self.next_at if self.next_at > now else now
        self.next_at = at + self.gap
        return at


POLICIES.add("drain", Drain)


class Breaker(ChannelPolicy):
    """A circuit breaker per destination: closed, open, half-open.

    After `after` consecutive failures it opens: nothing is sent for `open` seconds (messages
    wait in the queue instead of timing out against a dead system).  Then one probe goes; its
    success closes the breaker, its failure opens it again.
    """

    def __init__(self, spec: Any, channel: Channel, env: simpy.Environment, note: Note) -> None:
        super().__init__(spec, channel, env, note)
        self.after = int(spec.after)
        self.open_s = float(spec.open)
        self.state = "closed"
        self.failures = 0
        self.probing = False

    def admit(self, now: float) -> float:
        if self.state == "half-open" and not self.probing:
            self.probing = True  # this send is the probe; hold the others back meanwhile
            self.channel.blocked += 1
        return now

    def succeeded(self, now: float) -> None:
        self.failures = 0
        if self.state == "half-open" and self.probing:
            self.probing = False
            self.state = "closed"
            self.note(now, "breaker-closed", self.channel.id, "")
            self.channel.unblock()

    def failed(self, now: float) -> None:
        if self.state == "half-open":
            if self.probing:
                self.probing = False
                self._open(now, reblock=False)
            return
        if self.state == "open":
            return
        self.failures += 1
        if self.failures >= self.after:
            self._open(now, reblock=True)

    def _open(self, now: float, reblock: bool) -> None:
        self.state = "open"
        self.failures = 0
        if reblock:
            self.channel.blocked += 1
        self.note(now, "breaker-open", self.channel.id, f"for {self.open_s:g} s")
        Timeout(self.env, self.open_s).callbacks.append(self._half_open)

    def _half_open(self, _ev: Timeout) -> None:
        self.state = "half-open"
        self.note(self.env.now, "breaker-half-open", self.channel.id, "")
        self.channel.unblock()


POLICIES.add("breaker", Breaker)
