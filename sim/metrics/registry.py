"""The metric registry: every figure a hypothesis or `compare --metric` may name.

A metric is named by its path in summary.json.  The fixed ones are listed here with their
unit; per-destination and per-flow figures (`queues.<system>.peak_backlog`,
`latency_s.<flow>.<class>.p95`) are paths into the same document.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sim.model.message import CLASSES


@dataclass(frozen=True)
class Metric:
    """A named figure of summary.json."""

    name: str
    unit: str
    description: str


METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric("recovery_time_s", "s", "time from the last fault's end until every queue is "
               "back at its normal level (max over queues)"),
        Metric("people_recovery_time_s", "s", "time until the analysts' and clerks' work "
               "caused by the faults is done"),
        Metric("recovered_share", "share", "share of replications in which every queue recovered"),
        Metric("time_to_detect_s", "s", "time from the first fault's start to the first alert"),
        Metric("peak_backlog", "messages", "largest number of messages under way at once"),
        Metric("retry_amplification", "sends/message", "sends per delivered message"),
        Metric("goodput_share", "share", "share of sends that delivered a message the first time"),
        Metric("order_violations", "messages", "messages filed before an older message of the "
               "same patient and channel"),
        Metric("medcom_later_than_24h", "messages", "MedCom messages more than 24 h late"),
        Metric("order_to_result_all_s.stat.p95", "s", "95th percentile of order-to-result of "
               "STAT orders over every flow (also urgent, routine; count, mean)"),
        Metric("late.stat", "orders", "STAT orders whose result came after the deadline"),
        Metric("late.urgent", "orders", "urgent orders whose result came after the deadline"),
        Metric("late.routine", "orders", "routine orders whose result came after the deadline"),
        Metric("late_share.stat", "share", "share of decided STAT orders that were late"),
        Metric("late_share.urgent", "share", "share of decided urgent orders that were late"),
        Metric("late_share.routine", "share", "share of decided routine orders that were late"),
        Metric("messages.created", "messages", "messages created (paper orders not included)"),
        Metric("messages.delivered", "messages", "distinct messages delivered"),
        Metric("messages.queued_at_end", "messages", "messages still waiting at the horizon"),
        Metric("messages.in_flight_at_end", "messages", "messages in a transform or send at the "
               "horizon"),
        Metric("messages.dead_lettered", "messages", "messages given up to the dead-letter queue"),
        Metric("messages.expired", "messages", "messages that waited too long and went to paper"),
        Metric("messages.shed", "messages", "messages dropped by CoDel"),
        Metric("messages.lost", "messages", "messages lost by a crash of a memory store"),
        Metric("messages.duplicates", "messages", "second and later filings of a message"),
        Metric("messages.on_paper", "orders", "orders placed on paper instead"),
        Metric("messages.paper_duplicates", "orders", "paper orders also sent electronically "
               "(each one a clerk's reconciliation)"),
        Metric("lost_by_flow.<flow>", "messages", "messages lost by a crash, per flow"),
        Metric("staff_hours.analysts", "h", "analyst hours spent on the faults"),
        Metric("staff_hours.clerks", "h", "clerk hours of back-entry and reconciliation"),
        Metric("queues.<system>.peak_backlog", "messages", "a destination's largest backlog"),
        Metric("queues.<system>.recovery_time_s", "s", "a destination's recovery time"),
        Metric("queues.<system>.oldest_age_s", "s", "the oldest age a message bound there "
               "reached"),
        Metric("queues.<system>.peak_at_s", "s", "when a destination's backlog peaked"),
        Metric("queues.<system>.backlog_hours", "message-hours", "a destination's backlog "
               "integrated over time"),
        Metric("queues.<system>.wait_s.mean", "s", "a destination's mean channel wait"),
        Metric("queues.<system>.wait_s.p95", "s", "a destination's 95th-percentile wait"),
        Metric("latency_s.<flow>.<class>.p95", "s", "a flow's creation-to-ACK time (also count, "
               "mean, p50, p99, max)"),
        Metric("order_to_result_s.<flow>.<class>.p95", "s", "order to first result (also "
               "count, mean, late, pending)"),
    )
}  # fmt: skip


def lookup(summary: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path of a summary; KeyError naming the missing part."""
    node: Any = summary
    done: list[str] = []
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            where = ".".join(done) or "summary"
            options = sorted(node) if isinstance(node, Mapping) else []
            hint = f" (there: {', '.join(map(str, options[:12]))})" if options else ""
            raise KeyError(f"metric {path!r}: {where} has no {part!r}{hint}")
        node = node[part]
        done.append(part)
    return node


HIGHER_IS_BETTER = frozenset(("goodput_share", "recovered_share", "messages.delivered"))
"""Metrics where more is better (every other one: less is better). Under common random
numbers every variant creates the same messages, so more delivered is better."""


def higher_is_better(path: str) -> bool:
    """Whether a larger value of this metric is the better one."""
    return path in HIGHER_IS_BETTER


PER_KEY = ("queues", "latency_s", "order_to_result_s", "order_to_result_all_s", "lost_by_flow")
"""Figures keyed by a system, flow or class, whose paths depend on the scenario."""


