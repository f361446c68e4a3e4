"""A flow at run time: its figures, where its messages go, and how orders produce results."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from sim.metrics.histogram import Histogram
from sim.model.clock import Clock
from sim.model.message import CLASSES

if TYPE_CHECKING:
    from sim.model.channel import Channel
    from sim.model.engine import Sender
    from sim.model.lane import Lane
    from sim.model.message import Message
    from sim.rng import Sampler


class FlowRuntime:
    """One flow of the scenario, bound to its sender, channel and lane."""

    def __init__(self, flow_id: str, deadlines: Mapping[Any, float] | None, medcom: bool) -> None:
        self.id = flow_id
        self.sender: Sender
        self.channel: Channel
        self.lane: Lane
        self.reply: Replier | None = None
        self.deadline: list[float | None] = [(deadlines or {}).get(name) for name in CLASSES]
        """Order-to-result deadline per class index (seconds), None where there is none."""
        self.medcom = medcom
        self.classes: set[int] = set()
        """The priority classes this flow's messages can have."""
        self.created = 0
        self.latency = [Histogram() for _ in CLASSES]
        self.o2r = [Histogram() for _ in CLASSES]
        """Order-to-result times of this flow's orders, per class."""
        self.late = [0] * len(CLASSES)
        self.pending = [0] * len(CLASSES)
        self.late_open = [0] * len(CLASSES)
        """Orders late with no result at all by the end (a subset of `late`)."""
        self.late_medcom = 0
        self.lost = 0
        self.due: list[deque[Message] | None] = [None] * len(CLASSES)
        """Per class with a deadline: its orders still inside it, oldest first (LateOrders)."""


class Replier:
    """Makes the results of an order once the receiving system has it.

    The first result comes `after` its delivery; later results follow at the same spacing.
    The number of results is 1 + Poisson(count - 1), so its mean is `count`.
    """

    def __init__(
        self,
        clock: Clock,
        results: FlowRuntime,
        count: float,
        after: list[Sampler],
        poisson: Sampler | None,
        emit: Callable[[Message], None],
    ) -> None:
        self.clock = clock
        self.results = results
        self.count = count
        self.after = after
        """A turnaround sampler per class index."""
        self.poisson = poisson
        self.emit = emit
        self.dists: list[Any] = []
        """The turnaround distribution per class index (for paper orders' phoned results)."""

    def order_delivered(self, order: Message) -> None:
        """Schedule the order's results."""
        n = 1 + int(self.poisson()) if self.poisson is not None else 1
        gap = self.after[order.cls]()
        for i in range(1, n + 1):
            self.clock.call_in(gap * i, self.emit, order)
