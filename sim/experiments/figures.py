"""A compared metric over the replications of one variant, and the ranking of variants.

:class:`Figure` holds one metric's per-replication values (replication i of every variant ran
on the same random numbers, so the values are paired across variants); :func:`rank` orders
variants by their figures, and :func:`score` is the sort key the ranking and the Pareto front
(:mod:`sim.experiments.verdicts`) share.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sim.metrics.registry import higher_is_better, lookup
from sim.metrics.stats import mean_ci, round_tree

if TYPE_CHECKING:
    from sim.experiments.run import ReplicationResult

__all__ = ["Figure", "Score", "figures", "figures_of", "is_recovery_metric", "rank", "score"]

Score = tuple[int, float]
"""A figure's sort key, lower is better: (replications whose null counts against it, the mean
signed so that lower is better)."""


def is_recovery_metric(metric: str) -> bool:
    """Whether a metric is a recovery time: null there means "did not recover" or "no fault"."""
    return metric.rsplit(".", 1)[-1] in ("recovery_time_s", "people_recovery_time_s")


@dataclass(frozen=True)
class Figure:
    """One metric of one variant over the replications.

    Attributes:
        metric: The metric's path in summary.json.
        values: Each replication's value (``None`` where it is null or missing), in
            replication order.
        no_fault: For recovery metrics, the replications whose value is null because they had
            no fault to recover from (0 for other metrics).
    """

    metric: str
    values: tuple[float | None, ...]
    no_fault: int = 0

    @property
    def numbers(self) -> list[float]:
        """The non-null values."""
        return [v for v in self.values if v is not None]

    @property
    def nulls(self) -> int:
        """Replications whose value is null (for a recovery metric: did not recover, or had no
        fault)."""
        return sum(v is None for v in self.values)

    @property
    def missing(self) -> int:
        """Null values that count against the variant: every null but the no-fault ones."""
        return self.nulls - self.no_fault

    @property
    def mean(self) -> float | None:
        """The mean of the non-null values (``None`` when every value is null)."""
        nums = self.numbers
        return mean_ci(nums)[0] if nums else None

    @property
    def ci95(self) -> tuple[float, float] | None:
        """The t-based 95 % interval of the mean (``None`` with fewer than two values).

        Like summary.json's ``ci95``, it is cut at 0 when no value is negative (counts, times
        and shares cannot be).
        """
        nums = self.numbers
        if len(nums) < 2:
            return None
        _, lo, hi = mean_ci(nums)
        if min(nums) >= 0:
            lo = max(lo, 0.0)
        return lo, hi

    def rank_key(self) -> tuple[int, float]:
        """Sort key, lower is better: nulls that count against it first, then the mean.

        A variant that did not recover in k replications ranks below every variant that
        always recovered, whatever its mean over the others; a variant with no fault at all
        (no recovery to make) ranks as a recovery time of zero.
        """
        mean = self.mean
        if mean is None:
            mean = 0.0 if self.missing == 0 else math.inf
        return self.missing, mean

    @classmethod
    def from_json(cls, metric: str, data: Mapping[str, Any]) -> Figure:
        """The figure :meth:`to_json` wrote (its values as summary.json rounds them)."""
        values = tuple(None if v is None else float(v) for v in data["values"])
        return cls(metric, values, int(data.get("no_fault", 0)))

    def to_json(self) -> dict[str, Any]:
        """``{"mean", "ci95", "values", "nulls", "no_fault"}`` for summary.json (six decimals)."""
        ci = self.ci95
        data: dict[str, Any] = {
            "mean": self.mean,
            "ci95": list(ci) if ci is not None else None,
            "values": list(self.values),
            "nulls": self.nulls,
            "no_fault": self.no_fault,
        }
        return dict(round_tree(data))


def figures(metrics: Sequence[str], reps: Sequence[ReplicationResult]) -> dict[str, Figure]:
    """Each metric's per-replication values, from the replications' own summaries."""
    return figures_of(metrics, [rep.summary for rep in reps])


def figures_of(metrics: Sequence[str], summaries: Sequence[Mapping[str, Any]]) -> dict[str, Figure]:
    """Each metric's per-replication values, from each replication's summary (in order)."""
    out = {}
    for metric in metrics:
        values: list[float | None] = []
        no_fault = 0
        for summary in summaries:
            try:
                value = lookup(summary, metric)
            except KeyError:
                value = None
            number = _number(value)
            values.append(number)
            if (
                number is None
                and is_recovery_metric(metric)
                and summary.get("recovered_share") is None
            ):
                no_fault += 1
        out[metric] = Figure(metric, tuple(values), no_fault)
    return out


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def score(fig: Figure) -> Score:
    """A figure's sort key, lower is better: :meth:`Figure.rank_key` with the mean negated for
    the registry's higher-is-better metrics (goodput, recovered share, delivered)."""
    missing, mean = fig.rank_key()
    return missing, -mean if higher_is_better(fig.metric) else mean


def rank(figures: Mapping[str, Mapping[str, Figure]], metrics: Sequence[str]) -> list[str]:
    """Variant names, best first: by the first metric, ties by the next.

    Lower is better, except for the registry's higher-is-better metrics (goodput, recovered
    share, delivered).

    Args:
        figures: Variant name -> metric -> its figure.
        metrics: The metrics to rank by, in order.

    Returns:
        The names, best first; variants that tie on every metric keep their given order.
    """

    def key(name: str) -> tuple[Score, ...]:
        return tuple(score(figures[name][m]) for m in metrics)

    return sorted(figures, key=key)
