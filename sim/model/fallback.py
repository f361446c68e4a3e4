"""The paper fallback: when an interface stops answering, clinicians order on paper.

Per interface (a destination that orders go to): when no message has been ACKed there for
`trigger_after` while messages wait, the fallback switches on; while it is on, a share of new
orders per class goes on paper instead (`on_paper`), and of those a share is also sent
electronically anyway (a duplicate that clerks must reconcile).  A paper order's result is
phoned `phone_delay` after the lab has it.  When the interface answers again the fallback
switches off and clerks back-enter that interface's paper orders.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sim.model.message import CLASSES

if TYPE_CHECKING:
    from sim.model.channel import Channel
    from sim.scenario.schema import Fallback as FallbackSpec

Switch = Callable[[str, bool, float], None]
"""(interface, on, now) -> None."""


class Fallback:
    """Which interfaces are on paper now, and the share rules."""

    def __init__(self, spec: FallbackSpec, channels: dict[str, Channel], switch: Switch) -> None:
        self.spec = spec
        self.channels = channels
        self.switch = switch
        self.active: set[str] = set()
        shares: dict[Any, float] = dict(spec.share)
        self.share = [shares.get(name, 0.0) for name in CLASSES]
        self.paper_orders: dict[str, int] = {}
        """Paper orders per interface since its fallback last switched on (to back-enter)."""

    def check(self, now: float) -> None:
        """Switch interfaces on or off by the timer rule (called at each sample)."""
        after = self.spec.trigger_after
        for sid, ch in self.channels.items():
            stuck = ch.oldest_age(now) >= after and now - ch.last_ack >= after
            if sid not in self.active:
                if stuck and not self.spec.start_on_alert:
                    self.turn(sid, True, now)
            elif not stuck and now - ch.last_ack < after:
                self.turn(sid, False, now)

    def alert(self, sid: str, now: float) -> None:
        """With start_on_alert, an alert on a queue puts its interface on paper."""
        if self.spec.start_on_alert and sid not in self.active and sid in self.channels:
            self.turn(sid, True, now)

    def turn(self, sid: str, on: bool, now: float) -> None:
        """Switch one interface's fallback."""
        if on:
            self.active.add(sid)
        else:
            self.active.discard(sid)
        self.switch(sid, on, now)
