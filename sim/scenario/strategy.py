"""The strategy under test: queue layout, ordering, discipline, retry and protections."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, PlainSerializer, PlainValidator, WithJsonSchema, model_validator

from sim.scenario.kinds import Count, Duration, FrozenModel, Rate, choice, fail
from sim.scenario.params import (
    DisciplineSpec,
    discipline_schema,
    discipline_text,
    parse_attempts,
    parse_discipline,
)

__all__ = [
    "Action",
    "Breaker",
    "DisciplineSpec",
    "Drain",
    "Expire",
    "OnReply",
    "Retry",
    "Strategy",
]


Action = Literal["retry", "park", "dead-letter", "suspend"]
_Action = Annotated[Action, choice("retry", "park", "dead-letter", "suspend", what="reply action")]


class Retry(FrozenModel):
    """When and how often a failed send is tried again, and what happens when it gives up."""

    backoff: Annotated[
        Literal["immediate", "fixed", "exponential"],
        choice("immediate", "fixed", "exponential", what="backoff"),
    ] = "fixed"
    first: Duration = 10.0
    cap: Duration = 300.0
    jitter: Annotated[
        Literal["none", "full", "equal", "decorrelated"],
        choice("none", "full", "equal", "decorrelated", what="jitter"),
    ] = "none"
    attempts: Annotated[
        int | None,
        PlainValidator(parse_attempts),
        WithJsonSchema({"anyOf": [{"type": "integer", "minimum": 1}, {"const": "unlimited"}]}),
    ] = None
    then: Annotated[
        Literal["dead-letter", "park"], choice("dead-letter", "park", what="final action")
    ] = "dead-letter"


class OnReply(FrozenModel):
    """What a negative ACK (AE, AR) or a timeout does to the message."""

    AE: _Action = "retry"
    AR: _Action = "dead-letter"
    timeout: _Action = "retry"


class Breaker(FrozenModel):
    """Per destination: open after ``after`` consecutive failures, for ``open`` seconds."""

    after: Count
    open: Duration


class Drain(FrozenModel):
    """A token bucket on each channel's sends (per second)."""

    rate: Rate


class Expire(FrozenModel):
    """A message waiting longer than ``after`` seconds leaves the queue for paper."""

    after: Duration
    to: Annotated[Literal["paper"], choice("paper", what="destination")] = "paper"


class Strategy(FrozenModel):
    """The engine's strategy under test: queues, ordering, discipline, retry and protections."""

    queues: Annotated[
        Literal["shared", "per-destination", "per-flow"],
        choice("shared", "per-destination", "per-flow", what="queue layout"),
    ] = "per-destination"
    order: Annotated[
        Literal["strict", "per-patient", "none"],
        choice("strict", "per-patient", "none", what="ordering"),
    ] = "none"
    discipline: Annotated[
        DisciplineSpec,
        PlainValidator(parse_discipline),
        PlainSerializer(discipline_text),
        WithJsonSchema(discipline_schema()),
    ] = Field(default_factory=DisciplineSpec)
    retry: Retry = Field(default_factory=Retry)
    on_reply: OnReply = Field(default_factory=OnReply)
    breaker: Breaker | None = None
    drain: Drain | None = None
    expire: Expire | None = None

    @model_validator(mode="after")
    def _codel_needs_free_order(self) -> Strategy:
        if self.discipline.name == "codel" and self.order != "none":
            raise fail(
                f"codel drops from the head of a queue, which breaks 'order: {self.order}'; "
                "use codel with 'order: none', or another discipline",
                key=("discipline",),
            )
        return self
