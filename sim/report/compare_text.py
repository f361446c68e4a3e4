"""A comparison's figures and verdicts in words: labels, values, differences, trade-offs.

The verdicts themselves (:mod:`sim.experiments.verdicts`) are numbers; this module says them
for people, with the tables' formats (``12,345``, ``2h 41m``, ``12.5%``). The terminal table,
comparison.csv and a later report use the same sentences.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sim.experiments.figures import is_recovery_metric
from sim.metrics.registry import METRICS, higher_is_better
from sim.report.tables import human_count, human_seconds

if TYPE_CHECKING:
    from sim.experiments.verdicts import GivenUp, PairedDifference, TradeOff

__all__ = [
    "LABELS",
    "better",
    "difference_text",
    "given_up_cell",
    "given_up_text",
    "label",
    "signed_text",
    "trade_off_text",
    "unit",
    "value_text",
]

LABELS = {
    "recovery_time_s": "recovery time",
    "people_recovery_time_s": "people recovery time",
    "peak_backlog": "peak backlog",
    "late.stat": "late STAT",
    "late.urgent": "late urgent",
    "late.routine": "late routine",
    "order_to_result_all_s.stat.p95": "STAT order→result p95",
    "retry_amplification": "retry amplification",
    "goodput_share": "goodput share",
    "messages.lost": "lost",
    "messages.duplicates": "duplicated",
    "messages.dead_lettered": "dead-lettered",
    "messages.shed": "shed",
    "messages.expired": "expired",
    "messages.on_paper": "on paper",
    "order_violations": "order violations",
}
"""Short names of the usual metrics for tables and plots (others show their path)."""

_GIVE_UP_WORDS = {
    "messages.expired": ("sending", "message", " to paper (expired)"),
    "messages.shed": ("shedding", "message", ""),
    "messages.dead_lettered": ("dead-lettering", "message", ""),
    "messages.lost": ("losing", "message", ""),
    "messages.duplicates": ("filing", "duplicate", ""),
    "messages.on_paper": ("putting", "order", " on paper"),
}
"""How a trade-off says each counter of work given up: verb, noun, what follows."""


def label(metric: str) -> str:
    """A metric's short name for people (``late STAT``), or its path."""
    return LABELS.get(metric, metric)


def unit(metric: str) -> str:
    """A metric's unit from the registry (``s`` for any path ending in ``_s``)."""
    known = METRICS.get(metric)
    if known is not None:
        return known.unit
    return "s" if any(p.endswith("_s") for p in metric.split(".")) else ""


def better(metric: str) -> str:
    """``"lower"`` or ``"higher"``: which values of the metric are the better ones."""
    return "higher" if higher_is_better(metric) else "lower"


def value_text(metric: str, value: float) -> str:
    """A value in the metric's unit: ``3h 05m``, ``12.5%``, ``1.013``, ``12,345``, ``7.5``."""
    kind = unit(metric)
    if kind == "s":
        return human_seconds(value)
    if kind == "share":
        return f"{value:.1%}"
    if kind == "sends/message":
        return f"{value:.3f}"
    return human_count(round(value) if abs(value) >= 100 else round(value, 1))


def signed_text(metric: str, value: float) -> str:
    """A difference with its sign: ``+1h 05m``, ``−384``, ``0``."""
    if value == 0:
        return "0"
    return ("+" if value > 0 else "−") + value_text(metric, abs(value))


def difference_text(metric: str, diff: PairedDifference | None, replications: int) -> str:
    """The "vs best" cell: the mean paired difference, its 95 % interval and the verdict.

    ``None`` (the best itself) is ``best``; fewer than two pairs give no interval and say so,
    and with one replication no row is called the best.
    """
    if replications < 2:
        return "no interval (1 replication)"
    if diff is None:
        return "best"
    if diff.mean is None:
        return "no paired values"
    text = signed_text(metric, diff.mean)
    if diff.ci95 is None:
        return f"{text}\nno interval ({diff.pairs} pair)"
    low, high = diff.ci95
    text += f" [{signed_text(metric, low)}, {signed_text(metric, high)}]"
    verdict = "distinguishable" if diff.distinguishable else "not distinguishable"
    pairs = f" ({diff.pairs}/{replications} pairs)" if diff.pairs < replications else ""
    return f"{text}\n{verdict}{pairs}"


def _whole(value: float) -> int:
    """A mean count as a whole number, halves rounded up (0.5 is 1, never 0)."""
    return math.floor(value + 0.5)


def _count(value: float) -> str:
    """A mean count as a whole number with thousands separators."""
    return f"{_whole(value):,}"


def given_up_text(given: GivenUp) -> str:
    """``sending 11,939 messages to paper (expired)``; ``filing 120 more duplicates (150
    against 30)`` when the baseline gives up some too."""
    verb, noun, after = _GIVE_UP_WORDS.get(given.counter, ("giving up", "message", ""))
    increase = _whole(given.increase)
    more = "more " if _whole(given.baseline) >= 1 else ""
    text = f"{verb} {increase:,} {more}{noun}{'' if increase == 1 else 's'}{after}"
    if more:
        text += f" ({_count(given.value)} against {_count(given.baseline)})"
    return text


def given_up_cell(trade: TradeOff) -> str:
    """The table's short form: ``+11,939 expired``, a line per counter."""
    return "\n".join(f"+{_count(g.increase)} {label(g.counter)}" for g in trade.given_up)


def _win(trade: TradeOff) -> str:
    """How the variant beats the baseline on the decisive metric."""
    n, metric = trade.replications, trade.metric
    if trade.missing < trade.baseline_missing:
        what = "recovers" if is_recovery_metric(metric) else f"has a {label(metric)}"
        return (
            f"{what} in {n - trade.missing}/{n} replications against "
            f"{n - trade.baseline_missing}/{n} for {trade.baseline}"
        )
    gain = abs((trade.baseline_mean or 0.0) - (trade.mean or 0.0))
    amount = value_text(metric, gain)
    if metric.rsplit(".", 1)[-1] == "recovery_time_s":
        return f"recovers {amount} faster than {trade.baseline}"
    return f"beats {trade.baseline} on {label(metric)} by {amount}"


def trade_off_text(trade: TradeOff) -> str:
    """A trade-off in one sentence: ``expire-to-paper recovers 2h 41m faster than baseline
    while sending 11,939 messages to paper (expired)``."""
    parts = [given_up_text(g) for g in trade.given_up]
    given = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"{trade.variant} {_win(trade)} while {given}"
