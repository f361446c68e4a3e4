"""The message: a plain slotted object, the only thing created per simulated message."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from sim.model.flows import FlowRuntime

CLASSES: Final = ("stat", "urgent", "routine")
"""Priority classes in rank order: index 0 goes first."""

# Where a message is.  Waiting places have lengths of their own; these codes serve the trace
# and the checks at the end of a run.
# Final, so that the compiled core uses them as constants, not module lookups.
OUTBOUND: Final = 0
TRANSFORM_QUEUE: Final = 1
TRANSFORM: Final = 2
QUEUED: Final = 3
HELD: Final = 4
WAITING: Final = 5
SENDING: Final = 6
BACKOFF: Final = 7
PARKED: Final = 8
PACING: Final = 9
"""Holding a worker until a drain limit lets it be sent."""
DELIVERED: Final = 10
"""Terminal places: every place from DELIVERED on means the message has left the engine."""
DEAD_LETTERED: Final = 11
EXPIRED: Final = 12
SHED: Final = 13
LOST: Final = 14
PLACE_NAMES = (
    "outbound", "transform-queue", "transform", "queued", "held", "waiting", "sending",
    "backoff", "parked", "pacing", "delivered", "dead-lettered", "expired", "shed", "lost",
)  # fmt: skip


class Message:
    """One HL7 or MedCom message on its way from its sender to its receiver."""

    __slots__ = (
        "cls",
        "code",
        "created",
        "enq_at",
        "extra",
        "filed",
        "flow",
        "gated",
        "node",
        "order",
        "paper",
        "patient",
        "place",
        "poison",
        "ready_at",
        "result_at",
        "seq",
        "tries",
        "turn",
        "uid",
        "wake",
    )

    def __init__(self, uid: int, flow: FlowRuntime, cls: int, patient: int, created: float) -> None:
        self.uid = uid
        self.flow = flow
        self.cls = cls
        """Priority class index into CLASSES."""
        self.patient = patient
        self.created = created
        """Simulated seconds at creation."""
        self.place = OUTBOUND
        self.seq = -1
        """Position among the messages the engine accepted for this destination."""
        self.node = 0
        self.ready_at = 0.0
        """When it left the transform station (the start of its channel wait)."""
        self.enq_at = 0.0
        """When it last entered a waiting line (for the queue's own statistics)."""
        self.tries = 0
        """Sends since the retry policy last started counting (a park resets it)."""
        self.filed = False
        self.poison = ""
        """The negative ACK code a poisoned message is answered with ('' = not poisoned)."""
        self.gated = False
        """Whether the message holds a place in its channel's per-patient order."""
        self.code = ""
        """Outcome of the last send: '' (ACK), 'AE', 'AR' or 'timeout'."""
        self.order: Message | None = None
        """For a result: the order it answers."""
        self.result_at = -1.0
        """For an order: when its first result reached the clinician (-1: not yet)."""
        self.extra: Any = None
        self.wake: Any = None
        """The pending event that will resend it after a backoff (a fix may resend sooner)."""
        self.paper = 0
        """1: a paper order also sent electronically (a duplicate to reconcile); 2: paper only."""
        self.turn = 0
        """Its place in its patient's line at its channel, under per-patient order (the gate)."""

    def __repr__(self) -> str:
        return f"<Message {self.uid} {self.flow.id} {CLASSES[self.cls]} p{self.patient}>"
