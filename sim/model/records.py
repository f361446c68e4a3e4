"""What a run leaves besides its figures: events, samples, and why it stopped early."""

from __future__ import annotations

from dataclasses import dataclass, field


class GuardTripped(Exception):
    """A run exceeded one of its limits and was stopped."""


class InvariantBroken(Exception):
    """A run broke one of the model's invariants (a bug, never a property of the scenario)."""


@dataclass
class Event:
    """A row of events.csv."""

    time_s: float
    kind: str
    target: str = ""
    detail: str = ""


@dataclass
class Samples:
    """Backlogs at the fixed sampling step: one list per column."""

    time_s: list[float] = field(default_factory=list)
    columns: dict[str, list[float]] = field(default_factory=dict)
