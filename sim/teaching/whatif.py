"""The interactive what-if's update function: one replication of a small world under chosen
settings, and the figures a teacher reads off it.

The notebook's sliders (:mod:`sim.teaching.widgets`) call :func:`update` on every change and
draw :func:`what_if_figure`; tests, benchmarks and CI call the same functions without widgets::

    from sim.teaching.whatif import Settings, update
    result = update(Settings(stall_h=4.0, connections=2, design=PER_PATIENT))
    result.peak_backlog, result.recovery_time_s

The world is the shipped scenario :data:`WORLD` (``scenarios/small-plug.yaml``: an EHR, the
engine, a lab, radiology and MedCom, a 2-hour stall with poisoned messages at its end). Every
setting is a ``--set`` assignment on it, so each what-if is also a command line:
``ehrsim run small-plug --set ...`` with :attr:`WhatIf.sets` gives the same figures.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sim.experiments.run import RunResult, run
from sim.scenario import load_scenario

if TYPE_CHECKING:
    from sim.report.plots.canvas import Figure

__all__ = [
    "DESIGNS",
    "PER_DESTINATION_STRICT",
    "PER_PATIENT",
    "SHARED_PER_PATIENT",
    "SHARED_STRICT",
    "WORLD",
    "Settings",
    "WhatIf",
    "update",
    "what_if_figure",
]

WORLD = "small-plug"
"""The shipped scenario every what-if starts from."""

PER_DESTINATION_STRICT = "a queue per destination, strict order"
PER_PATIENT = "a queue per destination, per-patient order"
SHARED_STRICT = "one shared queue, strict order"
SHARED_PER_PATIENT = "one shared queue, per-patient order"
DESIGNS: dict[str, tuple[str, str]] = {
    PER_DESTINATION_STRICT: ("per-destination", "strict"),
    PER_PATIENT: ("per-destination", "per-patient"),
    SHARED_STRICT: ("shared", "strict"),
    SHARED_PER_PATIENT: ("shared", "per-patient"),
}
"""Queue designs by the name the what-if shows: (``strategy.queues``, ``strategy.order``)."""

SYSTEMS = ("lab", "ris", "medcom", "ehr")
"""The world's channels; the connections setting applies to each."""


@dataclass(frozen=True)
class Settings:
    """One what-if: the four knobs of the sliders.

    Attributes:
        stall_h: The engine stall's length in hours (it starts at 09:00), above 0.
        connections: Connections per channel (1 or more). Strict order sends one message at
            a time, so under a strict design every channel runs with 1 (a note says so).
        design: A key of :data:`DESIGNS`.
        drain_per_s: A token bucket on each channel's sends, in messages per second (the
            ``drain`` strategy); 0 means no limit.
    """

    stall_h: float = 2.0
    connections: int = 1
    design: str = PER_DESTINATION_STRICT
    drain_per_s: float = 0.0

    def check(self) -> None:
        """Raise ValueError naming the setting that cannot be simulated."""
        if not self.stall_h > 0:
            raise ValueError(f"stall_h must be above 0 hours, not {self.stall_h!r}")
        if self.connections < 1:
            raise ValueError(f"connections must be at least 1, not {self.connections!r}")
        if self.design not in DESIGNS:
            raise ValueError(f"design {self.design!r}: choose one of {', '.join(DESIGNS)}")
        if self.drain_per_s < 0:
            raise ValueError(f"drain_per_s must be 0 (no limit) or more, not {self.drain_per_s}")

    @property
    def strict(self) -> bool:
        """Whether the design keeps HL7 strict order (one message in flight per channel)."""
        return DESIGNS[self.design][1] == "strict"

    @property
    def effective_connections(self) -> int:
        """The connections each channel runs with: 1 under strict order."""
        return 1 if self.strict else self.connections

    def sets(self) -> list[str]:
        """The ``--set`` assignments of this what-if on :data:`WORLD`."""
        self.check()
        queues, order = DESIGNS[self.design]
        out = [
            f"faults.0.for={self.stall_h * 60:g}min",
            f"strategy.queues={queues}",
            f"strategy.order={order}",
        ]
        out += [f"systems.{sid}.connections={self.effective_connections}" for sid in SYSTEMS]
        if self.drain_per_s > 0:
            out.append(f"strategy.drain.rate={self.drain_per_s:g}/s")
        return out

    def notes(self) -> list[str]:
        """What the run did differently from the settings as given."""
        if self.strict and self.connections > 1:
            return [
                f"strict order sends one message at a time: ran with 1 connection per channel, "
                f"not {self.connections} (choose a per-patient design to use more)"
            ]
        return []


