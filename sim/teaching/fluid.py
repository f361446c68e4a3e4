"""What the fluid model predicts for a scenario's engine stall, channel by channel.

The fluid model (Newell; :mod:`sim.theory.fluid`) treats messages as a liquid: during a stall
nothing leaves, so a channel's backlog at the end of the stall is the integral of its arrival
rate over the stall (λ·T for a flat rate), and it then drains at the channel's capacity less
the arrivals. Here the rate of each flow is its own daily profile and weekday (the same
numbers the simulation draws from), so a stall across the morning peak is integrated hour by
hour.

What it leaves out is the point of comparing it with the simulation: results (replies) exist
only once their orders reach the lab, orders that go on paper are not messages, and a
poisoned message under strict order stops a channel that the fluid model drains. A channel
whose flows include replies is marked, and only its own-rate flows are counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.experiments.plan import plan
from sim.theory import HourlyProfile, drain_time, stall_backlog

if TYPE_CHECKING:
    from sim.scenario.incidents import Fault
    from sim.scenario.schema import Flow, Scenario

__all__ = ["StallFluid", "engine_stall", "stall_fluid"]

_DAY = 86_400.0


@dataclass(frozen=True)
class StallFluid:
    """The fluid model of one destination channel through an engine stall.

    Attributes:
        system: The destination.
        backlog: Messages of the channel's own-rate flows arriving during the stall (nothing
            leaves while the engine is stalled).
        rate_after: Their arrival rate (per second) just after the stall ends.
        capacity: Messages per second the channel can move (:func:`sim.plan`).
        drain_s: Time to drain ``backlog`` at ``capacity`` against ``rate_after`` (``None``
            when the channel cannot keep up: capacity at or below the rate).
        replies: Whether the channel also carries results, which the model leaves out.
    """

    system: str
    backlog: float
    rate_after: float
    capacity: float
    drain_s: float | None
    replies: bool


def engine_stall(scenario: Scenario) -> Fault:
    """The scenario's first engine stall.

    Raises:
        ValueError: The scenario has no engine stall, or it has no length.
    """
    for fault in scenario.faults:
        if fault.kind == "engine-stall" and fault.duration is not None:
            return fault
    raise ValueError(f"{scenario.name} has no engine stall")


def _profile(flow: Flow, scenario: Scenario, rate: float) -> HourlyProfile:
    return HourlyProfile(
        mean_rate=rate,
        hourly=tuple(flow.profile or scenario.profile),
        week=tuple(flow.week or scenario.week),
    )


def stall_fluid(scenario: Scenario) -> dict[str, StallFluid]:
    """The fluid model of every destination channel through the first engine stall."""
    stall = engine_stall(scenario)
    length = float(stall.duration or 0.0)
    monday = scenario.start.replace(hour=0, minute=0, second=0, microsecond=0)
    offset = (scenario.start - monday).total_seconds() + scenario.start.weekday() * _DAY
    begin = offset + float(stall.at)
    channels = {c.system: c for c in plan(scenario).channels}
    out: dict[str, StallFluid] = {}
    for sid, channel in channels.items():
        flows = [f for f in scenario.flows.values() if f.to == sid]
        own = [f for f in flows if f.rate is not None]
        backlog = sum(
            stall_backlog(_profile(f, scenario, f.rate or 0.0), begin, length) for f in own
        )
        after = sum(_profile(f, scenario, f.rate or 0.0).rate_at(begin + length) for f in own)
        drain = drain_time(backlog, channel.drain, after) if channel.drain > after else None
        out[sid] = StallFluid(sid, backlog, after, channel.drain, drain, len(own) < len(flows))
    return out
