"""The axes of a metastability map: which fault, how strong, how long.

A map varies one fault of the scenario (``--fault N``; the only one by default) along two
axes: its **magnitude**, the ``severity`` key of the format (an engine stall's share of channel
capacity lost, an ACK loss's share, a surge's factor on arrivals, a slowdown's factor on time),
and its **duration**, its ``for``. Each axis has ``--steps`` values from LO to HI, both
included:

- magnitude, evenly spaced. By default from a quarter of the fault's severity to all of it
  for a share (``0.25..1`` for a full engine stall); for a factor, the *excess over 1* is
  scaled, so a surge of 1.4 maps 1.1..1.4 (a quarter of 1.4 would be fewer arrivals, not a
  smaller surge);
- duration, in geometric steps (each value the same multiple of the one before: the map
  spans a factor of 16 by default, a quarter to four times the fault's ``for``), the ends as
  given and the values between rounded to the minute when LO is 10 minutes or more, to the
  second when it is 10 seconds or more, to the millisecond below (``26min``, not
  ``26m07s``).

Kinds without a severity (``node-crash``, ``system-outage``, ``partition``) or without a
``for`` (``poison-message``) have no map; neither has an engine stall in ``mode: refuse``,
which always stops everything.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.experiments.grid import MAX_POINTS, Param

if TYPE_CHECKING:
    from sim.scenario.schema import Fault, Scenario

__all__ = [
    "DEFAULT_STEPS",
    "DURATION_SPAN",
    "MAGNITUDE_SHARE",
    "MapAxes",
    "MapAxis",
    "MapError",
    "choose_fault",
    "map_axes",
    "number_text",
]

DEFAULT_STEPS = 6
"""Values per axis unless ``--steps`` says otherwise."""
MAGNITUDE_SHARE = 0.25
"""The default magnitude axis starts at this share of the fault's severity (of its excess
over 1, for a factor)."""
DURATION_SPAN = (0.25, 4.0)
"""The default duration axis runs from these multiples of the fault's ``for``."""

_PLAIN = re.compile(r"\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*")


class MapError(ValueError):
    """A ``--fault``, ``--magnitude``, ``--duration`` or ``--steps`` that cannot make a map
    (exit 2)."""


@dataclass(frozen=True)
class MapAxis:
    """One axis of the map: a key of the fault and its values.

    Attributes:
        key: The key path, as ``--set`` takes it (``faults.0.severity``).
        values: Each value as ``--set`` takes it (``0.25``, ``15min``).
        sizes: Each value as a number (the severity; the duration in seconds).
        text: The range as typed, or as the defaults made it (``0.25..1``).
    """

    key: str
    values: tuple[str, ...]
    sizes: tuple[float, ...]
    text: str

    @property
    def param(self) -> Param:
        """The axis as a sweep parameter."""
        return Param(self.key, self.values)


@dataclass(frozen=True)
class MapAxes:
    """The fault a map varies and its two axes.

    Attributes:
        index: The fault's place in ``faults``.
        kind: Its kind (``engine-stall``).
        label: Its name, or its kind.
        share: Whether its severity is a share (else a factor).
        magnitude: The severity axis.
        duration: The ``for`` axis.
    """

    index: int
    kind: str
    label: str
    share: bool
    magnitude: MapAxis
    duration: MapAxis

    @property
    def params(self) -> list[Param]:
        """Both axes as sweep parameters, magnitude first (outermost)."""
        return [self.magnitude.param, self.duration.param]


def number_text(x: float) -> str:
    """A magnitude as ``--set`` takes it and people read it: at most six decimals, no
    trailing zeros (``0.25``, ``1``, ``1.133333``)."""
    text = f"{x:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _fault_list(scenario: Scenario) -> str:
    return "; ".join(
        f"{i}: {f.kind}" + (f" {f.name!r}" if f.name else "") for i, f in enumerate(scenario.faults)
    )


