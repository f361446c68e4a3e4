"""Channel policies: strategy keys that act on each destination's sends.

A policy is a small class registered by its `strategy` key (`breaker`, `drain`, ...).  The
channel calls its hooks only when the scenario has a policy: `admit` (the earliest time a send
may start), then either `sending` (the send starts) or `withdrawn` (an admitted send will not
be made after all: the channel was blocked, the engine stalled or the message was lost while it
waited for its time), then `succeeded` or `failed` (the answer), or `dropped` (the message was
lost with its send under way).  A policy decides at `sending`, never at `admit`, so that the
policies compose in any order: what one admits, another's block cannot strand.  Adding a policy
means one class here, nothing in the engine.
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
    from sim.model.message import Message

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

    def withdrawn(self, now: float) -> None:
        """A send admitted earlier will not be made (its message went back to wait)."""

    def sending(self, now: float, msg: Message) -> None:
        """A send starts."""

    def succeeded(self, now: float, msg: Message) -> None:
        """A send was ACKed."""

    def failed(self, now: float, msg: Message) -> None:
        """A send failed (negative ACK or timeout)."""

    def dropped(self, now: float, msg: Message) -> None:
        """A message left the engine without its answer (lost in a crash with its send)."""


class Drain(ChannelPolicy):
    """A token bucket of one token on the channel's sends: at most `rate` sends per second.

    After an outage it keeps a recovering system from being flooded by the backlog (the
    rate limiter of Resilience4j, Mirth's queue throttling).  Each admitted send reserves the
    next slot; slots given up (`withdrawn`) are free again once no reservation is left.

    Sends are made at their slots, a gap apart, and a slot is given up at its own time, so
    when the last reservation is given up the last send made is at least a gap ago: the next
    send may go at once.
    """

    def __init__(self, spec: Any, channel: Channel, env: simpy.Environment, note: Note) -> None:
        super().__init__(spec, channel, env, note)
        self.gap = 1.0 / float(spec.rate)
        self.next_at = 0.0
        """The slot of the next send admitted."""
        self.reserved = 0
        """Sends admitted, neither made nor withdrawn yet."""

    def admit(self, now: float) -> float:
        at = self.next_at if self.next_at > now else now
        self.next_at = at + self.gap
        self.reserved += 1
        return at

    def sending(self, now: float, msg: Message) -> None:
        self.reserved -= 1

    def withdrawn(self, now: float) -> None:
        self.reserved -= 1
        if not self.reserved:
            self.next_at = now


POLICIES.add("drain", Drain)


class Breaker(ChannelPolicy):
    """A circuit breaker per destination: closed, open, half-open.

    After `after` consecutive failures it opens: nothing is sent for `open` seconds (messages
    wait in the queue instead of timing out against a dead system).  Then it is half-open: the
    next send made is its probe, and the channel holds the others back until the probe's own
    answer comes (answers to sends made before it opened do not count).  The probe's success
    closes the breaker, its failure opens it again, and a probe lost in a crash makes room for
    another.
    """

    def __init__(self, spec: Any, channel: Channel, env: simpy.Environment, note: Note) -> None:
        super().__init__(spec, channel, env, note)
        self.after = int(spec.after)
        self.open_s = float(spec.open)
        self.state = "closed"
        self.failures = 0
        self.probe: Message | None = None
        """The half-open breaker's probe while it is under way (it holds a block)."""

    def sending(self, now: float, msg: Message) -> None:
        if self.state == "half-open" and self.probe is None:
            self.probe = msg
            self.channel.blocked += 1

    def succeeded(self, now: float, msg: Message) -> None:
        if self.state == "closed":
            self.failures = 0
        elif msg is self.probe:
            self.probe = None
            self.state = "closed"
            self.note(now, "breaker-closed", self.channel.id, "")
            self.channel.unblock()

    def failed(self, now: float, msg: Message) -> None:
        if self.state == "closed":
            self.failures += 1
            if self.failures >= self.after:
                self.channel.blocked += 1
                self._open(now)
        elif msg is self.probe:
            self.probe = None
            self._open(now)  # the probe's block is the open breaker's

    def dropped(self, now: float, msg: Message) -> None:
        if msg is self.probe:
            self.probe = None
            self.channel.unblock()  # still half-open: the next send is the probe

    def _open(self, now: float) -> None:
        self.state = "open"
        self.failures = 0
        self.note(now, "breaker-open", self.channel.id, f"for {self.open_s:g} s")
        Timeout(self.env, self.open_s).callbacks.append(self._half_open)

    def _half_open(self, _ev: Timeout) -> None:
        self.state = "half-open"
        self.note(self.env.now, "breaker-half-open", self.channel.id, "")
        self.channel.unblock()


POLICIES.add("breaker", Breaker)
