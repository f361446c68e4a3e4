"""The strategy under test: queue layout, ordering, discipline, retry and protections."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

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
    "CHANNEL_KEYS",
    "Action",
    "Breaker",
    "ChannelStrategy",
    "DisciplineSpec",
    "Drain",
    "Expire",
    "OnReply",
    "Retry",
    "Strategy",
    "channel_override_schema",
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


class ChannelStrategy(FrozenModel):
    """One channel's strategy: ordering, discipline, retry and protections.

    The top-level ``strategy`` sets it for every channel; ``systems.<id>.strategy`` overrides
    it key by key for that system's channel (engines configure queueing per channel, e.g.
    Mirth per destination connector). A key given as null takes its default.
    """

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

    @model_validator(mode="before")
    @classmethod
    def _nulls_take_defaults(cls, data: Any) -> Any:
        """``null`` clears a key (``retry: null`` is the default retry); ``queues`` is global."""
        if not isinstance(data, dict):
            return data
        if "queues" in data and "queues" not in cls.model_fields:
            raise fail(
                "'queues' is one layout for the whole engine, not a setting of one channel; "
                "set it under the top-level 'strategy'",
                key=("queues",),
            )
        return {key: value for key, value in data.items() if value is not None}

    @model_validator(mode="after")
    def _codel_needs_free_order(self) -> Self:
        if self.discipline.name == "codel" and self.order != "none":
            raise fail(
                f"codel drops from the head of a queue, which breaks 'order: {self.order}'; "
                "use codel with 'order: none', or another discipline",
                key=("discipline",),
            )
        return self


CHANNEL_KEYS: tuple[str, ...] = tuple(ChannelStrategy.model_fields)
"""The strategy keys a system may set for its own channel (all but ``queues``)."""


class Strategy(ChannelStrategy):
    """The engine's strategy under test: queues, ordering, discipline, retry and protections."""

    queues: Annotated[
        Literal["shared", "per-destination", "per-flow"],
        choice("shared", "per-destination", "per-flow", what="queue layout"),
    ] = "per-destination"


def _patch_schema(node: Any, defs: dict[str, Any]) -> Any:
    """A schema with its references inlined, nothing required and no defaults (an override's
    default is the top-level value)."""
    if isinstance(node, list):
        return [_patch_schema(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return _patch_schema(defs[ref[len("#/$defs/") :]], defs)
    patched = {
        key: _patch_schema(value, defs)
        for key, value in node.items()
        if key not in ("required", "$defs", "title", "default", "properties")
    }
    if isinstance(node.get("properties"), dict):  # property names are kept, whatever they are
        patched["properties"] = {
            name: _patch_schema(value, defs) for name, value in node["properties"].items()
        }
    return patched


def channel_override_schema() -> dict[str, Any]:
    """JSON Schema of ``systems.<id>.strategy``: any keys of a channel's strategy, or null.

    Nothing is required inside it (a partial ``breaker`` or ``retry`` takes the rest from the
    top-level strategy) and every key may be null (back to its default).
    """
    full = ChannelStrategy.model_json_schema(by_alias=True, mode="validation")
    defs = full.get("$defs", {})
    properties = {
        key: {"anyOf": [_patch_schema(value, defs), {"type": "null"}]}
        for key, value in full.get("properties", {}).items()
    }
    return {
        "description": "this system's channel: keys of the top-level strategy (all but "
        "queues), merged over it key by key; null clears an inherited key",
        "anyOf": [
            {"type": "object", "properties": properties, "additionalProperties": False},
            {"type": "null"},
        ],
    }
