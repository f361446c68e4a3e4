"""World-wide message counters, updated on every state change (cheap integer arithmetic)."""

from __future__ import annotations


class Counters:
    """How many messages are, or have been, in each state."""

    __slots__ = (
        "backoff",
        "created",
        "dead_lettered",
        "delivered",
        "duplicates",
        "expired",
        "held",
        "lost",
        "on_paper",
        "outstanding",
        "pacing",
        "parked",
        "peak_at",
        "peak_outstanding",
        "sending",
        "sends",
        "shed",
        "waiting",
    )

    def __init__(self) -> None:
        self.created = 0
        self.delivered = 0
        self.dead_lettered = 0
        self.expired = 0
        self.shed = 0
        self.lost = 0
        self.duplicates = 0
        self.on_paper = 0
        self.sends = 0
        self.sending = 0
        """Sends awaiting their ACK or timeout."""
        self.backoff = 0
        """Messages waiting out a retry backoff (their connection held)."""
        self.parked = 0
        self.held = 0
        """Messages set aside until an older message of the same patient has left."""
        self.waiting = 0
        self.pacing = 0
        """Messages holding a worker until a drain limit lets them be sent."""
        """Messages holding a worker until their strict channel is free (shared queue)."""
        self.outstanding = 0
        """Created and not yet delivered, dead-lettered, expired, shed or lost."""
        self.peak_outstanding = 0
        self.peak_at = 0.0
