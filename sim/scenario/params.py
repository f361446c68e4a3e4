"""Validators for the keys whose values have a shape of their own.

The queue discipline (a name or a one-key mapping with parameters), fault targets, retry
attempts, ids, hypothesis metrics and values, and ``compare`` overlays. Each raises our own
message through :func:`~sim.scenario.kinds.fail`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo

from sim.metrics.registry import closest, is_known
from sim.scenario.errors import did_you_mean, show
from sim.scenario.kinds import fail, parse_id
from sim.scenario.scalars import to_float
from sim.scenario.units import UnitError, format_duration, parse_duration

__all__ = [
    "DISCIPLINES",
    "DisciplineSpec",
    "discipline_schema",
    "discipline_text",
    "is_seconds_metric",
    "parse_attempts",
    "parse_count",
    "parse_discipline",
    "parse_hypothesis_value",
    "parse_id",
    "parse_metric",
    "parse_overlays",
    "parse_target",
]


class DisciplineSpec(BaseModel):
    """A queue discipline by name, with its parameters (durations in seconds, defaults filled)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = "fifo"
    params: dict[str, Any] = Field(default_factory=dict)


DISCIPLINES: dict[str, dict[str, tuple[str, Any]]] = {
    "fifo": {},
    "lifo": {},
    "priority": {"results_first": ("flag", False)},
    "codel": {"target": ("duration", 5.0), "interval": ("duration", 60.0)},
    "fair": {"weights": ("weights", {})},
}
"""Each discipline's parameters: name -> (kind, default)."""

_SHAPE = (
    "write a name such as 'fifo', or a one-key mapping with parameters such as "
    "{codel: {target: 5s, interval: 1min}}"
)


def _param(name: str, key: str, kind: str, value: object) -> Any:
    where = (name, key)
    if kind == "flag":
        if not isinstance(value, bool):
            raise fail(f"{show(value)} is not true or false", key=where)
        return value
    if kind == "duration":
        try:
            return parse_duration(value)
        except UnitError as exc:
            raise fail(str(exc), key=where) from None
    if not isinstance(value, dict):
        raise fail(f"expected a mapping of flow id -> weight, found {show(value)}", key=where)
    weights: dict[str, float] = {}
    for flow, weight in value.items():
        number = to_float(weight)
        if not math.isfinite(number) or number <= 0:
            raise fail(
                f"{show(weight)} is not a weight; write a positive number", key=(*where, flow)
            )
        weights[flow] = number
    return weights


def parse_discipline(value: object) -> DisciplineSpec:
    """``fifo`` or ``{codel: {target: 5s, interval: 1min}}`` as a :class:`DisciplineSpec`."""
    if isinstance(value, DisciplineSpec):
        return value
    if isinstance(value, str):
        name, given = value, None
    elif isinstance(value, dict) and len(value) == 1:
        ((name, given),) = value.items()
    else:
        raise fail(f"{show(value)} is not a discipline; {_SHAPE}")
    if name not in DISCIPLINES:
        raise fail(
            f"{show(name)} is not a discipline; use one of {', '.join(DISCIPLINES)}"
            f"{did_you_mean(name, DISCIPLINES)}"
        )
    spec = DISCIPLINES[name]
    if given is None:
        given = {}
    if not isinstance(given, dict):
        raise fail(f"the parameters of {name} must be a mapping, found {show(given)}", key=(name,))
    params: dict[str, Any] = {}
    for key, item in given.items():
        if key not in spec:
            known = ", ".join(spec) or "none"
            raise fail(
                f"unknown parameter {show(key)} of {name} (its parameters: {known})"
                f"{did_you_mean(key, spec)}",
                key=(name, key),
            )
        params[key] = _param(name, key, spec[key][0], item)
    for key, (_kind, default) in spec.items():
        params.setdefault(key, default)
    return DisciplineSpec(name=name, params=params)


def discipline_text(spec: DisciplineSpec) -> Any:
    """The discipline as the format writes it."""
    if not spec.params:
        return spec.name
    kinds = DISCIPLINES.get(spec.name, {})
    params = {
        key: format_duration(value) if kinds.get(key, ("",))[0] == "duration" else value
        for key, value in spec.params.items()
    }
    return {spec.name: params}


