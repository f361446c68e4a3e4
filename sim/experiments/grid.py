"""A sweep's grid: ``--param KEY=VALUES`` read into values, and the points they make.

VALUES is a list (``1,2,4``), an integer range with both ends included (``1..8``) or values
with units (``1h,3h,6h``); each value is kept as the user typed it (it is a ``--set`` VALUE,
read as YAML when a point is built, and it is what ``sweep.csv`` shows). Several parameters
make the full grid, the first outermost, each parameter's values in the order given.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "FIXED_KEYS",
    "MAX_POINTS",
    "GridError",
    "Param",
    "grid",
    "parse_param",
    "parse_params",
]

MAX_POINTS = 10_000
"""The most points a sweep may have (a larger grid is almost surely a typo in a range)."""

FIXED_KEYS = ("seed", "replications")
"""Keys a sweep cannot vary: every point runs the same replications from the same seed
(common random numbers); ``--seed`` and ``--replications`` set them."""

_EXAMPLE = "write a list (1,2,4), a range of whole numbers (1..8) or values with units (1h,3h,6h)"
_RANGE = re.compile(r"\s*([+-]?\d[\w.]*)?\s*\.\.\s*([+-]?\d[\w.]*)?\s*")
"""Anything shaped like a range (``1..8``, ``1h..6h``, ``3..``); its ends are checked after."""
_INTEGER = re.compile(r"[+-]?\d+")
_OPEN = {"(": ")", "[": "]", "{": "}"}


class GridError(ValueError):
    """A ``--param`` that cannot be read, or a grid that cannot be made (exit 2)."""


@dataclass(frozen=True)
class Param:
    """One swept key and its values, each as the user typed it.

    Attributes:
        key: A scenario key path, as ``--set`` takes it (``systems.lab.connections``).
        values: The values in the order given (``("1h", "3h", "6h")``).
    """

    key: str
    values: tuple[str, ...]

    def text(self) -> str:
        """The parameter as ``--param`` takes it (a range written out as a list)."""
        return f"{self.key}={','.join(self.values)}"


def _split(spec: str) -> list[str]:
    """``spec`` cut at the commas that are not inside brackets or quotes."""
    parts: list[str] = []
    closing: list[str] = []
    quote = ""
    current = ""
    for char in spec:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in _OPEN:
            closing.append(_OPEN[char])
        elif closing and char == closing[-1]:
            closing.pop()
        elif char == "," and not closing:
            parts.append(current)
            current = ""
            continue
        current += char
    parts.append(current)
    return [part.strip() for part in parts]


def _range(key: str, spec: str, low: str | None, high: str | None) -> tuple[str, ...]:
    shown = spec.strip()
    if low is None or high is None:
        raise GridError(
            f"--param {key}: the range {shown!r} is empty: give both ends, e.g. 1..8 "
            "(both included)"
        )
    if not (_INTEGER.fullmatch(low) and _INTEGER.fullmatch(high)):
        raise GridError(
            f"--param {key}: the range {shown!r} needs whole numbers at both ends (1..8); "
            "list values with units or fractions instead, e.g. 1h,3h,6h or 0.5,1,1.5"
        )
    first, last = int(low), int(high)
    if last < first:
        raise GridError(
            f"--param {key}: the range {shown!r} is reversed (it would be empty); write "
            f"{last}..{first} (both ends included) or list the values in the order you want"
        )
    if last - first + 1 > MAX_POINTS:
        raise GridError(
            f"--param {key}: the range {shown!r} has {last - first + 1:,} values; a sweep "
            f"has at most {MAX_POINTS:,} points"
        )
    return tuple(str(v) for v in range(first, last + 1))


def parse_param(text: str) -> Param:
    """``KEY=VALUES`` as a :class:`Param`.

    Raises:
        GridError: Naming ``--param`` and the key: not ``KEY=VALUES``, no values, an empty
            value in a list, a value given twice, or a range that is open, reversed or not of
            whole numbers.
    """
    key, sep, spec = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise GridError(
            f"--param {text!r} is not KEY=VALUES; write e.g. --param systems.lab.connections=1..4"
        )
    if not spec.strip():
        raise GridError(f"--param {key}: no values; {_EXAMPLE}")
    shape = _RANGE.fullmatch(spec)
    if shape is not None:
        return Param(key, _range(key, spec, shape.group(1), shape.group(2)))
    values = _split(spec)
    if any(not value for value in values):
        raise GridError(f"--param {key}: {spec.strip()!r} has an empty value; {_EXAMPLE}")
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise GridError(
                f"--param {key}: the value {value!r} is given twice; give each value once"
            )
        seen.add(value)
    return Param(key, tuple(values))


def _path(key: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in key.split("."))


def parse_params(texts: Sequence[str | Param], sets: Sequence[str] = ()) -> list[Param]:
    """Every ``--param``, checked against each other and against the ``--set`` assignments.

    Args:
        texts: ``KEY=VALUES`` texts (or parameters already read).
        sets: ``--set`` assignments (and the overlays of ``--seed``, ``--replications`` and
            ``--horizon``): a parameter may not set a key they set, since one of the two
            would do nothing.

    Raises:
        GridError: No parameter, a bad one (see :func:`parse_param`), a key given twice, a
            key that a sweep cannot vary (``seed``, ``replications``), one that is also set,
            or a grid of more than :data:`MAX_POINTS` points.
    """
    if not texts:
        raise GridError("no --param; name what to vary, e.g. --param systems.lab.connections=1..4")
    params = [t if isinstance(t, Param) else parse_param(t) for t in texts]
    seen: dict[tuple[str, ...], str] = {}
    given = {_path(a.partition("=")[0]): a for a in sets}
    for param in params:
        path = _path(param.key)
        if path[0] in FIXED_KEYS and len(path) == 1:
            raise GridError(
                f"--param {param.key}: a sweep cannot vary {param.key}; every point runs the "
                "same replications from the same seed (common random numbers); use "
                f"--{param.key}"
            )
        if path in seen:
            raise GridError(f"--param {param.key}: given twice; list all its values in one --param")
        if path in given:
            raise GridError(
                f"--param {param.key}: the key is also set ({given[path]!r}); the --param "
                "would replace it at every point: drop one of them"
            )
        seen[path] = param.key
    count = 1
    for param in params:
        count *= len(param.values)
    if count > MAX_POINTS:
        raise GridError(f"the grid has {count:,} points; a sweep has at most {MAX_POINTS:,}")
    return params


def grid(params: Sequence[Param]) -> list[tuple[str, ...]]:
    """Every point's values, one per parameter: the first parameter outermost, each
    parameter's values in the order given (``[("1", "1h"), ("1", "3h"), ("2", "1h"), ...]``)."""
    return list(itertools.product(*(p.values for p in params)))
