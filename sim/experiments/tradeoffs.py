"""Variants that win by giving work up: they rank above the baseline while more of their
messages expire to paper, are shed, dead-lettered, lost or filed twice, or more orders go on
paper. A ranking by recovery time alone would put such a variant first and hide the price;
:func:`trade_offs` finds it and keeps the figures a sentence needs
(:func:`sim.report.compare_text.trade_off_text`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sim.experiments.figures import Figure, score
from sim.metrics.registry import lookup
from sim.metrics.stats import round_tree

__all__ = ["GIVE_UP", "GivenUp", "TradeOff", "given_up", "trade_offs"]

GIVE_UP: Final = (
    "messages.expired",
    "messages.shed",
    "messages.dead_lettered",
    "messages.lost",
    "messages.duplicates",
    "messages.on_paper",
)
"""The counters of work given up: a message that expired to paper, was shed, dead-lettered,
lost or filed twice, and an order placed on paper instead."""


@dataclass(frozen=True)
class GivenUp:
    """One counter of work given up, the baseline's mean and the variant's."""

    counter: str
    baseline: float
    value: float

    @property
    def increase(self) -> float:
        """How much more the variant gives up than the baseline."""
        return self.value - self.baseline

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> GivenUp:
        """The counter :meth:`to_json` wrote (``increase`` follows from the other two)."""
        return cls(str(data["counter"]), float(data["baseline"]), float(data["value"]))

    def to_json(self) -> dict[str, Any]:
        """``{"counter", "baseline", "value", "increase"}`` (six decimals)."""
        data = {
            "counter": self.counter,
            "baseline": self.baseline,
            "value": self.value,
            "increase": self.increase,
        }
        return dict(round_tree(data))


@dataclass(frozen=True)
class TradeOff:
    """A variant that ranks above the baseline while giving up more work than it.

    Attributes:
        variant: The variant's name.
        baseline: The baseline's name.
        metric: The metric that puts the variant above the baseline (the first compared
            metric on which they differ).
        replications: Replications per variant.
        baseline_mean, mean: The metric's mean for the baseline and for the variant.
        baseline_missing, missing: Replications whose null counts against each (a recovery
            that did not happen).
        given_up: Each counter on which the variant gives up more, in :data:`GIVE_UP` order.
    """

    variant: str
    baseline: str
    metric: str
    replications: int
    baseline_mean: float | None
    mean: float | None
    baseline_missing: int
    missing: int
    given_up: tuple[GivenUp, ...]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TradeOff:
        """The trade-off :meth:`to_json` wrote."""

        def number(key: str) -> float | None:
            value = data.get(key)
            return None if value is None else float(value)

        return cls(
            variant=str(data["variant"]),
            baseline=str(data["baseline"]),
            metric=str(data["metric"]),
            replications=int(data["replications"]),
            baseline_mean=number("baseline_mean"),
            mean=number("mean"),
            baseline_missing=int(data["baseline_missing"]),
            missing=int(data["missing"]),
            given_up=tuple(GivenUp.from_json(g) for g in data["given_up"]),
        )

    def to_json(self) -> dict[str, Any]:
        """Every attribute (six decimals), ``given_up`` as a list of objects."""
        data = {
            "variant": self.variant,
            "baseline": self.baseline,
            "metric": self.metric,
            "replications": self.replications,
            "baseline_mean": self.baseline_mean,
            "mean": self.mean,
            "baseline_missing": self.baseline_missing,
            "missing": self.missing,
            "given_up": [g.to_json() for g in self.given_up],
        }
        return dict(round_tree(data))


def given_up(summary: Mapping[str, Any]) -> dict[str, float]:
    """Each :data:`GIVE_UP` counter of a summary (the mean over its replications; 0 if absent)."""
    out = {}
    for counter in GIVE_UP:
        try:
            value = lookup(summary, counter)
        except KeyError:
            value = None
        number = isinstance(value, int | float) and not isinstance(value, bool)
        out[counter] = float(value) if number else 0.0
    return out


def trade_offs(
    figures: Mapping[str, Mapping[str, Figure]],
    metrics: Sequence[str],
    ranking: Sequence[str],
    baseline: str,
    counts: Mapping[str, Mapping[str, float]],
) -> list[TradeOff]:
    """The variants that rank above the baseline and give up more work than it, best first.

    A counter counts when the variant's mean exceeds the baseline's by at least half a message
    (a difference that shows as at least 1 when rounded).

    Args:
        figures: Variant name -> metric -> its figure.
        metrics: The compared metrics, in ranking order.
        ranking: Variant names, best first.
        baseline: The variant the others are measured against.
        counts: Variant name -> :data:`GIVE_UP` counter -> its mean (see :func:`given_up`).
    """
    out = []
    base = figures[baseline]
    for name in ranking[: ranking.index(baseline)]:
        mine = figures[name]
        decisive = next((m for m in metrics if score(mine[m]) != score(base[m])), None)
        if decisive is None:
            continue
        more = tuple(
            GivenUp(c, counts[baseline][c], counts[name][c])
            for c in GIVE_UP
            if counts[name][c] - counts[baseline][c] >= 0.5
        )
        if not more:
            continue
        b, v = base[decisive], mine[decisive]
        n = len(v.values)
        out.append(
            TradeOff(name, baseline, decisive, n, b.mean, v.mean, b.missing, v.missing, more)
        )
    return out
