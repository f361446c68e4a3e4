"""Which replications a run's plots over time draw, and how the title says so."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.report.plots.series import BAND, Series, across, one

if TYPE_CHECKING:
    from sim.experiments.run import ReplicationResult

__all__ = ["Drawn", "drawn"]


@dataclass(frozen=True)
class Drawn:
    """The replications a plot draws: all of them (mean and band) or one chosen."""

    reps: Sequence[ReplicationResult]
    """The replications whose faults and guard stops are shown."""
    chosen: ReplicationResult | None
    total: int

    def series(self, column: str) -> Series:
        """The column as drawn: the chosen replication's samples, or the mean and band."""
        if self.chosen is not None:
            return one(self.chosen, column)
        return across(self.reps, column)

    @property
    def what(self) -> str:
        """Says what the lines are, for a subtitle."""
        if self.chosen is not None:
            return f"replication {self.chosen.index + 1} of {self.total}"
        if self.total == 1:
            return "one replication"
        low, high = (f"{p:g}" for p in BAND)
        return (
            f"mean of {self.total} replications; shaded: {low}th to {high}th percentile "
            "across them at each time"
        )


def drawn(reps: Sequence[ReplicationResult], chosen: int | None) -> Drawn:
    """All replications, or the one at index ``chosen`` (0-based).

    Raises:
        IndexError: When ``chosen`` names no replication of the run.
    """
    if chosen is None:
        return Drawn(reps, None, len(reps))
    if not 0 <= chosen < len(reps):
        raise IndexError(f"replication {chosen + 1}: the run has {len(reps)}")
    return Drawn([reps[chosen]], reps[chosen], len(reps))
