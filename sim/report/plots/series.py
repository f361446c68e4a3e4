"""A sampled column across replications: the mean and the 5th-95th percentile band per sample
time, or one chosen replication's values as they were sampled.

Plain numpy (no matplotlib), so what a plot draws can be checked against the samples directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from sim.experiments.run import ReplicationResult

__all__ = ["BAND", "Series", "across", "columns_of", "one"]

BAND = (5.0, 95.0)
"""The band's percentiles across replications, at each sample time."""

Array = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Series:
    """What a line of a plot shows: a value per sample time, and the band around it.

    Attributes:
        time_s: Simulated seconds of each sample.
        value: The mean over the replications at each time (or the one replication's value).
        low: The band's lower edge (5th percentile) per time; None without a band.
        high: The band's upper edge (95th percentile) per time; None without a band.
        replications: How many replications the value is taken over.
    """

    time_s: Array
    value: Array
    low: Array | None
    high: Array | None
    replications: int

    @property
    def peak(self) -> float:
        """The highest point drawn (the band's top where there is one)."""
        top = self.high if self.high is not None else self.value
        return float(np.nanmax(top)) if top.size else 0.0


def columns_of(reps: Sequence[ReplicationResult], prefix: str) -> list[str]:
    """The sampled columns whose names start with ``prefix``, in the order sampled."""
    names = dict.fromkeys(n for rep in reps for n in rep.samples.columns if n.startswith(prefix))
    return list(names)


def one(rep: ReplicationResult, column: str) -> Series:
    """One replication's samples of a column, exactly as sampled (no band)."""
    values = np.asarray(rep.samples.columns.get(column, ()), dtype=float)
    times = np.asarray(rep.samples.time_s, dtype=float)[: len(values)]
    return Series(times, values, None, None, 1)


def across(reps: Sequence[ReplicationResult], column: str, *, band: bool = True) -> Series:
    """The mean of a column over the replications at each sample time, with the band.

    Every replication samples at the same times from 0; one stopped early (at a guard) has
    fewer samples, and each time is taken over the replications that reached it. One
    replication, or ``band=False``, gives no band.
    """
    if len(reps) == 1:
        return one(reps[0], column)
    rows = [np.asarray(rep.samples.columns.get(column, ()), dtype=float) for rep in reps]
    longest = max(reps, key=lambda rep: len(rep.samples.time_s))
    times = np.asarray(longest.samples.time_s, dtype=float)
    table = np.full((len(rows), len(times)), np.nan)
    for i, row in enumerate(rows):
        table[i, : len(row)] = row
    reached = ~np.isnan(table).all(axis=0)
    times, table = times[reached], table[:, reached]
    mean = np.nanmean(table, axis=0)
    if not band:
        return Series(times, mean, None, None, len(reps))
    low, high = np.nanpercentile(table, BAND, axis=0)
    return Series(times, mean, low, high, len(reps))
