"""The value kinds of the scenario format as annotated types for the pydantic models.

Each kind is ``Annotated[type, PlainValidator, PlainSerializer, WithJsonSchema]``: the validator
reads the YAML value and raises our own message (never pydantic's), the serializer writes it back
in the format's notation (``7h``, ``2500/h``, ``lognormal(0.15s, 0.08s)``), and the JSON schema
tells editors what to write. Messages are carried in a
:class:`~pydantic_core.PydanticCustomError` of type ``"ehrsim"`` whose context may add a ``key``
below the field (for one entry of a mapping) or a data ``file`` and ``line`` (for a CSV row).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    PlainSerializer,
    PlainValidator,
    ValidationInfo,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from sim.distributions import DISTRIBUTIONS, Distribution
from sim.scenario.csvdata import DataFileError
from sim.scenario.errors import did_you_mean, show
from sim.scenario.scalars import to_float
from sim.scenario.units import (
    DURATION_PATTERN,
    RATE_PATTERN,
    UnitError,
    format_duration,
    format_offset,
    format_rate,
    parse_clock,
    parse_datetime,
    parse_distribution,
    parse_duration,
    parse_rate,
)

__all__ = [
    "DEFAULT_START",
    "DIST_PATTERN",
    "ClockTime",
    "Count",
    "DateTime",
    "Dist",
    "Duration",
    "Flag",
    "Fraction",
    "FrozenModel",
    "Id",
    "Ident",
    "Name",
    "Natural",
    "Number",
    "Offset",
    "Positive",
    "Rate",
    "Text",
    "choice",
    "describe",
    "distribution",
    "fail",
    "finite",
    "fraction",
    "is_number",
    "parse_id",
    "unit",
]

DEFAULT_START = datetime(2026, 1, 5)
"""The default calendar anchor: Monday 5 January 2026, midnight."""


class FrozenModel(BaseModel):
    """Base of the scenario models: immutable, unknown keys refused, YAML names as aliases."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        populate_by_name=True,
        arbitrary_types_allowed=True,
        hide_input_in_errors=True,
    )


def fail(
    message: str,
    *,
    key: tuple[str | int, ...] = (),
    file: str | None = None,
    line: int | None = None,
) -> PydanticCustomError:
    """An error carrying our message, optionally for a key below the field or a data-file row."""
    context: dict[str, Any] = {"message": message}
    if key:
        context["key"] = key
    if file is not None:
        context["file"] = file
        context["line"] = line
    return PydanticCustomError("ehrsim", "{message}", context)


def unit(parse: Callable[[object], Any]) -> Callable[[object], Any]:
    """Wrap a parser so that its :class:`UnitError` becomes our validation error."""

    def validate(value: object) -> Any:
        try:
            return parse(value)
        except UnitError as exc:
            raise fail(str(exc)) from None

    return validate


def describe(description: str, **extra: Any) -> WithJsonSchema:
    """The JSON Schema editors see for a kind: a description plus type, pattern and so on."""
    return WithJsonSchema({"description": description, **extra})


_TEXT_SCHEMA = {"type": "string"}
_NUMBER_SCHEMA = {"type": "number"}


# --------------------------------------------------------------------------- plain values


