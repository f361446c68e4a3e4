"""Arrival processes: what creates a flow's messages.  Each is a small class registered by the
flow key that selects it (`rate` or `trace`)."""

from __future__ import annotations

import bisect
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from mypy_extensions import mypyc_attr

from sim.model.clock import Clock
from sim.model.message import CLASSES
from sim.registry import Registry

# Streams and Scenario are imported at run time, not under TYPE_CHECKING: the compiled core
# (mypyc) evaluates ArrivalContext's annotations when the module loads.
from sim.rng import BLOCK, Streams
from sim.scenario.schema import Flow, Scenario

if TYPE_CHECKING:
    from sim.model.flows import FlowRuntime

Create = Callable[["FlowRuntime", int, int], object]
"""(flow, class index, patient) -> creates one message now."""

ARRIVALS: Registry[type[Arrivals]] = Registry("arrival process", "key")
"""Every arrival process by its YAML name."""


register_arrivals = ARRIVALS.register


def arrivals_for(spec: Flow) -> type[Arrivals] | None:
    """The arrival process a flow asks for, or None for a flow made only by replies."""
    for key, cls in ARRIVALS.items():
        if getattr(spec, key, None) is not None:
            return cls
    return None


@dataclass(frozen=True)
class ArrivalContext:
    """What every arrival process needs from the world it creates messages in."""

    clock: Clock
    scenario: Scenario
    streams: Streams
    create: Create
    horizon: float


@mypyc_attr(allow_interpreted_subclasses=True)
class Arrivals(ABC):
    """Creates one flow's messages at their times."""

    key: ClassVar[str] = ""

    def __init__(
        self,
        ctx: ArrivalContext,
        flow: FlowRuntime,
        spec: Flow,
        surges: Sequence[tuple[float, float, float]],
    ) -> None:
        self.clock = ctx.clock
        self.flow = flow
        self.spec = spec
        self.create = ctx.create
        self.horizon = ctx.horizon

    @abstractmethod
    def start(self) -> None:
        """Schedule the first arrival."""

    @abstractmethod
    def classes(self) -> set[int]:
        """The priority classes this process can create."""


