"""Orders counted late as their deadline passes: the ``late.<class>`` sample columns.

summary.json counts an order late when its first result comes after its deadline, or when the
run ends past its deadline without one. Over time an order is late from the moment its deadline
passes without a result, so the count rises during an outage, not hours later when the results
finally arrive; at the horizon it is summary.json's figure.

Each order with a deadline joins the queue of its flow and class when it is created (created
in time order, with one deadline per flow and class, so each queue is in deadline order); at
each sample the orders whose deadline has passed leave the front of their queue, counted late
unless their result came in time. An order is touched when it joins and when it leaves, never
in between, and the queues hold only orders inside their deadline.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import TYPE_CHECKING

from sim.model.message import CLASSES

if TYPE_CHECKING:
    from sim.model.flows import FlowRuntime
    from sim.model.message import Message


class LateOrders:
    """The orders late by now, per class, counted at each sample."""

    def __init__(self, flows: Iterable[FlowRuntime]) -> None:
        self.queues: list[tuple[int, float, deque[Message]]] = []
        """(class index, deadline, orders of one flow and class inside their deadline)."""
        for flow in flows:
            if flow.reply is None:
                continue
            for k, deadline in enumerate(flow.deadline):
                if deadline is not None:
                    queue: deque[Message] = deque()
                    flow.due[k] = queue
                    self.queues.append((k, deadline, queue))
        self.classes = sorted({k for k, _, _ in self.queues})
        """Indices of the classes some order flow has a deadline for (their columns)."""
        self.late = [0] * len(CLASSES)
        """Orders late by the last `advance`, per class index."""

    def advance(self, now: float) -> None:
        """Count the orders whose deadline has passed by `now` without a result in time."""
        late = self.late
        for k, deadline, queue in self.queues:
            while queue:
                order = queue[0]
                if order.created + deadline > now:
                    break
                queue.popleft()
                at = order.result_at
                if at < 0.0 or at - order.created > deadline:
                    late[k] += 1
