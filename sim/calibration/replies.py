"""Results linked to their orders by placer number: what ``reply`` a flow of orders has.

An order is a message from the EHR to a system; a result is a message from that system back
to the EHR carrying the same placer order number (HL7 ORC-2 / OBR-2). Per flow of orders the
results of its orders give ``reply.flow`` (the flow most of them come on), ``reply.count``
(results per matched order) and ``reply.after`` per priority class (from the order's delivery,
its time plus its ACK time when logged, to its first result).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from sim.calibration.counts import Estimate, poisson_interval
from sim.calibration.durations import DurationFit, fit_duration
from sim.calibration.naming import FlowKey
from sim.logs.entry import PRIORITIES, LogEntry

__all__ = ["NEAR_END_QUANTILE", "ReplyFit", "ResultShare", "fit_replies"]

NEAR_END_QUANTILE = 0.99


@dataclass(frozen=True)
class ReplyFit:
    """The replies of one flow of orders."""

    orders: FlowKey
    results: FlowKey
    """The flow the results come on (``reply.flow``)."""
    placed: int
    """Orders of the flow with a placer number (the first message of each number)."""
    matched: int
    """Of those, orders with at least one result on ``results``."""
    count: Estimate
    """Results per matched order (at least 1): exact interval of 1 + Poisson(count - 1)."""
    after: dict[str, DurationFit]
    """Per priority class of the order, the time from its delivery to its first result."""
    elsewhere: dict[FlowKey, int]
    """Results of this flow's orders on other flows (left out of ``count``)."""
    near_end: int = 0
    """Matched orders delivered too near the log's end to have all their results in it,
    left out of ``count`` and ``after``."""

    def as_json(self) -> dict[str, object]:
        return {
            "orders_with_placer": self.placed,
            "matched_orders": self.matched,
            "near_end_left_out": self.near_end,
            "count": self.count.as_json(),
            "after": {cls: fit.as_json() for cls, fit in self.after.items()},
            "results_on_other_flows": {"^".join(k): n for k, n in self.elsewhere.items()},
        }


@dataclass(frozen=True)
class ResultShare:
    """How many messages of a flow of results matched no order in the log."""

    results: int
    unmatched: int

    @property
    def share(self) -> float:
        return self.unmatched / self.results if self.results else 0.0


def _orders(
    flows: Mapping[FlowKey, Sequence[LogEntry]], ehr: str
) -> dict[tuple[str, str], tuple[FlowKey, LogEntry]]:
    """(system, placer) -> the flow and first message of that order."""
    found: dict[tuple[str, str], tuple[FlowKey, LogEntry]] = {}
    for key, entries in flows.items():
        if key.source != ehr or key.destination == ehr:
            continue
        for entry in entries:
            if entry.placer is None:
                continue
            slot = (key.destination, entry.placer)
            if slot not in found or entry.time_s < found[slot][1].time_s:
                found[slot] = (key, entry)
    return found


def fit_replies(
    flows: Mapping[FlowKey, Sequence[LogEntry]], ehr: str, end_s: float
) -> tuple[dict[FlowKey, ReplyFit], dict[FlowKey, ResultShare]]:
    """The replies of every flow of orders, and the unmatched share of every flow of results.

    Args:
        flows: Each flow's entries.
        ehr: The EHR application.
        end_s: The time of the log's last message (``time_s``).

    Returns:
        Order flow -> its replies (flows whose orders got no result are left out), and result
        flow (the ``reply.flow`` of some order flow) -> how many of its results matched no order.
    """
    orders = _orders(flows, ehr)
    results: dict[tuple[str, str], list[tuple[FlowKey, LogEntry]]] = {}
    for key, entries in flows.items():
        if key.destination != ehr or key.source == ehr:
            continue
        for entry in entries:
            slot = (key.source, entry.placer or "")
            if entry.placer is not None and slot in orders:
                results.setdefault(slot, []).append((key, entry))
    replies: dict[FlowKey, ReplyFit] = {}
    for order_flow in sorted(flows):
        mine = {slot: entry for slot, (key, entry) in orders.items() if key == order_flow}
        per_flow: dict[FlowKey, int] = {}
        for slot in mine:
            for key, _ in results.get(slot, []):
                per_flow[key] = per_flow.get(key, 0) + 1
        if not per_flow:
            continue
        result_flow = max(sorted(per_flow), key=lambda k: per_flow[k])
        answered: list[tuple[LogEntry, float, list[float]]] = []
        for slot, order in mine.items():
            times = sorted(e.time_s for k, e in results.get(slot, []) if k == result_flow)
            if times:
                answered.append((order, order.time_s + (order.ack_s or 0.0), times))
        # An order near the log's end has its slower results cut off: the count and the delay
        # read only orders delivered at least the 99th percentile of the delivery-to-last-
        # result times seen before the end (all of them when that leaves none); a percentile,
        # not the longest, so that one late addendum does not cost days of orders.
        longest = float(np.quantile([t[-1] - d for _, d, t in answered], NEAR_END_QUANTILE))
        complete = [a for a in answered if a[1] <= end_s - longest] or answered
        matched = len(complete)
        total = sum(len(times) for _, _, times in complete)
        gaps: dict[str, list[float]] = {}
        for order, delivered, times in complete:
            gaps.setdefault(order.priority or "routine", []).append(times[0] - delivered)
        low, high = poisson_interval(total - matched, matched)
        resolution = max(e.precision_s for e in (*flows[order_flow], *flows[result_flow]))
        after: dict[str, DurationFit] = {
            cls: fit
            for cls in PRIORITIES
            if cls in gaps and (fit := fit_duration(gaps[cls], resolution)) is not None
        }
        replies[order_flow] = ReplyFit(
            order_flow,
            result_flow,
            len(mine),
            len(answered),
            Estimate(total / matched, 1 + low, 1 + high, matched),
            after,
            {k: v for k, v in sorted(per_flow.items()) if k != result_flow},
            len(answered) - len(complete),
        )
    shares: dict[FlowKey, ResultShare] = {}
    for result_flow in sorted({fit.results for fit in replies.values()}):
        entries = flows[result_flow]
        unmatched = sum(
            1 for e in entries if e.placer is None or (result_flow.source, e.placer) not in orders
        )
        shares[result_flow] = ResultShare(len(entries), unmatched)
    return replies, shares
