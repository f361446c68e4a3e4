"""Values with units, as the scenario format writes them, and back.

Durations become seconds, rates become events per second, clock times become seconds from the
scenario's start, and distribution text becomes a :class:`~sim.distributions.Distribution`.
Each parser raises :class:`UnitError` with a message that quotes what the user wrote and shows
how to write it; the formatters write text the parsers read back to the *same* float, which is
what lets a resolved scenario be saved and reloaded unchanged.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable
from datetime import datetime, time
from pathlib import Path

from sim.distributions import DISTRIBUTIONS, Distribution, Empirical, format_seconds
from sim.scenario.csvdata import read_seconds
from sim.scenario.errors import did_you_mean, show
from sim.scenario.scalars import to_float

__all__ = [
    "DURATION_PATTERN",
    "RATE_PATTERN",
    "UnitError",
    "absolute_empirical",
    "format_duration",
    "format_offset",
    "format_rate",
    "parse_clock",
    "parse_datetime",
    "parse_distribution",
    "parse_duration",
    "parse_rate",
]


class UnitError(ValueError):
    """A value that is not what its key needs; the message says what to write."""


_NUM = r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
_DURATION_UNITS: dict[str, tuple[int, float, bool]] = {
    # unit: (rank, factor, divide) -- ms divides by 1000 so that '150ms' is exactly 0.15.
    "d": (0, 86400.0, False),
    "h": (1, 3600.0, False),
    "min": (2, 60.0, False),
    "m": (2, 60.0, False),
    "s": (3, 1.0, False),
    "ms": (4, 1000.0, True),
}
_PART = re.compile(rf"\s*({_NUM})\s*(ms|min|s|m|h|d)(?![A-Za-z])")
_DURATION = re.compile(rf"\s*([-+]?)((?:\s*{_NUM}\s*(?:ms|min|s|m|h|d)(?![A-Za-z]))+)\s*")
_NUMBER_WORD = re.compile(rf"\s*[-+]?{_NUM}\s*([A-Za-z]+)\s*")
_RATE_UNITS = {"s": 1.0, "min": 60.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_RATE = re.compile(rf"\s*([-+]?{_NUM})\s*/\s*([A-Za-z]+)\s*")
_CLOCK = re.compile(r"\s*([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?\s*")

DURATION_PATTERN = r"^[+-]?(\s*\d+(\.\d*)?\s*(ms|min|s|m|h|d))+$"
"""JSON Schema pattern of a duration, for editors."""
RATE_PATTERN = r"^\d+(\.\d*)?\s*/\s*(s|min|h|d)$"
"""JSON Schema pattern of a rate, for editors."""

_DURATION_HINT = "write e.g. '250ms', '30s', '20min', '6h', '2d' or '1h30m'"


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _plain_number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def parse_duration(value: object, *, allow_zero: bool = False) -> float:
    """Seconds of a duration: ``250ms``, ``30s``, ``20min`` (or ``20m``), ``6h``, ``2d``, ``1h30m``.

    Plain numbers are refused: whether ``20`` means seconds or minutes is exactly the mistake
    this format exists to prevent.

    Args:
        value: What the file holds.
        allow_zero: Accept zero (for offsets such as ``warmup``); durations are otherwise positive.

    Raises:
        UnitError: For anything else, negative, zero (unless allowed) or not finite.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(to_float(value)):
            raise UnitError(f"{show(value)} is not a duration; {_DURATION_HINT}")
        raise _no_unit(value)
    if not isinstance(value, str):
        raise UnitError(f"expected a duration, found {show(value)}; {_DURATION_HINT}")
    if _plain_number(value) is not None:
        raise _no_unit(value)
    match = _DURATION.fullmatch(value)
    if match is None:
        word = _NUMBER_WORD.fullmatch(value)
        if word:
            raise UnitError(
                f"{show(value)} has an unknown unit '{word.group(1)}'; "
                "use ms, s, min (or m), h or d"
            )
        raise UnitError(f"{show(value)} is not a duration; {_DURATION_HINT}")
    total = 0.0
    last_rank = -1
    for part in _PART.finditer(match.group(2)):
        rank, factor, divide = _DURATION_UNITS[part.group(2)]
        if rank <= last_rank:
            raise UnitError(
                f"{show(value)}: write each unit once, larger units first, e.g. '1h30m'"
            )
        last_rank = rank
        number = float(part.group(1))
        total += number / factor if divide else number * factor
    if not math.isfinite(total):
        raise UnitError(f"{show(value)} is too large")
    if match.group(1) == "-" and total > 0:
        raise UnitError(f"{show(value)} is negative; a duration must be positive")
    if total == 0 and not allow_zero:
        raise UnitError(f"{show(value)} is zero; a duration here must be positive")
    return total


