"""How a replication ends after a fault: it recovers, it is still recovering, or it stays down.

A metastable failure is one that outlives its trigger: once the fault is gone, retries,
timeouts or the backlog itself keep the system overloaded, so it never gets back. The
metastability map (:mod:`sim.experiments.metastability`) sorts every replication into one of
three classes from what it did over the **last hour** of its horizon (the trigger ended
before that hour began):

- ``recovers``: the replication recovered within the horizon, as ``recovery_time_s`` of the
  format defines it (every queue back at its normal level and staying there 15 minutes);
- ``stays-degraded``: it did not recover, the backlog is **not falling** over the last hour,
  and **goodput is below arrivals** there (fewer messages delivered for the first time than
  created): the system is still overloaded, with no help from the trigger;
- ``recovering-at-horizon``: it did not recover, but it is not overloaded either: the backlog
  is falling over the last hour (it would recover, given time), or, rarely, it holds level
  while goodput keeps pace with arrivals.

"Falling" is read from the backlog samples (every message under way, the ``total`` column of
timeseries.csv): the least-squares line through the last hour's samples must drop, over the
hour, by more than :data:`FALL_FLOOR` messages and more than :data:`FALL_SHARE` of the mean
backlog in that hour (smaller drops are the noise of a level backlog). "Below" allows for the
Poisson noise of the arrivals' count: goodput is below arrivals when it falls short of them by
more than three standard deviations (``3 sqrt(arrivals)``), which a system that keeps pace
does about once in a thousand hours.

A point of the map has several replications; its class is the one most of them have, a tie
going to the worse class (``stays-degraded`` before ``recovering-at-horizon`` before
``recovers``): a map of what a design survives should not call a coin toss survival.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "CLASSES",
    "FALL_FLOOR",
    "FALL_SHARE",
    "RECOVERING",
    "RECOVERS",
    "RULE",
    "STAYS_DEGRADED",
    "WINDOW_S",
    "LastHour",
    "backlog_change",
    "classify",
    "falling",
    "goodput_below_arrivals",
    "point_class",
]

RECOVERS = "recovers"
RECOVERING = "recovering-at-horizon"
STAYS_DEGRADED = "stays-degraded"
CLASSES = (RECOVERS, RECOVERING, STAYS_DEGRADED)
"""The classes, best first."""

WINDOW_S = 3600.0
"""The window the classes read: the last hour of the horizon."""

RULE = (
    "recovers: recovered within the horizon (recovery_time_s); stays-degraded: not recovered, "
    "and over the last hour the backlog is not falling and goodput (messages delivered for "
    "the first time) is below arrivals by more than 3 sqrt(arrivals); recovering-at-horizon: "
    "not recovered and not overloaded (the backlog falls by more than max(5, 1 % of its mean) "
    "over the last hour, or goodput keeps pace with arrivals). A point takes the class of most "
    "of its replications, a tie going to the worse."
)
"""The rule in one paragraph, for the files a map writes."""

FALL_FLOOR = 5.0
"""The least drop over the hour that counts as falling, in messages (the format's smallest
normal level of a queue)."""
FALL_SHARE = 0.01
"""The least drop over the hour that counts as falling, as a share of the hour's mean
backlog."""


@dataclass(frozen=True)
class LastHour:
    """What a replication did over the last hour of its horizon.

    Attributes:
        times: The sample times in the window (seconds from the start), ascending.
        backlog: Messages under way at each of those times (created, not yet delivered or
            given up; in flight included).
        arrivals: Messages created in the window.
        goodput: Messages delivered for the first time in the window.
    """

    times: tuple[float, ...]
    backlog: tuple[float, ...]
    arrivals: int
    goodput: int


def backlog_change(times: Sequence[float], backlog: Sequence[float]) -> float:
    """The change of the least-squares line through the samples from the first time to the
    last (messages; negative when the backlog falls). 0 with fewer than two times."""
    n = len(times)
    if n < 2 or times[-1] <= times[0]:
        return 0.0
    mean_t = math.fsum(times) / n
    mean_b = math.fsum(backlog) / n
    sxx = math.fsum((t - mean_t) ** 2 for t in times)
    sxy = math.fsum((t - mean_t) * (b - mean_b) for t, b in zip(times, backlog, strict=True))
    return sxy / sxx * (times[-1] - times[0])


def falling(times: Sequence[float], backlog: Sequence[float]) -> bool:
    """Whether the backlog falls over the samples by more than noise (see the module)."""
    if len(backlog) < 2:
        return False
    level = math.fsum(backlog) / len(backlog)
    return backlog_change(times, backlog) < -max(FALL_FLOOR, FALL_SHARE * level)


def goodput_below_arrivals(goodput: int, arrivals: int) -> bool:
    """Whether fewer messages were delivered for the first time than were created, by more
    than the arrivals' Poisson noise (``3 sqrt(arrivals)``)."""
    return goodput < arrivals - 3.0 * math.sqrt(max(arrivals, 0))


def classify(recovered: bool, last: LastHour) -> str:
    """The class of one replication (see the module)."""
    if recovered:
        return RECOVERS
    if not falling(last.times, last.backlog) and goodput_below_arrivals(
        last.goodput, last.arrivals
    ):
        return STAYS_DEGRADED
    return RECOVERING


def point_class(classes: Sequence[str]) -> str:
    """The class most replications have; a tie goes to the worse class.

    Raises:
        ValueError: No classes, or one that is not a class.
    """
    if not classes:
        raise ValueError("a point needs at least one replication")
    unknown = [c for c in classes if c not in CLASSES]
    if unknown:
        raise ValueError(f"not a class: {unknown[0]!r} (one of {', '.join(CLASSES)})")
    counts = Counter(classes)
    return max(CLASSES, key=lambda c: (counts[c], CLASSES.index(c)))