def choose_fault(scenario: Scenario, index: int | None) -> int:
    """The index of the fault to map: ``index``, or the scenario's only fault.

    Raises:
        MapError: No faults; several and no index (naming them); an index that is not one of
            them; or a kind that has no severity or no ``for`` to vary.
    """
    from sim.scenario.faultkinds import FAULT_KINDS

    faults = scenario.faults
    if not faults:
        raise MapError(
            f"scenario {scenario.name!r} has no faults: a map varies a fault's severity and "
            "length; add one under 'faults'"
        )
    if index is None:
        if len(faults) > 1:
            raise MapError(
                f"scenario {scenario.name!r} has {len(faults)} faults ({_fault_list(scenario)}); "
                f"choose one with --fault N (0..{len(faults) - 1})"
            )
        index = 0
    if not 0 <= index < len(faults):
        last = len(faults) - 1
        which = "index 0" if last == 0 else f"indexes 0..{last}"
        raise MapError(
            f"--fault {index}: scenario {scenario.name!r} has {len(faults)} fault"
            f"{'s' if len(faults) > 1 else ''}, {which} ({_fault_list(scenario)})"
        )
    fault = faults[index]
    rules = FAULT_KINDS[fault.kind]
    mapped = ", ".join(k for k, r in FAULT_KINDS.items() if r.severity != "none" and r.has_for)
    if rules.severity == "none" or not rules.has_for:
        parts = ["no severity or factor"] if rules.severity == "none" else []
        parts += [] if rules.has_for else ["no 'for'"]
        lacks = " and ".join(parts)
        raise MapError(
            f"--fault {index}: a {fault.kind} has {lacks} to vary, so it has no map; the kinds "
            f"that have one: {mapped}"
        )
    if fault.mode in rules.whole_modes:
        raise MapError(
            f"--fault {index}: a {fault.kind} in mode {fault.mode} always stops everything, so "
            f"it has no severity to vary; map it in mode hold (--set faults.{index}.mode=hold)"
        )
    return index


def _ends(option: str, text: str, example: str) -> tuple[str, str]:
    low, dots, high = text.partition("..")
    if not dots or not low.strip() or not high.strip():
        raise MapError(
            f"{option} {text.strip()!r}: the range is empty or open; give both ends, e.g. "
            f"{example} (both included)"
        )
    return low.strip(), high.strip()


def _checked(option: str, text: str, low: float, high: float, shown: tuple[str, str]) -> None:
    if not (math.isfinite(low) and math.isfinite(high)):
        raise MapError(f"{option} {text.strip()!r}: both ends must be finite numbers")
    if high < low:
        raise MapError(
            f"{option} {text.strip()!r}: the range is reversed (it would be empty); write "
            f"{shown[1]}..{shown[0]}"
        )
    if high == low:
        raise MapError(
            f"{option} {text.strip()!r}: the range has no width; give LO below HI (a map "
            "needs two different values on each axis)"
        )


def parse_magnitude(text: str, fault: Fault) -> tuple[float, float]:
    """``LO..HI`` of plain numbers, in the unit of the fault's severity.

    Raises:
        MapError: An empty, open, reversed or zero-width range, or an end that is not a plain
            number (a duration, a rate, a percentage: the wrong unit).
    """
    from sim.scenario.faultkinds import FAULT_KINDS

    meaning = FAULT_KINDS[fault.kind].severity_meaning
    example = "0.25..1" if FAULT_KINDS[fault.kind].severity_is_share else "1.1..2"
    low, high = _ends("--magnitude", text, example)
    for end in (low, high):
        if not _PLAIN.fullmatch(end):
            raise MapError(
                f"--magnitude {text.strip()!r}: {end!r} is not a plain number; the magnitude "
                f"is the {fault.kind}'s severity, {meaning}, written without units "
                f"(e.g. --magnitude {example})"
            )
    lo, hi = float(low), float(high)
    _checked("--magnitude", text, lo, hi, (low, high))
    return lo, hi


def parse_duration_range(text: str) -> tuple[float, float]:
    """``LO..HI`` of durations with units, in seconds.

    Raises:
        MapError: An empty, open, reversed or zero-width range, or an end that is not a
            positive duration (a plain number has no unit: the format refuses it).
    """
    from sim.scenario.units import UnitError, parse_duration

    low, high = _ends("--duration", text, "15min..4h")
    sizes = []
    for end in (low, high):
        if _PLAIN.fullmatch(end):
            raise MapError(
                f"--duration {text.strip()!r}: {end!r} has no unit; the duration is the "
                "fault's 'for', written with units (e.g. --duration 15min..4h)"
            )
        try:
            sizes.append(parse_duration(end))
        except UnitError as exc:
            raise MapError(f"--duration {text.strip()!r}: {exc}") from None
    _checked("--duration", text, sizes[0], sizes[1], (low, high))
    return sizes[0], sizes[1]