def _no_unit(value: object) -> UnitError:
    text = str(value).strip()
    return UnitError(
        f"{show(value)} has no unit, and a plain number is ambiguous; "
        f"write e.g. '{text}s' or '{text}min'"
    )


def parse_rate(value: object) -> float:
    """Events per second of a rate written ``2500/h``, ``12/min``, ``40/s`` or ``500/d``.

    Raises:
        UnitError: For a plain number, an unknown unit, or a rate that is not finite and positive.
    """
    if _is_number(value):
        return _refuse_rate_number(value)
    if not isinstance(value, str):
        raise UnitError(f"expected a rate, found {show(value)}; write e.g. '2500/h'")
    match = _RATE.fullmatch(value)
    if match is None:
        if _plain_number(value) is not None:
            return _refuse_rate_number(value)
        raise UnitError(f"{show(value)} is not a rate; write e.g. '2500/h'")
    unit = match.group(2)
    if unit not in _RATE_UNITS:
        raise UnitError(
            f"{show(value)} has an unknown unit '/{unit}'; use /s, /min, /h or /d"
            f"{did_you_mean(unit, _RATE_UNITS)}"
        )
    rate = float(match.group(1)) / _RATE_UNITS[unit]
    if not math.isfinite(rate):
        raise UnitError(f"{show(value)} is too large")
    if rate < 0:
        raise UnitError(f"{show(value)} is negative; a rate must be positive")
    if rate == 0:
        raise UnitError(f"{show(value)} is zero; a rate must be positive")
    return rate


def _refuse_rate_number(value: object) -> float:
    text = str(value).strip()
    raise UnitError(f"{show(value)} has no unit; write it per time, e.g. '{text}/h' or '{text}/s'")


def parse_datetime(value: object) -> datetime:
    """A calendar moment written in ISO form, ``2017-12-06T09:30`` (a bare date is midnight).

    Raises:
        UnitError: For anything else, or a moment with a time zone (times are local).
    """
    if not isinstance(value, str):
        raise UnitError(f"expected a date and time such as '2026-01-05T00:00', found {show(value)}")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise UnitError(
            f"{show(value)} is not an ISO date and time; write e.g. '2017-12-06T09:30'"
        ) from None
    if moment.tzinfo is not None:
        raise UnitError(f"{show(value)} has a time zone; write local time without one")
    return moment


_CLOCK_HINT = "write '09:30' (on the start day), '+9h30m' (after the start) or '2017-12-06T09:30'"


def parse_clock(value: object, start: datetime) -> float:
    """Seconds from ``start`` of a clock time: ``09:30``, ``+9h30m`` or ``2017-12-06T09:30``.

    ``09:30`` is that time on the start's day; an offset is counted from the start itself.

    Raises:
        UnitError: For anything else, or a moment before the start.
    """
    if not isinstance(value, str):
        raise UnitError(f"{show(value)} is not a clock time; {_CLOCK_HINT}")
    text = value.strip()
    if text.startswith("+"):
        try:
            return parse_duration(text[1:], allow_zero=True)
        except UnitError as exc:
            raise UnitError(f"{show(value)} is not an offset: {exc}") from None
    clock = _CLOCK.fullmatch(text)
    if clock:
        hour, minute, second = int(clock.group(1)), int(clock.group(2)), int(clock.group(3) or 0)
        if hour > 23 or minute > 59 or second > 59:
            raise UnitError(f"{show(value)} is not a time of day; {_CLOCK_HINT}")
        moment = datetime.combine(start.date(), time(hour, minute, second))
    else:
        if "-" not in text:
            raise UnitError(f"{show(value)} is not a clock time; {_CLOCK_HINT}")
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise UnitError(f"{show(value)} is not a clock time; {_CLOCK_HINT}") from None
        if moment.tzinfo is not None:
            raise UnitError(f"{show(value)} has a time zone; write local time without one")
    offset = (moment - start).total_seconds()
    if offset < 0:
        ahead = format_duration(-offset)
        raise UnitError(
            f"{show(value)} is {ahead} before the start ({start.isoformat(timespec='minutes')}); "
            "times must fall at or after it"
        )
    return offset


# --------------------------------------------------------------------------- writing


def _exact(text: str, value: float, parse: Callable[[str], float]) -> bool:
    try:
        return parse(text) == value
    except UnitError:
        return False


def format_duration(seconds: float) -> str:
    """The most readable duration text that reads back to exactly ``seconds`` (``7h``, ``90min``).

    Falls back to plain seconds (``0.123456789s``) when no whole number of a unit is exact.
    """
    if seconds == 0:
        return "0s"
    for unit, (_rank, factor, divide) in _DURATION_UNITS.items():
        if unit == "m":
            continue
        number = round(seconds * factor if divide else seconds / factor, 9)
        if number.is_integer() and number >= 1:
            text = f"{int(number)}{unit}"
            if _exact(text, seconds, parse_duration):
                return text
    return format_seconds(seconds)


