"""What a comparison may claim: paired differences, the Pareto front, trade-offs, warnings.

A ranking of means alone misleads in four ways, and each has a function here:

- two variants whose means differ by noise look ranked. Under common random numbers
  replication i of every variant runs on the same random numbers, so the replications are
  paired: :func:`paired_difference` takes the per-replication differences and their t-based
  95 % interval. A variant is distinguishable from the best when that interval excludes 0.
- a variant can win on the ranking metric by giving work up (expiring messages to paper,
  shedding, dead-lettering, losing, duplicating): :func:`trade_offs` (from
  :mod:`sim.experiments.tradeoffs`) finds the variants that rank above the baseline while
  doing more of that than the baseline.
- one metric hides the others: :func:`pareto_front` names the variants no other variant beats
  on every compared metric at once.
- too few replications, or a variant that is the baseline under another name:
  :func:`replication_warning` and :func:`identical_variants`.

Pure functions of figures and plain values (the scenario's canonical key excepted), so that
each verdict can be tested with numbers worked out by hand.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from sim.experiments.figures import Figure, Score, score
from sim.experiments.tradeoffs import GIVE_UP, GivenUp, TradeOff, given_up, trade_offs
from sim.metrics.registry import higher_is_better
from sim.metrics.stats import mean_ci, round_tree

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

__all__ = [
    "ENOUGH_REPLICATIONS",
    "GIVE_UP",
    "GivenUp",
    "PairedDifference",
    "TradeOff",
    "Verdicts",
    "dominates",
    "given_up",
    "identical_variants",
    "judge",
    "paired_difference",
    "paired_values",
    "pareto_front",
    "replication_warning",
    "scenario_key",
    "trade_offs",
    "warnings_for",
    "zero_metrics",
]

ENOUGH_REPLICATIONS: Final = 5
"""Fewer replications per variant than this draw a warning: the t quantile of the paired
interval is 2.78 at 5 replications, against 12.7 at 2."""

_NOT_THE_SCENARIO: Final = ("name", "title", "compare", "seed", "replications", "hypotheses")
"""Keys that do not change what a variant simulates under compare: its names, its variants,
the seed and replications (compare runs every variant on the base's) and the hypotheses
(judged on the results, not simulated)."""


@dataclass(frozen=True)
class PairedDifference:
    """The per-replication difference of a variant to a reference, and its 95 % interval.

    Attributes:
        pairs: Replications where both have a value (the others are left out).
        mean: The mean difference, variant minus reference (``None`` without pairs).
        ci95: The t-based 95 % interval of the mean difference (``None`` with fewer than two
            pairs: no interval can be computed).
    """

    pairs: int
    mean: float | None
    ci95: tuple[float, float] | None

    @property
    def distinguishable(self) -> bool | None:
        """Whether the interval excludes 0 (``None`` when there is no interval)."""
        if self.ci95 is None:
            return None
        low, high = self.ci95
        return not low <= 0.0 <= high

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PairedDifference:
        """The difference :meth:`to_json` wrote."""
        ci = data.get("ci95")
        mean = data.get("mean")
        return cls(
            int(data["pairs"]),
            None if mean is None else float(mean),
            None if ci is None else (float(ci[0]), float(ci[1])),
        )

    def to_json(self) -> dict[str, Any]:
        """``{"pairs", "mean", "ci95", "distinguishable"}`` (six decimals)."""
        data = {
            "pairs": self.pairs,
            "mean": self.mean,
            "ci95": list(self.ci95) if self.ci95 is not None else None,
            "distinguishable": self.distinguishable,
        }
        return dict(round_tree(data))


def paired_difference(
    values: Sequence[float | None], reference: Sequence[float | None]
) -> PairedDifference:
    """The difference ``values[i] - reference[i]`` per replication i, its mean and interval.

    The interval is the t-interval of the differences (not of two independent means): under
    common random numbers what both variants share (the arrivals of replication i) cancels.

    Args:
        values: The variant's value in each replication (``None`` where it has none).
        reference: The reference's, in the same replication order.

    Raises:
        ValueError: The sequences differ in length.
    """
    diffs = [
        v - r for v, r in zip(values, reference, strict=True) if v is not None and r is not None
    ]
    if not diffs:
        return PairedDifference(0, None, None)
    mean, low, high = mean_ci(diffs)
    return PairedDifference(len(diffs), mean, (low, high) if len(diffs) > 1 else None)


def paired_values(fig: Figure) -> list[float | None]:
    """A figure's values for pairing: a recovery time with no fault to recover from in any
    replication counts as 0, as in the ranking; every other null stays out of the pairs."""
    if fig.values and fig.no_fault == len(fig.values):
        return [0.0] * len(fig.values)
    return list(fig.values)


def dominates(a: Sequence[Score], b: Sequence[Score]) -> bool:
    """Whether scores ``a`` are at least as good as ``b`` on every metric and better on one
    (lower is better)."""
    return all(x <= y for x, y in zip(a, b, strict=True)) and any(
        x < y for x, y in zip(a, b, strict=True)
    )


def pareto_front(scores: Mapping[str, Sequence[Score]]) -> list[str]:
    """The names no other name dominates, in the given order.

    Names with equal scores do not dominate each other: both stay on the front (or both off).

    Args:
        scores: Name -> its score on each metric, lower is better (see
            :func:`sim.experiments.figures.score`).
    """
    return [
        name
        for name, mine in scores.items()
        if not any(dominates(theirs, mine) for other, theirs in scores.items() if other != name)
    ]


def scenario_key(scenario: Scenario) -> str:
    """A hash of what a scenario simulates under compare: the resolved scenario without the
    keys compare overrides or does not simulate (names, variants, seed, replications,
    hypotheses)."""
    data = scenario.model_dump(mode="json", by_alias=True)
    for key in _NOT_THE_SCENARIO:
        data.pop(key, None)
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def identical_variants(keys: Mapping[str, str]) -> list[tuple[str, str]]:
    """Each variant whose key equals an earlier variant's, with the first of that key.

    Args:
        keys: Variant name -> :func:`scenario_key`, the baseline first.

    Returns:
        ``(variant, same_as)`` pairs in the given order.
    """
    first: dict[str, str] = {}
    out = []
    for name, key in keys.items():
        if key in first:
            out.append((name, first[key]))
        else:
            first[key] = name
    return out


def replication_warning(replications: int) -> str | None:
    """The warning for fewer than :data:`ENOUGH_REPLICATIONS` replications (``None`` if enough)."""
    if replications >= ENOUGH_REPLICATIONS:
        return None
    advice = f"run {ENOUGH_REPLICATIONS} or more replications"
    if replications == 1:
        return (
            "one replication per variant: no interval can be computed, so the order of the "
            f"variants is not a ranking; {advice}"
        )
    return (
        f"only {replications} replications per variant: the 95% intervals are wide and "
        f"differences may not be distinguishable; {advice}"
    )


def _identical_warning(variant: str, same_as: str) -> str:
    return (
        f"variant {variant!r} resolves to the same scenario as {same_as!r}: its figures can "
        "only repeat those (check its overlay)"
    )


def zero_metrics(metrics: Sequence[str], figures: Iterable[Mapping[str, Figure]]) -> list[str]:
    """The metrics whose every value, in every replication of every variant, is 0."""
    variants = list(figures)
    return [
        m
        for m in metrics
        if variants and all(v[m].values and all(x == 0.0 for x in v[m].values) for v in variants)
    ]


@dataclass(frozen=True)
class Verdicts:
    """What a comparison may claim beyond its means.

    Attributes:
        metric: The ranking metric (the first compared).
        higher_is_better: Its direction in the metric registry.
        best: The variant ranked first.
        paired: Every other variant -> its paired difference to the best on the ranking
            metric.
        pareto: The variants on the Pareto front of the compared metrics' means, best first.
        trade_offs: The variants that rank above the baseline by giving up more work.
        identical: ``(variant, same_as)``: variants that resolve to an earlier one's scenario.
        warnings: Sentences for people: too few replications, identical variants.
    """

    metric: str
    higher_is_better: bool
    best: str
    paired: dict[str, PairedDifference] = field(default_factory=dict)
    pareto: list[str] = field(default_factory=list)
    trade_offs: list[TradeOff] = field(default_factory=list)
    identical: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The keys a comparison's summary.json gains: ``ranked_by``, ``paired``, ``pareto``,
        ``trade_offs``, ``identical``, ``warnings``."""
        return {
            "ranked_by": {
                "metric": self.metric,
                "better": "higher" if self.higher_is_better else "lower",
            },
            "paired": {
                "reference": self.best,
                "metric": self.metric,
                "difference": "variant minus reference, per replication",
                "variants": {name: d.to_json() for name, d in self.paired.items()},
            },
            "pareto": list(self.pareto),
            "trade_offs": [t.to_json() for t in self.trade_offs],
            "identical": [{"variant": v, "same_as": s} for v, s in self.identical],
            "warnings": list(self.warnings),
        }


def warnings_for(replications: int, identical: Sequence[tuple[str, str]]) -> list[str]:
    """The comparison's warnings: too few replications, then each identical variant."""
    few = replication_warning(replications)
    return [*([few] if few else []), *(_identical_warning(v, s) for v, s in identical)]


def judge(
    figures: Mapping[str, Mapping[str, Figure]],
    metrics: Sequence[str],
    ranking: Sequence[str],
    *,
    baseline: str,
    counts: Mapping[str, Mapping[str, float]],
    keys: Mapping[str, str],
    replications: int,
) -> Verdicts:
    """Every verdict of a comparison.

    Args:
        figures: Variant name -> metric -> its figure.
        metrics: The compared metrics; the first ranks.
        ranking: Variant names, best first.
        baseline: The variant trade-offs are measured against (the scenario as written).
        counts: Variant name -> :data:`GIVE_UP` counter -> its mean.
        keys: Variant name -> :func:`scenario_key`.
        replications: Replications per variant.
    """
    first = metrics[0]
    best = ranking[0]
    reference = paired_values(figures[best][first])
    paired = {
        name: paired_difference(paired_values(figures[name][first]), reference)
        for name in ranking[1:]
    }
    front = set(pareto_front({n: [score(figures[n][m]) for m in metrics] for n in figures}))
    identical = identical_variants(keys)
    return Verdicts(
        metric=first,
        higher_is_better=higher_is_better(first),
        best=best,
        paired=paired,
        pareto=[n for n in ranking if n in front],
        trade_offs=trade_offs(figures, metrics, ranking, baseline, counts),
        identical=identical,
        warnings=warnings_for(replications, identical),
    )
