"""One replication of a point, with what it did over the last hour of its horizon.

The metastability map classifies a replication from its last hour (see
:mod:`sim.experiments.recovery_class`): the backlog samples in that hour, and how many
messages were created and delivered for the first time in it. The samples are the run's own;
the two counts need the world's counters at the hour's start, so a :class:`_Probe` schedules
one callback on the world's clock there, which reads the counters and changes nothing (the
replication's figures stay those of ``ehrsim run``; a test holds it).

:func:`run_last_hour_task` is a sweep task (:class:`~sim.experiments.sweep.Task` ->
:data:`~sim.experiments.sweep.Outcome`) whose outcome carries ``last_hour`` beside the
summary, so that :func:`sim.experiments.sweep.run_points` runs it on any executor and keeps
it in the cache under :data:`CACHE_KIND`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim.experiments.recovery_class import WINDOW_S, LastHour
from sim.experiments.run import replicate

if TYPE_CHECKING:
    from sim.experiments.sweep import Outcome, Task
    from sim.model.world import World

__all__ = ["CACHE_KIND", "last_hour_of", "run_last_hour_task"]

CACHE_KIND = "last-hour"
"""The cache's name for outcomes with ``last_hour`` (kept apart from a sweep's outcomes)."""


class _Probe:
    """Reads a world's counters at ``start`` and, after the run, what the last hour did."""

    def __init__(self, start: float) -> None:
        self.start = start
        self.world: World | None = None
        self.at_start: tuple[int, int] | None = None

    def attach(self, world: World) -> None:
        """Schedule the reading at ``start`` on the world's clock (before the world runs)."""
        self.world = world
        world.clock.call_in(self.start, self._read, None)

    def _read(self, _value: object) -> None:
        assert self.world is not None
        count = self.world.count
        self.at_start = (count.created, count.delivered)

    def figures(self) -> dict[str, Any] | None:
        """The last hour as plain data (``None`` when the run stopped before it began)."""
        world = self.world
        if world is None or self.at_start is None:
            return None
        times = world.samples.time_s
        total = world.samples.columns["total"]
        first = next((i for i, t in enumerate(times) if t >= self.start), len(times))
        created, delivered = self.at_start
        return {
            "start_s": self.start,
            "times": [float(t) for t in times[first:]],
            "backlog": [int(b) for b in total[first:]],
            "arrivals": world.count.created - created,
            "goodput": world.count.delivered - delivered,
        }


def run_last_hour_task(task: Task) -> Outcome:
    """Run one replication as ``ehrsim run`` runs replication ``task.index``, and read its
    last hour (:data:`~sim.experiments.recovery_class.WINDOW_S` before the horizon)."""
    scenario = task.scenario
    horizon = float(scenario.horizon or 0)
    probe = _Probe(horizon - WINDOW_S)
    rep = replicate(scenario, task.index, seed=scenario.seed, horizon=horizon, prepare=probe.attach)
    return {
        "summary": rep.summary,
        "complete": rep.complete,
        "stop_reason": rep.stop_reason,
        "last_hour": probe.figures() if rep.complete else None,
    }


def last_hour_of(outcome: Outcome) -> LastHour | None:
    """The outcome's last hour (``None`` when the replication stopped before its horizon)."""
    data = outcome.get("last_hour")
    if not data:
        return None
    return LastHour(
        tuple(float(t) for t in data["times"]),
        tuple(float(b) for b in data["backlog"]),
        int(data["arrivals"]),
        int(data["goodput"]),
    )
