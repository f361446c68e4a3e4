"""Warnings about a valid scenario: things that are allowed but probably not meant.

A fault that starts at or after the horizon is accepted (so that ``--horizon`` can shorten any
scenario) but has no effect; one that lasts to or past the horizon leaves no time to recover, so
every recovery figure is null; a flow with neither ``rate`` nor ``trace`` that no reply uses
carries no messages; a deadline without replies, a priority of replies and a surge on a flow
without a rate change nothing; analysts or a fallback that start on an alert, in a scenario without
alerts, never start. The CLI prints these on stderr; they never stop a run.
"""

from __future__ import annotations

from typing import NamedTuple

from sim.scenario.incidents import Fault
from sim.scenario.pos import Key
from sim.scenario.schema import Scenario
from sim.scenario.units import format_duration, format_offset

__all__ = ["Note", "scenario_notes", "scenario_warnings"]


class Note(NamedTuple):
    """One warning, at the key path it is about (``("faults", 1)``)."""

    path: tuple[Key, ...]
    message: str

    def __str__(self) -> str:
        where = ".".join(str(part) for part in self.path)
        return f"{where}: {self.message}" if where else self.message


def _fault_notes(scenario: Scenario) -> list[Note]:
    horizon = scenario.horizon
    if horizon is None:
        return []
    notes: list[Note] = []
    for index, fault in enumerate(scenario.faults):
        what = _describe(fault)
        if fault.at >= horizon:
            notes.append(
                Note(
                    ("faults", index),
                    f"the {what} starts at or after the horizon ({format_duration(horizon)}), "
                    "so it has no effect",
                )
            )
        elif fault.duration is not None and fault.at + fault.duration >= horizon:
            notes.append(
                Note(
                    ("faults", index),
                    f"the {what} lasts until {format_offset(fault.at + fault.duration)}, past "
                    f"the horizon ({format_duration(horizon)}): the run ends during the fault, "
                    "so no queue can recover from it (recovery_time_s is null)",
                )
            )
    return notes


def _surge_notes(scenario: Scenario) -> list[Note]:
    """A surge multiplies a flow's Poisson rate: a flow of replies or a replayed trace has none."""
    notes: list[Note] = []
    rated = [fid for fid, flow in scenario.flows.items() if flow.rate is not None]
    for index, fault in enumerate(scenario.faults):
        if fault.kind != "surge":
            continue
        target = fault.target
        if target == "all" and not rated:
            unmoved = "no flow has a rate"
        elif isinstance(target, str) and target != "all" and target not in rated:
            flow = scenario.flows.get(target)
            if flow is None:
                continue
            source = "replays a trace" if flow.trace is not None else "is made only by replies"
            unmoved = f"flow '{target}' {source}"
        else:
            continue
        notes.append(
            Note(
                ("faults", index),
                f"the {_describe(fault)} multiplies an arrival rate, but {unmoved}, so it has "
                "no effect (target a flow with a rate)",
            )
        )
    return notes


def _describe(fault: Fault) -> str:
    """``system-outage 'lab down' at +1h``: the kind, the name if any, the start."""
    name = f" '{fault.name}'" if fault.name else ""
    return f"{fault.kind}{name} at {format_offset(fault.at)}"


def scenario_notes(scenario: Scenario) -> list[Note]:
    """Every thing in a valid scenario that has no effect or cannot be measured, by key path."""
    notes = _fault_notes(scenario)
    replied = {flow.reply.flow for flow in scenario.flows.values() if flow.reply is not None}
    for fid, flow in scenario.flows.items():
        if flow.rate is None and flow.trace is None and fid not in replied:
            notes.append(
                Note(
                    ("flows", fid),
                    "has no rate or trace and no flow replies on it, so it carries no messages",
                )
            )
        if flow.deadline is not None and flow.reply is None:
            notes.append(
                Note(
                    ("flows", fid, "deadline"),
                    "is an order-to-result deadline, but the flow has no reply, so no order of "
                    "it can be late (give it a reply, or move the deadline to the ordering flow)",
                )
            )
        if flow.rate is None and flow.trace is None and "priority" in flow.model_fields_set:
            notes.append(
                Note(
                    ("flows", fid, "priority"),
                    "has no effect: the flow's messages are replies, which take their order's "
                    "class (set the priority on the ordering flow)",
                )
            )
    notes += _surge_notes(scenario)
    if not scenario.alerts:
        analysts = scenario.staff.analysts if scenario.staff is not None else None
        if analysts is not None and analysts.start_on_alert:
            notes.append(
                Note(
                    ("staff", "analysts"),
                    "start_on_alert is true but no alerts are defined, so the analysts are "
                    "never called (add alerts, or set start_on_alert: false)",
                )
            )
        if scenario.fallback is not None and scenario.fallback.start_on_alert:
            notes.append(
                Note(
                    ("fallback",),
                    "start_on_alert is true but no alerts are defined, so the fallback never "
                    "starts (add alerts, or set start_on_alert: false)",
                )
            )
    return notes


def scenario_warnings(scenario: Scenario) -> list[str]:
    """One line per thing that is valid but has no effect, each starting with its key path."""
    return [str(note) for note in scenario_notes(scenario)]
