"""The pre-run plan: each channel's arrival rate, servers, load and drain capacity.

Computed from the scenario alone (no simulation), for the table `ehrsim run` prints before it
starts, the ρ ≥ 1 warning and the refusal of runs that would create too many messages.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sim.model.traffic import RateSchedule

if TYPE_CHECKING:
    from sim.scenario.schema import Flow, Scenario, Strategy


@dataclass(frozen=True)
class ChannelPlan:
    """One destination's expected load."""

    system: str
    rate: float
    """Mean arrivals per second over the horizon (orders, and results from replies)."""
    peak_rate: float
    """Arrivals per second in the busiest hour."""
    servers: int
    service_s: float
    """Mean time a connection is busy per message: filing (1/capacity) plus the ACK."""
    drain: float
    """Messages per second the channel can move: min(servers / service, capacity)."""
    strategy: Strategy
    """The channel's effective strategy (the top-level one with the system's own keys)."""

    @property
    def rho(self) -> float:
        """Mean load: arrival rate over drain capacity."""
        return self.rate / self.drain if self.drain > 0 else math.inf

    @property
    def peak_rho(self) -> float:
        """Load in the busiest hour."""
        return self.peak_rate / self.drain if self.drain > 0 else math.inf


@dataclass(frozen=True)
class Plan:
    """The whole world's expected load."""

    channels: list[ChannelPlan]
    transform_rate: float
    transform_peak_rate: float
    """Messages per second into the transform station in the busiest hour (sum of peaks)."""
    transform_servers: int
    transform_s: float
    messages: float
    """Expected messages created per replication (orders and results)."""
    horizon: float
    flows: dict[str, float] = field(default_factory=dict)
    """Mean arrivals per second of each flow over the horizon (a result flow's from its
    orders' replies)."""

    @property
    def transform_rho(self) -> float:
        """Load of the transform station."""
        return self.transform_rate * self.transform_s / self.transform_servers

    @property
    def overloaded(self) -> list[ChannelPlan]:
        """Channels whose mean load is at or above 1: their backlog grows without bound."""
        return [c for c in self.channels if c.rho >= 1.0]


def _schedule(flow: Flow, sc: Scenario) -> RateSchedule | None:
    if flow.rate is None:
        return None
    return RateSchedule(flow.rate, flow.profile or sc.profile, flow.week or sc.week, sc.start, [])


def _peak(schedule: RateSchedule) -> float:
    return max(schedule.rate(h * 3600.0) for h in range(168))


def plan(scenario: Scenario, horizon: float | None = None) -> Plan:
    """Expected rates, loads and message count of a scenario (replies by their mean count)."""
    end = float(horizon if horizon is not None else scenario.horizon or 0.0)
    mean: dict[str, float] = {}
    peak: dict[str, float] = {}
    for fid, flow in scenario.flows.items():
        schedule = _schedule(flow, scenario)
        if schedule is not None:
            mean[fid] = schedule.mean_rate(end) if end > 0 else flow.rate or 0.0
            peak[fid] = _peak(schedule)
        elif flow.trace is not None:
            n = sum(1 for row in flow.trace if row.time < end)
            mean[fid] = n / end if end > 0 else 0.0
            peak[fid] = mean[fid]
        else:
            mean[fid] = peak[fid] = 0.0
    # results follow their orders (to any depth: a result may itself be answered)
    for _ in range(len(scenario.flows)):
        for flow in scenario.flows.values():
            if flow.reply is not None:
                target = flow.reply.flow
                fed = [
                    (f, scenario.flows[f].reply.count)  # type: ignore[union-attr]
                    for f in scenario.flows
                    if scenario.flows[f].reply is not None
                    and scenario.flows[f].reply.flow == target  # type: ignore[union-attr]
                ]
                base_mean = _own(scenario.flows[target], end, scenario)
                mean[target] = base_mean[0] + sum(mean[f] * n for f, n in fed)
                peak[target] = base_mean[1] + sum(peak[f] * n for f, n in fed)
    channels = []
    for sid in dict.fromkeys(f.to for f in scenario.flows.values()):
        system = scenario.systems[sid]
        strategy = scenario.channel_strategy(sid)
        servers = 1 if strategy.order == "strict" else system.connections
        filing = 1.0 / system.capacity if system.capacity else 0.0
        service = system.ack.mean + filing
        drain = servers / service if service > 0 else math.inf
        if system.capacity:
            drain = min(drain, system.capacity)
        flows = [f for f, spec in scenario.flows.items() if spec.to == sid]
        channels.append(
            ChannelPlan(
                sid,
                sum(mean[f] for f in flows),
                sum(peak[f] for f in flows),
                servers,
                service,
                drain,
                strategy,
            )
        )
    total = sum(mean.values())
    return Plan(
        channels,
        total,
        sum(peak.values()),
        scenario.engine.cores,
        scenario.engine.transform.mean,
        total * end,
        end,
        dict(mean),
    )


def _own(flow: Flow, end: float, sc: Scenario) -> tuple[float, float]:
    """A flow's own arrivals (not from replies): mean and peak per second."""
    schedule = _schedule(flow, sc)
    if schedule is None:
        return 0.0, 0.0
    return (schedule.mean_rate(end) if end > 0 else flow.rate or 0.0), _peak(schedule)
