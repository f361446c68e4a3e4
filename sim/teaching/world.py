"""A scenario's world as a diagram: who sends what through the engine to whom, and what breaks.

Built from the resolved scenario alone (no simulation, no picture file): the senders on the
left with their flows and daily volumes, the integration engine in the middle with the
faults on its timeline, and each destination channel on the right with its daily volume, its
connections, its order and its load ρ (:func:`sim.plan`). A system that both sends and
receives (the EHR sends orders and receives results; a lab receives orders and sends results)
appears on both sides, as the engine sees it: once as a sender, once as a channel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.experiments.plan import plan
from sim.report.plots.world import Box, WorldDiagram

if TYPE_CHECKING:
    from sim.report.plots.canvas import Figure
    from sim.scenario.schema import Scenario

__all__ = ["Box", "WorldDiagram", "world_diagram", "world_figure"]

DAY = 86_400.0


def _order(scenario: Scenario, sid: str, servers: int) -> str:
    order = scenario.channel_strategy(sid).order
    connections = f"{servers} connection{'s' if servers != 1 else ''}"
    return f"{connections}, {order} order"


def world_diagram(scenario: Scenario) -> WorldDiagram:
    """The diagram of ``scenario``'s world (see the module's docstring)."""
    from sim.report.scenario_words import fault_sentences

    load = plan(scenario)
    per_flow = load.flows
    senders: dict[str, list[str]] = {}
    receivers: dict[str, list[str]] = {}
    for fid, flow in scenario.flows.items():
        senders.setdefault(flow.source, []).append(fid)
        receivers.setdefault(flow.to, []).append(fid)
    channels = {c.system: c for c in load.channels}
    engine = scenario.engine
    queues = {
        "shared": "one shared queue",
        "per-destination": "a queue per destination",
        "per-flow": "a queue per flow",
    }[scenario.strategy.queues]
    return WorldDiagram(
        title=scenario.title or scenario.name,
        senders=tuple(
            Box(sid, tuple(fids), sum(per_flow.get(f, 0.0) for f in fids) * DAY)
            for sid, fids in senders.items()
        ),
        channels=tuple(
            Box(
                sid,
                tuple(fids),
                channels[sid].rate * DAY,
                f"{_order(scenario, sid, channels[sid].servers)}, ρ = {channels[sid].rho:.2g}",
            )
            for sid, fids in receivers.items()
        ),
        engine=(
            f"{engine.nodes} node{'s' if engine.nodes != 1 else ''}, {engine.cores} cores; {queues}"
        ),
        faults=tuple(fault_sentences(scenario.faults, scenario.start)),
    )


def world_figure(scenario: Scenario) -> Figure:
    """The world diagram of ``scenario``, drawn (:func:`sim.report.plots.world_figure`)."""
    from sim.report.plots.world import diagram_figure

    return diagram_figure(world_diagram(scenario))
