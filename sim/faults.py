"""The fault catalogue: each kind is a small class registered by its YAML name.

A fault acts on the world's objects at its start (`apply`) and undoes exactly that at its end
(`revert`), so faults may overlap: every effect is a counter or a factor, never a flag.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from sim.registry import Registry

if TYPE_CHECKING:
    from sim.model.world import World
    from sim.scenario.schema import Fault as FaultSpec

FAULTS: Registry[type[Fault]] = Registry("fault kind", "kind")
"""Every fault kind by its YAML name."""


register_fault = FAULTS.register


class Fault:
    """One scheduled fault."""

    kind: ClassVar[str] = ""

    def __init__(self, spec: FaultSpec) -> None:
        self.spec = spec
        self.at = spec.at
        self.end: float | None = spec.at + spec.duration if spec.duration is not None else None
        """When the fault ends (None: it ends by other means, e.g. a fix)."""
        self.resolved: float | None = None
        """For a fault that ends by other means: when it did."""
        self.extra_msg: Any = None

    @property
    def label(self) -> str:
        """The name a person gave it, or its kind."""
        return self.spec.name or self.kind

    @property
    def severity(self) -> float:
        """Its severity: every kind that reads one requires it, but engine-stall, whose default
        (1) validation fills in."""
        severity = self.spec.severity
        assert severity is not None, f"a {self.kind} fault without a severity"
        return severity

    def targets(self, world: World) -> list[str]:
        """What it hits: its target as written (a node index, a flow id, ``all``); none for an
        engine-wide fault.  (Only system faults take a list, and they say so themselves.)"""
        t = self.spec.target
        return [] if t is None else [str(t)]

    def target_text(self, world: World) -> str:
        """Its target for events.csv: what it hits, separated by ``;``."""
        return ";".join(self.targets(world))

    def apply(self, world: World) -> None:
        """Start the fault's effect."""

    def revert(self, world: World) -> None:
        """End the fault's effect."""

    def arrival_factor(self, flow_id: str) -> float | None:
        """The factor on a flow's arrival rate while the fault lasts (None: no effect)."""
        return None

    def acts_on_channel(self, world: World, system: str, flows: Sequence[str]) -> bool:
        """Whether the fault acts on the channel to `system` that carries `flows`.

        An engine-wide fault (the default) acts on every channel; a system fault on its
        targets' channels; a surge on the channels of its flows.
        """
        return True


def _systems(spec: FaultSpec, world: World) -> list[str]:
    """The systems a system fault hits: those named, or for ``all`` every one but ``ehr``."""
    t = spec.target
    if t is None or t == "all":
        return [s for s in world.systems if s != "ehr"]
    if isinstance(t, tuple | list):
        return list(dict.fromkeys(str(x) for x in t))
    return [str(t)]


class SystemFault(Fault):
    """A fault on systems: one, a list, or ``all`` (every system under ``systems`` but ehr)."""

    def targets(self, world: World) -> list[str]:
        return _systems(self.spec, world)


@register_fault("engine-stall")
class EngineStall(Fault):
    """The integration servers stop moving messages.

    `hold`: they keep accepting and persisting, sends stop (the backlog is in the channel
    queues).  `refuse`: they stop accepting (the backlog is in the senders' outbound queues).
    With severity s < 1 the channels move messages only (1 - s) of the time: they are paused
    for s of every minute.
    """

    PERIOD = 60.0

    def apply(self, world: World) -> None:
        if self.spec.mode == "refuse":
            world.engine.refuse()
        elif self.severity >= 1.0:
            world.pause_sending()
        else:
            world.duty_cycle(self, self.severity, self.PERIOD)

    def revert(self, world: World) -> None:
        # the share is of the messages held at the end: marked before any of them is sent
        if self.spec.poison_share > 0:
            world.poison_backlog(self.spec.poison_share, self.spec.code)
        if self.spec.mode == "refuse":
            world.engine.accept_again()
        elif self.severity >= 1.0:
            world.resume_sending()
        else:
            world.end_duty_cycle(self)


