"""Value kinds with structure: per-class mappings, day and week shapes, and traces.

Like :mod:`.kinds`, each is an annotated type whose validator raises our own messages (naming
the entry at fault through the error's ``key``) and whose serializer writes the format's notation.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any

from pydantic import PlainSerializer, PlainValidator, ValidationInfo
from pydantic_core import PydanticCustomError

from sim.distributions import Distribution
from sim.scenario.csvdata import CLASSES, DataFileError, PriorityClass, TraceRow, read_trace
from sim.scenario.errors import did_you_mean, show
from sim.scenario.kinds import (
    DEFAULT_START,
    DIST_PATTERN,
    describe,
    distribution,
    fail,
    finite,
    fraction,
    unit,
)
from sim.scenario.profiles import PROFILES, profile_name
from sim.scenario.scalars import to_float
from sim.scenario.units import DURATION_PATTERN, format_duration, parse_duration

__all__ = [
    "After",
    "ClassDurations",
    "ClassFractions",
    "Profile",
    "Share",
    "Trace",
    "TraceValue",
    "Week",
]


# --------------------------------------------------------------------------- per-class values


def _class_map(value: object, what: str) -> dict[PriorityClass, Any]:
    """A mapping keyed by priority class, checked for unknown classes."""
    if not isinstance(value, dict):
        raise fail(
            f"expected a mapping of class -> {what}, e.g. {{stat: ..., routine: ...}}, "
            f"found {show(value)}"
        )
    if not value:
        raise fail("is empty; name at least one class: stat, urgent or routine")
    for key in value:
        if key not in CLASSES:
            raise fail(
                f"{show(key)} is not a priority class; use stat, urgent or routine"
                f"{did_you_mean(str(key), CLASSES)}",
                key=(key,),
            )
    return {cls: value[cls] for cls in CLASSES if cls in value}


def _each(mapping: dict[PriorityClass, Any], check: Callable[[object], Any]) -> dict[Any, Any]:
    result: dict[Any, Any] = {}
    for key, item in mapping.items():
        try:
            result[key] = check(item)
        except PydanticCustomError as exc:
            context = dict(exc.context or {})
            raise fail(
                str(context.get("message", exc.message())),
                key=(key, *context.get("key", ())),
                file=context.get("file"),
                line=context.get("line"),
            ) from None
    return result


def _share(value: object) -> dict[PriorityClass, float]:
    shares = _each(_class_map(value, "share"), fraction)
    total = math.fsum(shares.values())
    if abs(total - 1) > 1e-9:
        raise fail(
            f"the shares add up to {total:.10g}, not 1; "
            "e.g. {stat: 0.2, urgent: 0.1, routine: 0.7}"
        )
    return shares


def _fractions(value: object) -> dict[PriorityClass, float]:
    given = _each(_class_map(value, "share"), fraction)
    return {cls: given.get(cls, 0.0) for cls in CLASSES}


def _class_durations(value: object) -> dict[PriorityClass, float]:
    return _each(_class_map(value, "duration"), unit(parse_duration))


def _after(value: object) -> Distribution | dict[PriorityClass, Distribution]:
    if isinstance(value, dict):
        return _each(_class_map(value, "distribution"), distribution)
    return distribution(value)


def _after_text(value: Distribution | dict[PriorityClass, Distribution]) -> Any:
    if isinstance(value, Distribution):
        return value.text()
    return {cls: dist.text() for cls, dist in value.items()}


_CLASSES_SCHEMA = {"type": "string", "enum": list(CLASSES)}
Share = Annotated[
    dict[PriorityClass, float],
    PlainValidator(_share),
    describe(
        "class -> fraction of new messages, summing to 1",
        type="object",
        propertyNames=_CLASSES_SCHEMA,
        additionalProperties={"type": "number", "minimum": 0, "maximum": 1},
    ),
]
ClassFractions = Annotated[
    dict[PriorityClass, float],
    PlainValidator(_fractions),
    describe(
        "class -> fraction (each from 0 to 1; a class left out is 0)",
        type="object",
        propertyNames=_CLASSES_SCHEMA,
        additionalProperties={"type": "number", "minimum": 0, "maximum": 1},
    ),
]
ClassDurations = Annotated[
    dict[PriorityClass, float],
    PlainValidator(_class_durations),
    PlainSerializer(lambda value: {cls: format_duration(secs) for cls, secs in value.items()}),
    describe(
        "class -> duration",
        type="object",
        propertyNames=_CLASSES_SCHEMA,
        additionalProperties={"type": "string", "pattern": DURATION_PATTERN},
    ),
]
After = Annotated[
    Distribution | dict[PriorityClass, Distribution],
    PlainValidator(_after),
    PlainSerializer(_after_text),
    describe(
        "a distribution, or class -> distribution",
        anyOf=[
            {"type": "string", "pattern": DIST_PATTERN},
            {
                "type": "object",
                "propertyNames": _CLASSES_SCHEMA,
                "additionalProperties": {"type": "string", "pattern": DIST_PATTERN},
            },
        ],
    ),
]


# --------------------------------------------------------------------------- shapes


def _numbers(value: object, count: int, what: str) -> tuple[float, ...]:
    if not isinstance(value, list) or len(value) != count:
        size = f"{len(value)} numbers" if isinstance(value, list) else show(value)
        raise fail(f"{what} needs {count} numbers, found {size}")
    numbers: list[float] = []
    for index, item in enumerate(value):
        try:
            number = finite(item)
        except PydanticCustomError as exc:
            raise fail(str((exc.context or {}).get("message")), key=(index,)) from None
        if number < 0:
            raise fail(f"{show(item)} is negative; weights are 0 or more", key=(index,))
        numbers.append(number)
    if not any(numbers):
        raise fail(f"every number of the {what} is zero")
    return tuple(numbers)


def _profile(value: object) -> tuple[float, ...]:
    if isinstance(value, str):
        if value in PROFILES:
            return PROFILES[value]
        raise fail(
            f"{show(value)} is not a named profile; use {', '.join(PROFILES)} or 24 numbers"
            f"{did_you_mean(value, PROFILES)}"
        )
    return _numbers(value, 24, "a profile (one weight per hour, 00:00 first)")


def _profile_text(values: tuple[float, ...]) -> Any:
    return profile_name(values) or list(values)


Profile = Annotated[
    tuple[float, ...],
    PlainValidator(_profile),
    PlainSerializer(_profile_text),
    describe(
        "the shape of a day: flat, lab, lab-results, day, mixed, or 24 hourly weights",
        anyOf=[
            {"type": "string", "enum": list(PROFILES)},
            {
                "type": "array",
                "items": {"type": "number", "minimum": 0},
                "minItems": 24,
                "maxItems": 24,
            },
        ],
    ),
]
Week = Annotated[
    tuple[float, ...],
    PlainValidator(lambda value: _numbers(value, 7, "a week (Monday first)")),
    PlainSerializer(list),
    describe(
        "7 day-of-week multipliers, Monday first",
        type="array",
        items={"type": "number", "minimum": 0},
        minItems=7,
        maxItems=7,
    ),
]


# --------------------------------------------------------------------------- traces


class Trace(tuple[TraceRow, ...]):
    """The rows of a trace, sorted by time, and the CSV file they came from (if any)."""

    file: str | None

    def __new__(cls, rows: tuple[TraceRow, ...], file: str | None = None) -> Trace:
        trace = super().__new__(cls, rows)
        trace.file = file
        return trace


def _inline_row(item: object, index: int, context: Mapping[str, Any]) -> TraceRow:
    if not isinstance(item, dict) or set(item) != {"time", "priority", "patient"}:
        raise fail(
            "a trace row is a mapping {time: seconds, priority: class, patient: number}",
            key=(index,),
        )
    time = item["time"]
    seconds = to_float(time)
    if not math.isfinite(seconds) or seconds < 0:
        raise fail(
            f"{show(time)} is not a time (seconds from start, 0 or more)", key=(index, "time")
        )
    priority = item["priority"]
    if priority not in CLASSES:
        raise fail(f"{show(priority)} is not stat, urgent or routine", key=(index, "priority"))
    patient = item["patient"]
    if not isinstance(patient, int) or isinstance(patient, bool) or patient < 0:
        raise fail(f"{show(patient)} is not a patient number", key=(index, "patient"))
    return TraceRow(seconds, priority, patient)


def _trace(value: object, info: ValidationInfo) -> Trace:
    context = info.context if isinstance(info.context, Mapping) else {}
    if isinstance(value, str):
        path = Path(os.path.abspath(value))
        try:
            return Trace(read_trace(path, context.get("start", DEFAULT_START)), str(path))
        except DataFileError as exc:
            raise fail(exc.message, file=exc.file, line=exc.line) from None
    if isinstance(value, list) and value:
        rows = [_inline_row(item, index, context) for index, item in enumerate(value)]
        return Trace(tuple(sorted(rows, key=lambda row: row.time)))
    raise fail(f"expected the path of a CSV file (time, priority, patient), found {show(value)}")


def _trace_text(trace: Trace) -> Any:
    if trace.file is not None:
        return trace.file
    return [{"time": row.time, "priority": row.priority, "patient": row.patient} for row in trace]


TraceValue = Annotated[
    Trace,
    PlainValidator(_trace),
    PlainSerializer(_trace_text),
    describe(
        "a CSV file with columns time (seconds or ISO), priority, patient; or the rows inline",
        anyOf=[
            {"type": "string"},
            {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "time": {"type": "number", "minimum": 0},
                        "priority": {"enum": list(CLASSES)},
                        "patient": {"type": "integer", "minimum": 0},
                    },
                    "required": ["time", "priority", "patient"],
                    "additionalProperties": False,
                },
            },
        ],
    ),
]
