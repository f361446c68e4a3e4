"""Shares with exact intervals: a flow's priority mix, a system's negative ACKs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sim.calibration.counts import Estimate, share_interval
from sim.logs.entry import PRIORITIES, LogEntry

__all__ = ["NakShare", "PriorityMix", "fit_naks", "fit_priority"]


@dataclass(frozen=True)
class PriorityMix:
    """The share of each priority class in a flow's messages (Clopper-Pearson intervals)."""

    shares: dict[str, Estimate]
    """Class -> share, classes seen only; a message stating no priority counts as routine."""
    unstated: int
    """Messages that state no priority."""
    n: int

    def as_json(self) -> dict[str, object]:
        return {
            "shares": {cls: est.as_json() for cls, est in self.shares.items()},
            "unstated_counted_routine": self.unstated,
            "n": self.n,
        }


def fit_priority(entries: Sequence[LogEntry]) -> PriorityMix | None:
    """The flow's priority mix, or None when none of its messages states a priority.

    A message that states none is routine, as HL7 reads an empty priority (R is its default).
    """
    unstated = sum(1 for e in entries if e.priority is None)
    if unstated == len(entries):
        return None
    n = len(entries)
    counts = {cls: sum(1 for e in entries if e.priority == cls) for cls in PRIORITIES}
    counts["routine"] += unstated
    shares = {
        cls: Estimate(k / n, *share_interval(k, n), n, k) for cls, k in counts.items() if k > 0
    }
    return PriorityMix(shares, unstated, n)


@dataclass(frozen=True)
class NakShare:
    """The share of a system's responses that refused the message."""

    share: Estimate
    codes: dict[str, int]
    """Each response code seen, with its count."""

    def as_json(self) -> dict[str, object]:
        return {**self.share.as_json(), "codes": self.codes}


def fit_naks(entries: Sequence[LogEntry]) -> NakShare | None:
    """The negative ACK share of the entries' responses, or None when none was logged."""
    answered = [e for e in entries if e.ack_code is not None]
    if not answered:
        return None
    k = sum(1 for e in answered if e.nak)
    codes: dict[str, int] = {}
    for entry in answered:
        assert entry.ack_code is not None
        codes[entry.ack_code] = codes.get(entry.ack_code, 0) + 1
    n = len(answered)
    return NakShare(Estimate(k / n, *share_interval(k, n), n, k), dict(sorted(codes.items())))