def _linear(low: float, high: float, steps: int) -> list[float]:
    return [low + (high - low) * k / (steps - 1) for k in range(steps)]


def _geometric(low: float, high: float, steps: int) -> list[float]:
    ratio = (high / low) ** (1.0 / (steps - 1))
    out = [low * ratio**k for k in range(steps)]
    out[-1] = high
    grain = 60.0 if low >= 600.0 else 1.0 if low >= 10.0 else 0.001
    return [low, *(round(v / grain) * grain for v in out[1:-1]), high]


def _distinct(option: str, texts: list[str], text: str) -> None:
    if len(set(texts)) < len(texts):
        raise MapError(
            f"{option} {text}: too narrow for {len(texts)} steps (values repeat once rounded); "
            "widen the range or give fewer --steps"
        )


def map_axes(
    scenario: Scenario,
    index: int,
    *,
    magnitude: str | None = None,
    duration: str | None = None,
    steps: int = DEFAULT_STEPS,
    variants: int = 1,
) -> MapAxes:
    """The axes of the map of fault ``index`` (see the module for the defaults).

    Args:
        scenario: The scenario (its fault gives the defaults).
        index: The fault (from :func:`choose_fault`).
        magnitude: ``LO..HI`` of the severity, or ``None`` for the default.
        duration: ``LO..HI`` of ``for``, or ``None`` for the default.
        steps: Values per axis, at least 2.
        variants: How many variants share the map (to bound the number of points).

    Raises:
        MapError: Too few steps, too many points, or a range that cannot be read (see
            :func:`parse_magnitude`, :func:`parse_duration_range`).
    """
    from sim.scenario.faultkinds import FAULT_KINDS
    from sim.scenario.units import format_duration

    if steps < 2:
        raise MapError(f"--steps {steps}: a map needs at least 2 steps on each axis")
    points = steps * steps * variants
    if points > MAX_POINTS:
        raise MapError(
            f"--steps {steps}: {steps} x {steps} values for {variants} variant(s) make "
            f"{points:,} points; a map has at most {MAX_POINTS:,}"
        )
    fault = scenario.faults[index]
    share = FAULT_KINDS[fault.kind].severity_is_share
    severity = float(fault.severity if fault.severity is not None else 1.0)
    if magnitude is None:
        if share:
            low, high = MAGNITUDE_SHARE * severity, severity
        else:
            low, high = sorted((1.0 + MAGNITUDE_SHARE * (severity - 1.0), severity))
        if high <= low:
            raise MapError(
                f"--fault {index}: the {fault.kind}'s factor is {number_text(severity)}, so "
                "there is no excess over 1 to scale; give --magnitude LO..HI"
            )
        magnitude_text = f"{number_text(low)}..{number_text(high)}"
    else:
        low, high = parse_magnitude(magnitude, fault)
        magnitude_text = magnitude.strip()
    sizes = _linear(low, high, steps)
    texts = [number_text(v) for v in sizes]
    _distinct("--magnitude", texts, magnitude_text)
    severity_axis = MapAxis(
        f"faults.{index}.severity", tuple(texts), tuple(float(t) for t in texts), magnitude_text
    )
    if duration is None:
        length = float(fault.duration or 0.0)
        d_low, d_high = DURATION_SPAN[0] * length, DURATION_SPAN[1] * length
        duration_text = f"{format_duration(d_low)}..{format_duration(d_high)}"
    else:
        d_low, d_high = parse_duration_range(duration)
        duration_text = duration.strip()
    seconds = _geometric(d_low, d_high, steps)
    d_texts = [format_duration(s) for s in seconds]
    _distinct("--duration", d_texts, duration_text)
    duration_axis = MapAxis(f"faults.{index}.for", tuple(d_texts), tuple(seconds), duration_text)
    return MapAxes(index, fault.kind, fault.name or fault.kind, share, severity_axis, duration_axis)
