"""Plain YAML scalars under a YAML 1.2-like core schema, and the tags a scenario may use.

YAML 1.1 (PyYAML's default) reads an unquoted ``14:00`` as the base-60 integer 840, ``yes`` and
``on`` as booleans and ``010`` as octal: all surprises in a file people write by hand. Here only
``true``/``false`` are booleans, ``null``/``~``/nothing is null, decimal, ``0x`` and ``0o``
integers and decimal floats (``.inf``, ``.nan``) are numbers, and everything else is the text the
user wrote, left for the scenario layer to parse as a clock time, duration or date.
"""

from __future__ import annotations

import math
import re
from typing import Any

from sim.scenario.errors import show

__all__ = [
    "COLLECTION_TAGS",
    "SCALAR_TAGS",
    "STD",
    "refused_tag",
    "resolve_plain",
    "tagged",
    "to_float",
]

_MAX_DIGITS = 200


STD = "tag:yaml.org,2002:"
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?[0-9]+(?:_[0-9]+)*")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_OCT = re.compile(r"0o[0-7]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_INF = re.compile(r"([-+]?)\.(?:inf|Inf|INF)")
_NAN = re.compile(r"\.(?:nan|NaN|NAN)")
_NOT_READ = object()


def _number(text: str) -> int | float | object:
    """The number a plain scalar spells, or ``_NOT_READ`` when it is not one."""
    if _INT.fullmatch(text):
        if len(text) > _MAX_DIGITS:
            raise ValueError(f"the number {show(text)} has more than {_MAX_DIGITS} digits")
        return int(text)
    if _HEX.fullmatch(text):
        return int(text[2:], 16) if len(text) <= _MAX_DIGITS else _NOT_READ
    if _OCT.fullmatch(text):
        return int(text[2:], 8) if len(text) <= _MAX_DIGITS else _NOT_READ
    if _FLOAT.fullmatch(text):
        return float(text)
    inf = _INF.fullmatch(text)
    if inf:
        return float("-inf") if inf.group(1) == "-" else float("inf")
    if _NAN.fullmatch(text):
        return float("nan")
    return _NOT_READ


def resolve_plain(text: str) -> Any:
    """The value of an untagged plain scalar under the core schema (text when nothing else)."""
    if text in _NULLS:
        return None
    if text in _BOOLS:
        return _BOOLS[text]
    number = _number(text)
    return text if number is _NOT_READ else number


def tagged(tag: str, text: str) -> Any:
    """The value of a scalar with an explicit standard tag such as ``!!int``."""
    kind = tag[len(STD) :]
    if kind in ("str", "timestamp"):
        return text
    value = resolve_plain(text)
    expected = {"int": int, "float": float, "bool": bool, "null": type(None)}[kind]
    if kind == "float" and isinstance(value, int) and not isinstance(value, bool):
        value = to_float(value)
    if type(value) is not expected:
        raise ValueError(f"{show(text)} is not a valid !!{kind}")
    return value


SCALAR_TAGS = {f"{STD}{kind}" for kind in ("str", "int", "float", "bool", "null", "timestamp")}
COLLECTION_TAGS = {None, "!", f"{STD}map", f"{STD}seq"}


def _tag_text(tag: str) -> str:
    return "!!" + tag[len(STD) :] if tag.startswith(STD) else tag


def refused_tag(tag: str) -> str:
    return (
        f"the tag '{_tag_text(tag)}' is not allowed: scenario files hold plain data "
        "(text, numbers, true/false, lists and mappings)"
    )


def to_float(value: object) -> float:
    """A YAML number as a float: NaN for anything else (booleans too), +-inf for huge integers."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return math.nan
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf
