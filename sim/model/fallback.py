"""The paper fallback: when an interface stops answering, clinicians order on paper.

Per interface (a destination that orders go to): when no message has been ACKed there for
`trigger_after` while messages wait, the fallback switches on; while it is on, a share of new
orders per class goes on paper instead (`on_paper`), and of those a share is also sent
electronically anyway (a duplicate that clerks must reconcile).  A paper order's result is
phoned `phone_delay` after the lab has it.

With `start_on_alert`, the first alert on the interface's queue switches it on instead of the
timer (possibly well before `trigger_after`).  Either way it switches off at the first sample at
which the interface has answered (an ACK) since it went on, and, when an alert switched it on,
no alert on its queue is still active; then clerks back-enter that interface's paper orders.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from sim.model.message import CLASSES

if TYPE_CHECKING:
    from sim.scenario.schema import Fallback as FallbackSpec

Switch = Callable[[str, bool, float], None]
"""(interface, on, now) -> None."""
Alerting = Callable[[str], bool]
"""(queue) -> whether an alert on it is active now."""


class Interface(Protocol):
    """What the fallback watches of a channel: when it last answered, and how long its
    oldest message has waited (a Channel is one)."""

    last_ack: float

    def oldest_age(self, now: float) -> float: ...


class Fallback:
    """Which interfaces are on paper now, and the share rules."""

    def __init__(
        self,
        spec: FallbackSpec,
        channels: Mapping[str, Interface],
        switch: Switch,
        alerting: Alerting | None = None,
    ) -> None:
        self.spec = spec
        self.channels = channels
        self.switch = switch
        self.alerting = alerting
        """Whether an alert on a queue is active (start_on_alert); None: no alerts."""
        self.active: set[str] = set()
        self.on_at: dict[str, float] = {}
        """When each active interface went on paper."""
        shares: dict[Any, float] = dict(spec.share)  # every class: validation fills in 0
        self.share = [shares[name] for name in CLASSES]
        self.paper_orders: dict[str, int] = {}
        """Paper orders per interface since its fallback last switched on (to back-enter)."""

    def check(self, now: float) -> None:
        """Switch interfaces on by the timer rule, or off once they answer (at each sample)."""
        after = self.spec.trigger_after
        by_alert = self.spec.start_on_alert
        for sid, ch in self.channels.items():
            if sid not in self.active:
                if not by_alert and now - ch.last_ack >= after and ch.oldest_age(now) >= after:
                    self.turn(sid, True, now)
            elif ch.last_ack > self.on_at[sid] and not (
                by_alert and self.alerting is not None and self.alerting(sid)
            ):
                self.turn(sid, False, now)

    def alert(self, sid: str, now: float) -> None:
        """With start_on_alert, an alert on a queue puts its interface on paper."""
        if self.spec.start_on_alert and sid not in self.active and sid in self.channels:
            self.turn(sid, True, now)

    def turn(self, sid: str, on: bool, now: float) -> None:
        """Switch one interface's fallback."""
        if on:
            self.active.add(sid)
            self.on_at[sid] = now
        else:
            self.active.discard(sid)
        self.switch(sid, on, now)