@register_fault("engine-slowdown")
class EngineSlowdown(Fault):
    """Transforms take `severity` times as long."""

    def apply(self, world: World) -> None:
        world.engine.slow *= self.severity

    def revert(self, world: World) -> None:
        world.engine.slow /= self.severity


@register_fault("system-outage")
class SystemOutage(SystemFault):
    """The system is down: sends to it time out, and what it sends waits in its outbox."""

    def acts_on_channel(self, world: World, system: str, flows: Sequence[str]) -> bool:
        """It acts on its target systems' channels."""
        return system in _systems(self.spec, world)

    def apply(self, world: World) -> None:
        for sid in _systems(self.spec, world):
            world.cut_off(sid, 1)

    def revert(self, world: World) -> None:
        for sid in _systems(self.spec, world):
            world.cut_off(sid, -1)


@register_fault("partition")
class Partition(SystemOutage):
    """The engine and these systems cannot reach each other: sends time out both ways."""


@register_fault("system-slowdown")
class SystemSlowdown(SystemFault):
    """Filing and ACKs take `severity` times as long."""

    def acts_on_channel(self, world: World, system: str, flows: Sequence[str]) -> bool:
        """It acts on its target systems' channels."""
        return system in _systems(self.spec, world)

    def apply(self, world: World) -> None:
        for sid in _systems(self.spec, world):
            world.systems[sid].slow *= self.severity

    def revert(self, world: World) -> None:
        for sid in _systems(self.spec, world):
            world.systems[sid].slow /= self.severity


@register_fault("ack-loss")
class AckLoss(SystemFault):
    """A share of ACKs is lost: the message was filed, the engine times out and resends."""

    def acts_on_channel(self, world: World, system: str, flows: Sequence[str]) -> bool:
        """It acts on its target systems' channels."""
        return system in _systems(self.spec, world)

    def apply(self, world: World) -> None:
        for sid in _systems(self.spec, world):
            world.systems[sid].add_ack_loss(self.severity)

    def revert(self, world: World) -> None:
        for sid in _systems(self.spec, world):
            world.systems[sid].remove_ack_loss(self.severity)


@register_fault("surge")
class Surge(Fault):
    """Arrivals of the target flow (or of all flows) are multiplied by `severity`."""

    def arrival_factor(self, flow_id: str) -> float | None:
        # its target is one flow id or `all` (validation fills `all` in and refuses lists)
        return self.severity if self.spec.target in ("all", flow_id) else None

    def acts_on_channel(self, world: World, system: str, flows: Sequence[str]) -> bool:
        """It acts on the channels of the flows it multiplies."""
        return any(self.arrival_factor(fid) is not None for fid in flows)


@register_fault("poison-message")
class PoisonMessage(SystemFault):
    """The next message sent to the system after `at` is answered with `code` until it is
    fixed by an analyst or leaves for good (dead-lettered, expired, shed or lost); that is when
    the fault ends."""

    def apply(self, world: World) -> None:
        sid = str(self.spec.target)
        world.arm_poison(self, sid, self.spec.code)

    def acts_on_channel(self, world: World, system: str, flows: Sequence[str]) -> bool:
        """It acts on its target's channel."""
        return system == str(self.spec.target)


@register_fault("node-crash")
class NodeCrash(Fault):
    """An integration server node dies at `at` and is repaired after `for`.

    With `engine.failover.mode: active-passive` the engine stops accepting and sending until the
    passive node has taken over (`detect` + `switch`), or until the repair if there is no
    other node.  With `active-active` the survivors carry on.  A `memory` store loses every
    message the node held; a `durable` one loses nothing.
    """

    def apply(self, world: World) -> None:
        world.crash_node(self._node())

    def revert(self, world: World) -> None:
        world.repair_node(self._node())

    def _node(self) -> int:
        target = self.spec.target
        assert isinstance(target, int), "validation fills node 0 in and refuses anything else"
        return target