def is_number(value: object) -> bool:
    """Whether a YAML value is a number (booleans are not)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def finite(value: object, what: str = "a number") -> float:
    """A finite number (int or float, not bool, not quoted), or our error."""
    if isinstance(value, str) and _looks_numeric(value):
        raise fail(f"{show(value)} is text; write the number without quotes")
    if not is_number(value):
        raise fail(f"expected {what}, found {show(value)}")
    number = to_float(value)
    if not math.isfinite(number):
        raise fail(f"{show(value)} is not a finite number")
    return number


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _number(value: object) -> float:
    return finite(value)


def _positive(value: object) -> float:
    number = finite(value, "a positive number")
    if number <= 0:
        raise fail(f"{show(value)} must be above zero")
    return number


def fraction(value: object) -> float:
    """A share: a finite number from 0 to 1, or our error."""
    number = finite(value, "a share between 0 and 1")
    if not 0 <= number <= 1:
        raise fail(f"{show(value)} is not a share; write a number from 0 to 1, e.g. 0.3")
    return number


def _integer(value: object, least: int) -> int:
    if isinstance(value, str) and _looks_numeric(value):
        raise fail(f"{show(value)} is text; write the whole number without quotes")
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise fail(f"expected a whole number of {least} or more, found {show(value)}")
    if value < least:
        raise fail(f"{value} is too small; write a whole number of {least} or more")
    return value


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise fail(f"{show(value)} is not true or false; write true or false")
    return value


def _text(value: object) -> str:
    if not isinstance(value, str):
        if is_number(value) or isinstance(value, bool):
            raise fail(f"expected text, found {show(value)}; put it in quotes: '{value}'")
        raise fail(f"expected text, found {show(value)}")
    return value


def _name(value: object) -> str:
    text = _text(value)
    ok = bool(text) and len(text) <= 100 and not text.startswith("-")
    if not ok or not all(char.isalnum() or char == "-" for char in text):
        raise fail(
            f"{show(value)} is not a valid name; use letters, digits and '-' (it names the "
            "results folder), e.g. 'december-2017'"
        )
    return text


def _ident(value: object) -> str:
    text = _text(value)
    if not text.strip():
        raise fail("is empty; write an id such as 'ehr' or 'labka'")
    return text


_ID = re.compile(r"[^\W_][\w-]*")


def parse_id(value: object) -> str:
    """An id of a flow, system or variant: letters, digits, '-' and '_', no dots or spaces.

    Dots are refused because ``--set flows.<id>.rate=...`` splits key paths on them.
    """
    if not isinstance(value, str) or not _ID.fullmatch(value) or len(value) > 100:
        raise fail(
            f"{show(value)} is not a valid id; use letters, digits, '-' and '_' (no spaces or "
            "dots), e.g. 'lab-orders'"
        )
    return value


Id = Annotated[
    str,
    PlainValidator(parse_id),
    WithJsonSchema({"type": "string", "pattern": r"^[^\W_][\w-]*$"}),
]
"""A flow, system or variant id."""

Number = Annotated[float, PlainValidator(_number), WithJsonSchema(_NUMBER_SCHEMA)]
Positive = Annotated[
    float, PlainValidator(_positive), WithJsonSchema({"type": "number", "exclusiveMinimum": 0})
]
Fraction = Annotated[
    float, PlainValidator(fraction), WithJsonSchema({"type": "number", "minimum": 0, "maximum": 1})
]
Count = Annotated[
    int,
    PlainValidator(lambda value: _integer(value, 1)),
    WithJsonSchema({"type": "integer", "minimum": 1}),
]
Natural = Annotated[
    int,
    PlainValidator(lambda value: _integer(value, 0)),
    WithJsonSchema({"type": "integer", "minimum": 0}),
]
Flag = Annotated[bool, PlainValidator(_flag), WithJsonSchema({"type": "boolean"})]
Text = Annotated[str, PlainValidator(_text), WithJsonSchema(_TEXT_SCHEMA)]
Name = Annotated[
    str,
    PlainValidator(_name),
    WithJsonSchema({"type": "string", "pattern": r"^[^\W_](?:[^\W_]|-)*$", "maxLength": 100}),
]
Ident = Annotated[str, PlainValidator(_ident), WithJsonSchema(_TEXT_SCHEMA)]


def choice(*options: str, what: str = "value") -> PlainValidator:
    """A validator accepting exactly one of ``options``, suggesting the closest on a typo.

    Use it as ``Annotated[Literal["a", "b"], choice("a", "b", what="...")]``; editors see an enum.
    """

    def validate(value: object) -> str:
        if isinstance(value, str) and value in options:
            return value
        listed = ", ".join(options)
        hint = did_you_mean(value, options) if isinstance(value, str) else ""
        raise fail(f"{show(value)} is not a {what}; write one of: {listed}{hint}")

    return PlainValidator(validate, json_schema_input_type=Literal[options])


# --------------------------------------------------------------------------- units

Duration = Annotated[
    float,
    PlainValidator(unit(parse_duration)),
    PlainSerializer(format_duration),
    describe(
        "a duration with its unit: 250ms, 30s, 20min, 6h, 2d, 1h30m",
        type="string",
        pattern=DURATION_PATTERN,
    ),
]
Offset = Annotated[
    float,
    PlainValidator(unit(lambda value: parse_duration(value, allow_zero=True))),
    PlainSerializer(format_duration),
    describe("a duration, zero allowed: 0h, 30min", type="string", pattern=DURATION_PATTERN),
]
Rate = Annotated[
    float,
    PlainValidator(unit(parse_rate)),
    PlainSerializer(format_rate),
    describe("a mean rate over the day: 2500/h, 12/min, 40/s", type="string", pattern=RATE_PATTERN),
]
DateTime = Annotated[
    datetime,
    PlainValidator(unit(parse_datetime)),
    PlainSerializer(lambda moment: moment.isoformat()),
    describe("an ISO date and time: 2017-12-06T09:30", type="string", format="date-time"),
]


def _clock(value: object, info: ValidationInfo) -> float:
    context = info.context if isinstance(info.context, Mapping) else {}
    start = context.get("start", DEFAULT_START)
    try:
        return parse_clock(value, start)
    except UnitError as exc:
        raise fail(str(exc)) from None


ClockTime = Annotated[
    float,
    PlainValidator(_clock),
    PlainSerializer(format_offset),
    describe(
        "a clock time: 09:30 (on the start day), +9h30m (after the start) or 2017-12-06T09:30",
        type="string",
    ),
]


def distribution(value: object) -> Distribution:
    """A distribution from its text, or our error (at the CSV's row for ``empirical``)."""
    try:
        return parse_distribution(value, Path.cwd())
    except UnitError as exc:
        raise fail(str(exc)) from None
    except DataFileError as exc:
        raise fail(exc.message, file=exc.file, line=exc.line) from None


DIST_PATTERN = rf"^\s*({'|'.join(DISTRIBUTIONS)})\s*\(.*\)\s*$"
Dist = Annotated[
    Distribution,
    PlainValidator(distribution),
    PlainSerializer(lambda dist: dist.text()),
    describe(
        "a distribution: exponential(mean), constant(value), lognormal(mean, sd), "
        "gamma(mean, cv), uniform(low, high) or empirical(file.csv); durations with units",
        type="string",
        pattern=DIST_PATTERN,
    ),
]
