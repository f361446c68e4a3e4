"""A downstream system (or the EHR's inbound filer) as seen from the engine's connections."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.rng import Sampler
    from sim.scenario.schema import System as SystemSpec


class System:
    """Files what it is sent and ACKs it.

    Filing is one server shared by all connections, taking 1/capacity per message in arrival
    order.  Because that service time is fixed when a message arrives, the server is kept as a
    single "free at" time instead of a queue: a message's filing time is known when it is sent,
    so a send costs one scheduled event whatever the system's backlog.
    """

    __slots__ = (
        "ack",
        "ack_loss",
        "capacity",
        "connections",
        "down",
        "free_at",
        "id",
        "losses",
        "service",
        "slow",
        "timeout",
        "uniform",
    )

    def __init__(self, system_id: str, spec: SystemSpec, ack: Sampler, uniform: Sampler) -> None:
        self.id = system_id
        self.ack = ack
        """Draws one ACK time (seconds), before any slowdown."""
        self.uniform = uniform
        self.connections = spec.connections
        self.capacity = spec.capacity
        self.service = 1.0 / spec.capacity if spec.capacity else 0.0
        self.timeout = spec.timeout
        self.free_at = 0.0
        self.slow = 1.0
        """Factor on filing and ACK times (a `system-slowdown` fault)."""
        self.down = 0
        """Reasons the engine cannot reach it (outages and partitions may overlap)."""
        self.ack_loss = 0.0
        """Share of ACKs lost on the way back (`ack-loss` faults, which may overlap)."""
        self.losses: list[float] = []

    def file(self, now: float) -> float:
        """Take a message into the filing line; return when it is filed."""
        if not self.service:
            return now
        start = self.free_at if self.free_at > now else now
        self.free_at = start + self.service * self.slow
        return self.free_at

    def filing_backlog(self, now: float) -> int:
        """Messages waiting to be filed (derived from the server's "free at" time)."""
        if not self.service or self.free_at <= now:
            return 0
        return int((self.free_at - now) / (self.service * self.slow)) + 1

    def add_ack_loss(self, share: float) -> None:
        """Start losing `share` of the ACKs (independently of other losses)."""
        self.losses.append(share)
        self._recompute_loss()

    def remove_ack_loss(self, share: float) -> None:
        """Stop one `add_ack_loss`."""
        self.losses.remove(share)
        self._recompute_loss()

    def _recompute_loss(self) -> None:
        kept = 1.0
        for share in self.losses:
            kept *= 1.0 - share
        self.ack_loss = 1.0 - kept