def discipline_schema() -> dict[str, Any]:
    """JSON Schema of the discipline key."""
    return {
        "description": "fifo, priority, lifo, codel or fair; with parameters as a one-key "
        "mapping, e.g. {codel: {target: 5s, interval: 1min}}",
        "anyOf": [
            {"type": "string", "enum": list(DISCIPLINES)},
            {
                "type": "object",
                "minProperties": 1,
                "maxProperties": 1,
                "propertyNames": {"enum": list(DISCIPLINES)},
            },
        ],
    }


def parse_attempts(value: object) -> int | None:
    """A number of sends (1 or more), or ``unlimited`` / null for no limit."""
    if value is None or value == "unlimited":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise fail(f"{show(value)} is not a number of attempts; write 1 or more, or unlimited")
    return value


def parse_count(value: object) -> float:
    """The mean number of results per order: a number of 1 or more."""
    number = to_float(value)
    if not math.isfinite(number) or number < 1:
        raise fail(f"{show(value)} is not a mean count of results; write a number of 1 or more")
    return number


_METRIC = re.compile(r"[A-Za-z_][\w-]*(?:\.[\w-]+)*")


def parse_metric(value: object) -> str:
    """A metric's dotted path in ``summary.json`` (``late.stat``, ``queues.labka.peak_backlog``)."""
    if not isinstance(value, str) or not _METRIC.fullmatch(value):
        raise fail(
            f"{show(value)} is not a metric; write its path in summary.json, e.g. "
            "'recovery_time_s' or 'late.stat'"
        )
    if not is_known(value):
        near = closest(value)
        hint = f"; did you mean '{near}'?" if near else "; `ehrsim metrics` lists them"
        raise fail(f"{show(value)} is not a metric of summary.json{hint}")
    return value


def is_seconds_metric(metric: str) -> bool:
    """Whether a metric is in seconds (a part of its path ends in ``_s``), so takes durations."""
    return any(part.endswith("_s") for part in metric.split("."))


def parse_hypothesis_value(value: object, info: ValidationInfo) -> float:
    """A hypothesis bound: a number, or a duration when the metric is in seconds."""
    metric = info.data.get("metric") if isinstance(info.data, Mapping) else None
    seconds = isinstance(metric, str) and is_seconds_metric(metric)
    if isinstance(value, str):
        if metric is None:  # the metric itself is wrong (reported there): read it if we can
            try:
                return parse_duration(value, allow_zero=True)
            except UnitError as exc:
                raise fail(str(exc)) from None
        if not seconds:
            raise fail(
                f"{show(value)} is text, but metric {show(metric)} is a count, not seconds; "
                "write a number"
            )
        try:
            return parse_duration(value, allow_zero=True)
        except UnitError as exc:
            raise fail(str(exc)) from None
    number = to_float(value)
    if not math.isfinite(number):
        example = "a duration such as '3h' or a number of seconds" if seconds else "a number"
        raise fail(f"{show(value)} is not a bound; write {example}")
    return number


def parse_target(value: object) -> str | int | tuple[str, ...] | None:
    """A fault target: a system or flow id, ``all``, a node index, or a list of system ids."""
    if value is None:
        return None
    if isinstance(value, str) and value:
        return value
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
        return tuple(value)
    raise fail(
        f"{show(value)} is not a target; write a system id, a flow id, 'all', a node index "
        "(0, 1, ...) or a list of system ids, as the fault kind needs"
    )


def parse_overlays(value: object) -> dict[str, dict[str, Any]]:
    """``compare``: variant name -> an overlay mapping (validated by building each variant)."""
    if not isinstance(value, dict):
        raise fail(f"expected a mapping of variant name -> overlay, found {show(value)}")
    overlays: dict[str, dict[str, Any]] = {}
    for name, overlay in value.items():
        if name == "baseline":
            raise fail(
                "'baseline' names the scenario itself; call this variant something else",
                key=(name,),
            )
        if not isinstance(name, str) or not name or name != name.strip() or "." in name:
            raise fail(
                f"{show(name)} is not a valid variant name; use letters, digits, '-', '_'",
                key=(name,),
            )
        if overlay is None:  # null clears a variant inherited through `extends`
            continue
        if not isinstance(overlay, dict):
            raise fail(
                f"a variant is a mapping laid over the scenario, e.g. "
                f"{{strategy: {{queues: shared}}}}; found {show(overlay)}",
                key=(name,),
            )
        for key in ("compare", "extends"):
            if key in overlay:
                raise fail(f"a variant cannot contain '{key}'", key=(name, key))
        overlays[name] = overlay
    return overlays
