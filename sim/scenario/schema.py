"""The typed, immutable scenario: pydantic models of every key of the format.

Units are resolved here, once: durations are float seconds, rates float per second, clock times
float seconds from ``start``, distributions :class:`~sim.distributions.Distribution` objects.
Models are frozen and forbid unknown keys. Checks that span several parts of the file (a flow's
systems exist, a reply flow runs back, a fault's target exists) live in :mod:`.checks`, so that
all of them are reported together; the models check what one mapping can check on its own.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, PlainValidator, WithJsonSchema, model_validator

from sim.distributions import Constant
from sim.scenario.channels import channel_data
from sim.scenario.csvdata import CLASSES, PriorityClass, TraceRow
from sim.scenario.incidents import Alert, Analysts, Clerks, Fallback, Fault, Hypothesis, Staff
from sim.scenario.kinds import (
    DEFAULT_START,
    Count,
    DateTime,
    Dist,
    Duration,
    Flag,
    FrozenModel,
    Id,
    Name,
    Natural,
    Offset,
    Rate,
    Text,
    choice,
    fail,
)
from sim.scenario.params import parse_count, parse_overlays
from sim.scenario.profiles import FLAT
from sim.scenario.shapes import After, ClassDurations, Profile, Share, TraceValue, Week
from sim.scenario.strategy import (
    CHANNEL_KEYS,
    Action,
    Breaker,
    ChannelStrategy,
    DisciplineSpec,
    Drain,
    Expire,
    OnReply,
    Retry,
    Strategy,
)

__all__ = [
    "CLASSES",
    "Action",
    "Alert",
    "Analysts",
    "Breaker",
    "ChannelStrategy",
    "Clerks",
    "DisciplineSpec",
    "Drain",
    "Engine",
    "Expire",
    "Failover",
    "Fallback",
    "Fault",
    "Flow",
    "Hypothesis",
    "Limits",
    "OnReply",
    "PriorityClass",
    "Reply",
    "Retry",
    "Scenario",
    "Staff",
    "Strategy",
    "System",
    "TraceRow",
]


def _shares(**shares: float) -> dict[PriorityClass, float]:
    return {cls: shares[cls] for cls in CLASSES if cls in shares}


class Limits(FrozenModel):
    """Guards per replication: expected messages, queued messages, wall-clock time (seconds)."""

    messages: Count = 50_000_000
    queued: Count = 10_000_000
    wall: Duration | None = None


class Failover(FrozenModel):
    """What a node crash triggers: how the engine notices (``detect``) and moves (``switch``)."""

    mode: Annotated[
        Literal["active-passive", "active-active"],
        choice("active-passive", "active-active", what="failover mode"),
    ] = "active-passive"
    detect: Duration = 120.0
    switch: Duration = 300.0


class Engine(FrozenModel):
    """The integration engine: nodes, failover, message store, transform station."""

    nodes: Count = 1
    failover: Failover = Field(default_factory=Failover)
    store: Annotated[Literal["durable", "memory"], choice("durable", "memory", what="store")] = (
        "durable"
    )
    cores: Count = 4
    transform: Dist = Field(default_factory=lambda: Constant(0.010))


class System(FrozenModel):
    """A receiving system: ACK time, outbound connections, filing capacity, ACK timeout.

    ``strategy`` is its channel's own strategy when the file gives it one: the whole effective
    strategy of the channel (the system's keys merged over the top-level ones when the
    scenario is validated), or None to follow the top-level ``strategy``.
    """

    ack: Dist
    connections: Count = 1
    capacity: Rate | None = None
    timeout: Duration = 30.0
    strategy: ChannelStrategy | None = None


class Reply(FrozenModel):
    """Results an order produces, on another flow, after a turnaround time."""

    flow: Id
    count: Annotated[
        float,
        PlainValidator(parse_count),
        WithJsonSchema({"type": "number", "minimum": 1}),
    ] = 1.0
    after: After


class Flow(FrozenModel):
    """A stream of messages from a sender to a receiver (one of them the EHR)."""

    source: Id = Field(alias="from")
    to: Id
    message: Text = ""
    rate: Rate | None = None
    trace: TraceValue | None = None
    profile: Profile | None = None
    week: Week | None = None
    priority: Share = Field(default_factory=lambda: _shares(routine=1.0))
    deadline: ClassDurations | None = None
    reply: Reply | None = None


_LISTS = ("faults", "alerts", "hypotheses", "compare")


def _with_channel_strategy(system: Any, top: Any) -> Any:
    """A system's raw mapping with its own strategy merged over the top-level one."""
    if not isinstance(system, dict) or system.get("strategy") is None:
        return system
    return {**system, "strategy": channel_data(top, system["strategy"])}


class Scenario(FrozenModel):
    """A whole scenario, validated and with every unit resolved (seconds, per second)."""

    name: Name
    title: Text = ""
    partial: Flag = False
    seed: Natural = 1
    start: DateTime = DEFAULT_START
    horizon: Duration | None = None
    warmup: Offset = 0.0
    replications: Count = 1
    profile: Profile = FLAT
    week: Week = (1.0,) * 7
    sample_every: Duration = 60.0
    limits: Limits = Field(default_factory=Limits)
    patients: Count = 100_000
    flows: dict[Id, Flow] = Field(default_factory=dict)
    engine: Engine = Field(default_factory=Engine)
    systems: dict[Id, System] = Field(default_factory=dict)
    strategy: Strategy = Field(default_factory=Strategy)
    compare: Annotated[
        dict[str, dict[str, Any]],
        PlainValidator(parse_overlays),
        WithJsonSchema({"type": "object", "additionalProperties": {"type": "object"}}),
    ] = Field(default_factory=dict)
    faults: tuple[Fault, ...] = ()
    fallback: Fallback | None = None
    staff: Staff | None = None
    alerts: tuple[Alert, ...] = ()
    hypotheses: tuple[Hypothesis, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, data: Any) -> Any:
        """``title`` defaults to ``name``; an empty ``faults:`` (etc.) means none."""
        if not isinstance(data, dict):
            return data
        data = {key: value for key, value in data.items() if not (key in _LISTS and value is None)}
        if data.get("title") is None and isinstance(data.get("name"), str):
            data["title"] = data["name"]
        systems = data.get("systems")
        if isinstance(systems, dict):
            data["systems"] = {
                sid: _with_channel_strategy(system, data.get("strategy"))
                for sid, system in systems.items()
            }
        return data

    def channel_strategy(self, system_id: str) -> Strategy:
        """The effective strategy of the channel to ``system_id``.

        The top-level ``strategy`` with the system's own keys (``systems.<id>.strategy``)
        merged over it; ``queues`` is always the top-level one.
        """
        system = self.systems.get(system_id)
        own = system.strategy if system is not None else None
        if own is None:
            return self.strategy
        return self.strategy.model_copy(update={key: getattr(own, key) for key in CHANNEL_KEYS})

    @model_validator(mode="after")
    def _warmup_inside_horizon(self) -> Scenario:
        if self.horizon is not None and self.warmup >= self.horizon:
            raise fail(
                "warmup must end before the horizon; shorten warmup or lengthen horizon",
                key=("warmup",),
            )
        return self