def is_known(path: str) -> bool:
    """Whether a path names a fixed metric or fits one of the per-system/per-flow patterns."""
    if path in METRICS:
        return True
    parts = path.split(".")
    return parts[0] in PER_KEY and len(parts) >= 2


SIBLINGS: dict[str, tuple[str, ...]] = {
    "queues.<system>": (
        "peak_backlog", "peak_at_s", "oldest_age_s", "backlog_hours", "wait_s.mean",
        "wait_s.p95", "recovery_time_s",
    ),
    "latency_s.<flow>.<class>": ("count", "mean", "p50", "p95", "p99", "max"),
    "order_to_result_s.<order>.<class>": ("count", "mean", "p95", "late", "pending"),
    "order_to_result_all_s.<class>": ("count", "mean", "p95"),
    "lost_by_flow.<flow>": ("",),
}  # fmt: skip
"""Every figure under the per-system, per-flow and per-class entries of summary.json (the
registry's patterns list one of each, the others only in their description). ``<order>`` is a
flow with a ``reply``: only those have order-to-result figures."""

_PLACES = {
    "<system>": "a destination system of its flows",
    "<flow>": "a flow",
    "<order>": "a flow with replies (order-to-result figures exist only for those",
    "<class>": "a priority class",
}


def _patterns() -> list[tuple[str, ...]]:
    """Every per-key metric as its parts, placeholders included."""
    return [
        tuple(f"{head}.{leaf}".strip(".").split("."))
        for head, leaves in SIBLINGS.items()
        for leaf in leaves
    ]


def _choices(
    systems: Iterable[str], flows: Iterable[str], orders: Iterable[str]
) -> dict[str, list[str]]:
    return {
        "<system>": list(dict.fromkeys(systems)),
        "<flow>": list(dict.fromkeys(flows)),
        "<order>": list(dict.fromkeys(orders)),
        "<class>": list(CLASSES),
    }


def expand_metrics(
    systems: Iterable[str], flows: Iterable[str], orders: Iterable[str]
) -> list[str]:
    """Every metric name of a scenario: the fixed ones, then each per-key figure filled in.

    Args:
        systems: The destination systems (the ``to`` of its flows): those have ``queues``.
        flows: Every flow id.
        orders: The flows with a ``reply`` (those have ``order_to_result_s``).
    """
    choices = _choices(systems, flows, orders)
    names = [name for name in METRICS if "<" not in name]
    for pattern in _patterns():
        options = [choices.get(part, [part]) for part in pattern]
        names += [".".join(parts) for parts in itertools.product(*options)]
    return list(dict.fromkeys(names))


def _explain(parts: list[str], choices: dict[str, list[str]]) -> str:
    """Which part of a per-key path is wrong, and what may stand there."""
    best: tuple[int, tuple[str, ...]] = (-1, ())
    for pattern in _patterns():
        if pattern[0] != parts[0]:
            continue
        matched = 0
        for part, want in zip(parts, pattern, strict=False):
            if part != want and part not in choices.get(want, ()):
                break
            matched += 1
        best = max(best, (matched, pattern), key=lambda item: item[0])
    matched, pattern = best
    done = ".".join(parts[:matched])
    if matched == len(pattern):
        return f"{done} is a figure; it has no {parts[matched]!r}"
    there: list[str] = []
    for other in _patterns():
        if other[:matched] == pattern[:matched] and len(other) > matched:
            there.append(other[matched])
    there = list(dict.fromkeys(there))
    if matched == len(parts):
        return f"{done} is a group of figures, not one; name one of them ({', '.join(there)})"
    want = pattern[matched]
    if want in _PLACES:
        listed = ", ".join(choices[want]) or "none"
        if want == "<order>":
            return f"{parts[matched]!r} is not {_PLACES[want]}: {listed})"
        return f"{parts[matched]!r} is not {_PLACES[want]} (there: {listed})"
    return f"{done} has no {parts[matched]!r} (there: {', '.join(there)})"


def metric_problem(
    path: str, systems: Iterable[str], flows: Iterable[str], orders: Iterable[str]
) -> str | None:
    """Why ``path`` is not a metric of a scenario with these systems and flows (None if it is).

    A per-destination or per-flow path is checked whole: the system, the flow, the class and
    the figure, each against what the scenario has, with a "did you mean" for the whole path.
    Arguments as for :func:`expand_metrics`.
    """
    choices = _choices(systems, flows, orders)
    names = expand_metrics(choices["<system>"], choices["<flow>"], choices["<order>"])
    if path in names:
        return None
    parts = path.split(".")
    near = _nearest(path, names)
    hint = f"; did you mean {near!r}?" if near else ""
    if parts[0] in PER_KEY:
        return f"unknown metric {path!r}: {_explain(parts, choices)}{hint}"
    return f"unknown metric {path!r}{hint or ' (see ehrsim metrics)'}"


def _nearest(path: str, names: list[str]) -> str | None:
    import difflib

    found = difflib.get_close_matches(path, names, n=1, cutoff=0.6)
    return found[0] if found else None


def closest(path: str) -> str | None:
    """The registered metric name closest to a misspelt one, if any is close."""
    return _nearest(path, [m for m in METRICS if "<" not in m])
