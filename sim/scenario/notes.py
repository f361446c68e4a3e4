"""Warnings about a valid scenario: things that are allowed but probably not meant.

A fault that starts at or after the horizon is accepted (so that ``--horizon`` can shorten any
scenario) but has no effect; a flow with neither ``rate`` nor ``trace`` that no reply uses carries
no messages. The CLI prints these; they never stop a run.
"""

from __future__ import annotations

from sim.scenario.schema import Scenario
from sim.scenario.units import format_duration, format_offset

__all__ = ["scenario_warnings"]


def scenario_warnings(scenario: Scenario) -> list[str]:
    """One line per thing that is valid but has no effect, each starting with its key path."""
    notes: list[str] = []
    horizon = scenario.horizon
    if horizon is not None:
        for index, fault in enumerate(scenario.faults):
            if fault.at >= horizon:
                notes.append(
                    f"faults.{index}: the {fault.kind} at {format_offset(fault.at)} starts at or "
                    f"after the horizon ({format_duration(horizon)}), so it has no effect"
                )
    replied = {flow.reply.flow for flow in scenario.flows.values() if flow.reply is not None}
    for fid, flow in scenario.flows.items():
        if flow.rate is None and flow.trace is None and fid not in replied:
            notes.append(
                f"flows.{fid}: has no rate or trace and no flow replies on it, so it carries "
                "no messages"
            )
    analysts = scenario.staff.analysts if scenario.staff is not None else None
    if analysts is not None and analysts.start_on_alert and not scenario.alerts:
        notes.append(
            "staff.analysts: start_on_alert is true but no alerts are defined, so the "
            "analysts are never called (add alerts, or set start_on_alert: false)"
        )
    return notes
