"""Queue housekeeping: strategy keys that act on the waiting messages at each backlog sample.

A housekeeping rule is a small class registered by its `strategy` key, made for the channels
that have the same setting (a system's own strategy may differ); the world calls `tidy` at every
sample (the sampling step is the resolution of these rules). (Not to be confused with a
parameter sweep, :mod:`sim.experiments.sweep`.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from mypy_extensions import mypyc_attr

from sim.model.message import (
    EXPIRED,
    HELD,
    OUTBOUND,
    PARKED,
    QUEUED,
    TRANSFORM_QUEUE,
)
from sim.registry import Registry

if TYPE_CHECKING:
    from sim.model.world import World

HOUSEKEEPING: Registry[type[Housekeeping]] = Registry("housekeeping rule", "key")
"""Every housekeeping rule by its YAML name."""


register_housekeeping = HOUSEKEEPING.register


@mypyc_attr(allow_interpreted_subclasses=True)
class Housekeeping:
    """A rule applied to waiting messages at each sample."""

    key: ClassVar[str] = ""

    def __init__(self, spec: Any, channels: Sequence[str]) -> None:
        self.spec = spec
        self.channels = list(channels)
        """The channels (by system id) whose strategy has this setting."""

    def tidy(self, world: World, now: float) -> None:
        """Act on the world's waiting messages."""


WAITING_PLACES = frozenset((OUTBOUND, TRANSFORM_QUEUE, QUEUED, HELD, PARKED))
"""Where a message is waiting to be sent (not in a transform, a send or a retry)."""


class Expire(Housekeeping):
    """A message that has waited longer than `after` since its creation leaves for paper.

    It is counted in `expired`; an order's result is then phoned, as for the paper fallback,
    and a clerk back-enters it.  This trades messages for time: nothing old clogs the queue
    after a long outage, at the cost of paper work.
    """

    def tidy(self, world: World, now: float) -> None:
        after = float(self.spec.after)
        old = []
        for sid in self.channels:
            for msg in world.channels[sid].under_way:
                if now - msg.created <= after:
                    break
                if msg.place in WAITING_PLACES:
                    old.append(msg)
        if old:
            world.extract(old, EXPIRED)
            for msg in old:
                world.to_paper(msg)


HOUSEKEEPING.add("expire", Expire)