class RateSchedule:
    """A flow's piecewise-constant arrival rate: daily mean x hourly shape x weekday x surges."""

    def __init__(
        self,
        rate: float,
        profile: Sequence[float],
        week: Sequence[float],
        start: datetime,
        surges: Sequence[tuple[float, float, float]],
    ) -> None:
        mean = sum(profile) / len(profile)
        self._week_hours = [
            rate * profile[h] / mean * week[d] if mean > 0 else 0.0
            for d in range(7)
            for h in range(24)
        ]
        midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
        self._offset = (start - midnight).total_seconds() + start.weekday() * 86400.0
        self._surges = list(surges)
        edges = {t for a, b, _ in surges for t in (a, b)}
        self._edges = sorted(edges)

    def rate(self, t: float) -> float:
        """Arrivals per second at simulated time t."""
        hour = int((t + self._offset) // 3600.0) % 168
        r = self._week_hours[hour]
        for a, b, factor in self._surges:
            if a <= t < b:
                r *= factor
        return r

    def segment_end(self, t: float) -> float:
        """The next time after t at which the rate may change."""
        absolute = t + self._offset
        end = (absolute // 3600.0 + 1) * 3600.0 - self._offset
        i = bisect.bisect_right(self._edges, t)
        if i < len(self._edges) and self._edges[i] < end:
            end = self._edges[i]
        return end

    def mean_rate(self, horizon: float) -> float:
        """Mean arrivals per second over [0, horizon) (for estimates before a run)."""
        t, total = 0.0, 0.0
        while t < horizon:
            end = min(self.segment_end(t), horizon)
            total += self.rate(t) * (end - t)
            t = end
        return total / horizon if horizon > 0 else 0.0


def class_sampler(shares: Mapping[Any, float]) -> tuple[list[float], list[int]]:
    """Cumulative shares and their class indexes, for drawing a class from one uniform."""
    cum, idx, acc = [], [], 0.0
    for i, name in enumerate(CLASSES):
        share = shares.get(name, 0.0)
        if share > 0:
            acc += share
            cum.append(acc)
            idx.append(i)
    cum[-1] = 1.0
    return cum, idx


class PoissonArrivals(Arrivals):
    """A non-homogeneous Poisson process, by inversion of its cumulative rate.

    Unit-rate Poisson times (running sums of unit exponentials, drawn in blocks) are mapped
    through the inverse of the cumulative rate Lambda(t), which is piecewise linear because the
    rate is piecewise constant.  That is exact (no rejected draws), keeps the daily volume
    whatever the profile's shape, and costs one vectorised call per block of arrivals.
    """

    def __init__(
        self,
        ctx: ArrivalContext,
        flow: FlowRuntime,
        spec: Flow,
        surges: Sequence[tuple[float, float, float]],
    ) -> None:
        super().__init__(ctx, flow, spec, surges)
        scenario, streams, horizon = ctx.scenario, ctx.streams, ctx.horizon
        assert spec.rate is not None
        self.schedule = RateSchedule(
            spec.rate,
            spec.profile or scenario.profile,
            spec.week or scenario.week,
            scenario.start,
            surges,
        )
        self._knots_t, self._knots_l = self._cumulative(horizon)
        self._gen_gap = streams.generator(f"arrivals:{flow.id}")
        self._gen_class = streams.generator(f"priority:{flow.id}")
        self._gen_patient = streams.generator(f"patient:{flow.id}")
        cum, self._idx = class_sampler(spec.priority)
        self._cum = np.asarray(cum[:-1])
        self._patients = scenario.patients
        self._work = 0.0
        self._times: list[float] = []
        self._classes: list[int] = []
        self._who: list[int] = []
        self._i = 0

    def _cumulative(self, horizon: float) -> tuple[np.ndarray, np.ndarray]:
        """Knots (t, Lambda(t)) of the cumulative rate over [0, horizon].

        Lambda is flat where the rate is zero; np.interp then maps a value just above a
        plateau to the plateau's far end, since it takes the last knot not above the value.
        """
        ts, ls = [0.0], [0.0]
        t = 0.0
        while t < horizon:
            end = min(self.schedule.segment_end(t), horizon)
            ts.append(end)
            ls.append(ls[-1] + self.schedule.rate(t) * (end - t))
            t = end
        return np.asarray(ts), np.asarray(ls)

    def classes(self) -> set[int]:
        return set(self._idx)

    def _refill(self) -> bool:
        lam = self._knots_l
        if self._work >= lam[-1]:
            return False
        work = self._work + np.cumsum(self._gen_gap.standard_exponential(BLOCK))
        self._work = float(work[-1])
        work = work[work < lam[-1]]
        self._times = np.interp(work, lam, self._knots_t).tolist()
        n = len(self._times)
        u = self._gen_class.random(BLOCK)[:n]
        self._classes = [self._idx[k] for k in np.searchsorted(self._cum, u, side="right")]
        self._who = self._gen_patient.integers(0, self._patients, BLOCK)[:n].tolist()
        self._i = 0
        return n > 0

    def start(self) -> None:
        if self._refill():
            self._at(self._times[0])

    def _at(self, t: float) -> None:
        self.clock.call_in(t - self.clock.now, self._arrive, None)

    def _arrive(self, _value: None) -> None:
        i = self._i
        self.create(self.flow, self._classes[i], self._who[i])
        i += 1
        if i == len(self._times):
            if not self._refill():
                return
            i = 0
        self._i = i
        t = self._times[i]
        if t < self.horizon:
            self.clock.call_in(t - self.clock.now, self._arrive, None)


ARRIVALS.add("rate", PoissonArrivals)


class TraceArrivals(Arrivals):
    """Replays recorded messages: time, priority and patient from a CSV."""

    def __init__(
        self,
        ctx: ArrivalContext,
        flow: FlowRuntime,
        spec: Flow,
        surges: Sequence[tuple[float, float, float]],
    ) -> None:
        super().__init__(ctx, flow, spec, surges)
        assert spec.trace is not None
        self._rows = [r for r in spec.trace if 0.0 <= r.time < ctx.horizon]
        self._i = 0

    def classes(self) -> set[int]:
        return {CLASSES.index(r.priority) for r in self._rows} or {CLASSES.index("routine")}

    def start(self) -> None:
        if self._rows:
            self.clock.call_in(self._rows[0].time, self._arrive, None)

    def _arrive(self, _value: None) -> None:
        row = self._rows[self._i]
        self._i += 1
        self.create(self.flow, CLASSES.index(row.priority), row.patient)
        if self._i < len(self._rows):
            nxt = self._rows[self._i].time
            self.clock.call_in(nxt - self.clock.now, self._arrive, None)


ARRIVALS.add("trace", TraceArrivals)