def format_offset(seconds: float) -> str:
    """A clock time as an offset from the start, ``+9h30m`` style (``+570min``)."""
    return "+" + format_duration(seconds)


def format_rate(per_second: float) -> str:
    """The most readable rate text that reads back to exactly ``per_second`` (``2500/h``)."""
    for unit in ("h", "min", "s", "d"):
        number = round(per_second * _RATE_UNITS[unit], 9)
        if number.is_integer() and number >= 1:
            text = f"{int(number)}/{unit}"
            if _exact(text, per_second, parse_rate):
                return text
    return f"{per_second!r}/s"


# --------------------------------------------------------------------------- distributions

_CALL = re.compile(r"\s*([A-Za-z][A-Za-z0-9_-]*)\s*\((.*)\)\s*", re.DOTALL)
_KNOWN = ", ".join(cls.signature() for cls in DISTRIBUTIONS.values())


def _argument(cls: type[Distribution], label: str, kind: str, text: str, base_dir: Path) -> object:
    if kind == "duration":
        try:
            # Zero passes here so that the class itself says which parameters may be zero.
            return parse_duration(text, allow_zero=True)
        except UnitError as exc:
            raise UnitError(f"{cls.name}'s {label}: {exc}") from None
    if kind == "number":
        number = _plain_number(text)
        if number is None:
            raise UnitError(
                f"{cls.name}'s {label} is a plain number (no unit), e.g. '0.5'; found {show(text)}"
            )
        return number
    path = Path(text.strip().strip("'\""))
    return path if path.is_absolute() else base_dir / path


def parse_distribution(text: object, base_dir: Path | None = None) -> Distribution:
    """The distribution a text names: ``exponential(mean)``, ``lognormal(mean, sd)``, ...

    Args:
        text: What the file holds.
        base_dir: Folder that ``empirical(file.csv)`` paths are relative to (the scenario
            file's folder); the working directory when omitted.

    Raises:
        UnitError: For an unknown name, a wrong number of arguments, an argument without its
            unit or with a bad value.
        DataFileError: For an ``empirical`` file that is missing or has a bad row.
    """
    examples = "write e.g. 'exponential(30min)', 'lognormal(150ms, 80ms)' or 'constant(50ms)'"
    if not isinstance(text, str):
        if _is_number(text):
            raise UnitError(
                f"{show(text)} is a number, not a distribution; write e.g. "
                f"'constant({text}s)' for a fixed time or 'exponential({text}s)' for a random one"
            )
        raise UnitError(f"expected a distribution, found {show(text)}; {examples}")
    call = _CALL.fullmatch(text)
    if call is None:
        try:
            parse_duration(text)
        except UnitError:
            raise UnitError(f"{show(text)} is not a distribution; write one of {_KNOWN}") from None
        raise UnitError(
            f"{show(text)} is a duration, not a distribution; write 'constant({text.strip()})' "
            f"for a fixed time or 'exponential({text.strip()})' for a random one with that mean"
        )
    name, inside = call.group(1), call.group(2)
    cls = DISTRIBUTIONS.get(name)
    if cls is None:
        raise UnitError(
            f"{show(name)} is not a known distribution; use one of {_KNOWN}"
            f"{did_you_mean(name, DISTRIBUTIONS)}"
        )
    parts = [part.strip() for part in inside.split(",")] if inside.strip() else []
    if len(parts) != len(cls.params) or any(not part for part in parts):
        count = len(cls.params)
        raise UnitError(
            f"{show(text)}: {cls.name} takes {count} argument{'s' if count > 1 else ''}, "
            f"{cls.signature()}; write e.g. '{cls.example}'"
        )
    if cls is Empirical:
        path = _argument(cls, "file", "path", parts[0], base_dir or Path.cwd())
        assert isinstance(path, Path)
        resolved = os.path.abspath(path)
        return Empirical(resolved, read_seconds(Path(resolved)))
    args = [
        _argument(cls, label, kind, part, base_dir or Path.cwd())
        for (label, kind), part in zip(cls.params, parts, strict=True)
    ]
    try:
        return cls(*args)
    except ValueError as exc:
        raise UnitError(f"{show(text)}: {exc}") from None


def absolute_empirical(text: str, base_dir: Path) -> str:
    """``empirical(x.csv)`` with the path made absolute against ``base_dir``; other text as is.

    The loader applies this to every value of a file as it reads it, because a path is relative
    to the file that names it and that file is known only then.
    """
    call = _CALL.fullmatch(text)
    if call is None or call.group(1) != Empirical.name or "," in call.group(2):
        return text
    inner = call.group(2).strip().strip("'\"")
    if not inner:
        return text
    path = Path(inner)
    return text if path.is_absolute() else f"empirical({os.path.abspath(base_dir / path)})"
