"""What happens to the hospital: faults, the paper fallback, staff, alerts and hypotheses."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    PlainSerializer,
    PlainValidator,
    SerializerFunctionWrapHandler,
    WithJsonSchema,
    model_serializer,
    model_validator,
)

from sim.distributions import Lognormal
from sim.scenario.csvdata import CLASSES, PriorityClass
from sim.scenario.faultkinds import FAULT_KINDS, FAULT_OPTIONS
from sim.scenario.kinds import (
    ClockTime,
    Count,
    Dist,
    Duration,
    Flag,
    Fraction,
    FrozenModel,
    Ident,
    Natural,
    Positive,
    Text,
    choice,
    fail,
)
from sim.scenario.params import parse_hypothesis_value, parse_metric, parse_target
from sim.scenario.shapes import ClassFractions

__all__ = ["Alert", "Analysts", "Clerks", "Fallback", "Fault", "Hypothesis", "Staff"]


def _shares(**shares: float) -> dict[PriorityClass, float]:
    return {cls: shares[cls] for cls in CLASSES if cls in shares}


class Fault(FrozenModel):
    """One fault on the timeline; ``kind`` is a key of :data:`FAULT_KINDS`, whose rules apply."""

    kind: Annotated[str, choice(*FAULT_KINDS, what="fault kind")]
    name: Text | None = None
    at: ClockTime
    duration: Duration | None = Field(None, alias="for")
    target: Annotated[
        str | int | tuple[str, ...] | None,
        PlainValidator(parse_target),
        PlainSerializer(lambda value: list(value) if isinstance(value, tuple) else value),
        WithJsonSchema(
            {
                "description": "a system id, a flow id, 'all', a node index or a list of systems",
                "anyOf": [
                    {"type": "string"},
                    {"type": "integer", "minimum": 0},
                    {"type": "array", "items": {"type": "string"}},
                ],
            }
        ),
    ] = None
    severity: Positive | None = None
    mode: Annotated[Literal["hold", "refuse"], choice("hold", "refuse", what="stall mode")] = "hold"
    poison_share: Fraction = 0.0
    code: Annotated[Literal["AE", "AR"], choice("AE", "AR", what="reply code")] = "AE"

    @model_validator(mode="before")
    @classmethod
    def _kind_defaults(cls, data: Any) -> Any:
        """Fill the defaults that depend on the kind: engine-stall severity 1, target 'all' or 0.

        A target stays as written (a system, a list of systems, ``all``), so the resolved
        scenario reads like its source.
        """
        if not isinstance(data, dict) or not isinstance(data.get("kind"), str):
            return data
        kind = FAULT_KINDS.get(data["kind"])
        if kind is None:
            return data
        data = dict(data)
        if data.get("severity") is None and kind.severity_default is not None:
            data["severity"] = kind.severity_default
        if data.get("target") is None and kind.target_default is not None:
            data["target"] = kind.target_default
        return data

    @model_serializer(mode="wrap")
    def _only_applicable(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Leave out the options (mode, poison_share, code) this kind does not take."""
        data: dict[str, Any] = handler(self)
        kind = FAULT_KINDS.get(self.kind)
        for option in FAULT_OPTIONS:
            if kind is None or option not in kind.options:
                data.pop(option, None)
        return data


class Fallback(FrozenModel):
    """The paper fallback: when it starts, which shares go on paper, phone delay, duplicates."""

    trigger_after: Duration = 1200.0
    share: ClassFractions = Field(
        default_factory=lambda: _shares(stat=0.9, urgent=0.5, routine=0.1)
    )
    phone_delay: Duration = 900.0
    duplicate_risk: Fraction = 0.3
    start_on_alert: Flag = False


class Analysts(FrozenModel):
    """On-call analysts: fix poison messages, restart channels, reprocess parked messages."""

    count: Count = 1
    respond: Duration = 900.0
    fix: Dist = Field(default_factory=lambda: Lognormal(600.0, 240.0))
    start_on_alert: Flag = True


class Clerks(FrozenModel):
    """Clerks who back-enter paper orders and reconcile duplicates."""

    count: Count = 1
    back_entry: Dist = Field(default_factory=lambda: Lognormal(180.0, 60.0))
    reconcile: Dist = Field(default_factory=lambda: Lognormal(90.0, 30.0))


class Staff(FrozenModel):
    """The people of the recovery."""

    analysts: Analysts | None = None
    clerks: Clerks | None = None


class Alert(FrozenModel):
    """A monitoring alert on a queue (``any`` or a system id): exactly one condition."""

    queue: Ident = "any"
    depth_above: Natural | None = None
    oldest_older_than: Duration | None = None

    @model_validator(mode="after")
    def _one_condition(self) -> Alert:
        given = [self.depth_above is not None, self.oldest_older_than is not None]
        if sum(given) != 1:
            raise fail(
                "an alert needs exactly one condition: depth_above (messages) or "
                "oldest_older_than (a duration)"
            )
        return self


_HypValue = Annotated[
    float,
    PlainValidator(parse_hypothesis_value),
    WithJsonSchema({"description": "a number, or a duration for metrics in seconds (*_s)"}),
]


class Hypothesis(FrozenModel):
    """A claim about a metric of ``summary.json``: exactly one of below, above, equals."""

    metric: Annotated[
        str,
        PlainValidator(parse_metric),
        WithJsonSchema({"type": "string", "description": "a path in summary.json, e.g. late.stat"}),
    ]
    below: _HypValue | None = None
    above: _HypValue | None = None
    equals: _HypValue | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> Hypothesis:
        if sum(value is not None for value in (self.below, self.above, self.equals)) != 1:
            raise fail("a hypothesis needs exactly one of below, above or equals")
        return self