@dataclass(frozen=True)
class WhatIf:
    """One what-if's run and its headline figures.

    Attributes:
        settings: What was asked.
        sets: The ``--set`` assignments it ran with on :data:`WORLD`.
        notes: What ran differently from the settings (see :meth:`Settings.notes`).
        result: The run (one replication).
        seconds: Wall-clock seconds the simulation took.
    """

    settings: Settings
    sets: tuple[str, ...]
    notes: tuple[str, ...]
    result: RunResult
    seconds: float

    @property
    def summary(self) -> dict[str, Any]:
        """The run's summary.json."""
        return self.result.summary

    @property
    def peak_backlog(self) -> float:
        """The most messages under way at once (created, not yet delivered), all channels."""
        return float(self.summary["peak_backlog"])

    @property
    def recovery_time_s(self) -> float | None:
        """Seconds from the end of the stall until every queue is back at its normal level
        (``None``: not within the horizon)."""
        value = self.summary["recovery_time_s"]
        return None if value is None else float(value)

    @property
    def late_stat(self) -> float:
        """STAT orders past their deadline without a result."""
        return float(self.summary["late"].get("stat", 0.0))

    @property
    def oldest_wait_s(self) -> float:
        """The longest any message waited for its destination, over every queue."""
        return max(float(q["oldest_age_s"]) for q in self.summary["queues"].values())

    def headline(self) -> dict[str, float | None]:
        """The headline figures by name (what the what-if prints and the tests read)."""
        return {
            "peak_backlog": self.peak_backlog,
            "recovery_time_s": self.recovery_time_s,
            "late_stat": self.late_stat,
            "oldest_wait_s": self.oldest_wait_s,
        }

    def headline_text(self) -> str:
        """The headline figures in one line for people."""
        recovery = self.recovery_time_s
        back = "not within the horizon" if recovery is None else _duration(recovery)
        return (
            f"peak backlog {self.peak_backlog:,.0f} messages; back to normal {back} after the "
            f"stall; {self.late_stat:,.0f} late STAT orders; the longest wait "
            f"{_duration(self.oldest_wait_s)}"
        )


def _duration(seconds: float) -> str:
    """A duration as the reports write it: ``4m 36s``, ``1h 02m``."""
    from sim.report.compare_text import value_text

    return value_text("recovery_time_s", seconds)


def update(settings: Settings) -> WhatIf:
    """Run one replication of :data:`WORLD` under ``settings`` (the world's seed).

    Raises:
        ValueError: A setting that cannot be simulated (see :meth:`Settings.check`).
    """
    sets = settings.sets()
    scenario = load_scenario(WORLD, sets=sets)
    started = time.perf_counter()
    result = run(scenario, replications=1)
    seconds = time.perf_counter() - started
    return WhatIf(settings, tuple(sets), tuple(settings.notes()), result, seconds)


def what_if_figure(what_if: WhatIf) -> Figure:
    """The backlog per destination over the day, the stall shaded, the headline as its title
    (the results folder's backlog plot, :func:`sim.report.plots.backlog_figure`)."""
    from sim.report.plots import backlog_figure, destination_labels

    scenario = what_if.result.scenario
    s = what_if.settings
    drain = f", drain {s.drain_per_s:g}/s" if s.drain_per_s > 0 else ""
    title = (
        f"{what_if.headline_text()}\n"
        f"{s.stall_h:g} h stall, {s.design}, {s.effective_connections} connection"
        f"{'s' if s.effective_connections > 1 else ''} per channel{drain}"
    )
    return backlog_figure(
        what_if.result.replications,
        start=scenario.start,
        horizon=what_if.result.horizon,
        title=title,
        labels=destination_labels({fid: flow.to for fid, flow in scenario.flows.items()}),
    )
