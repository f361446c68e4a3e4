"""Does the engine keep its speed while a backlog of 320,000 messages drains?

The backlog world (`benchmarks/scenarios/backlog.yaml`: 20,000 messages an hour into one
connection that sends 60,000, in strict order over 20,000 patients) stalls for 16 h, which
queues ~320,000 messages, then drains for ~8 h: the size of backlog the metastability maps and
capacity plans of long outages run into, many worlds at a time.  It runs next to the same world
without the stall (`faults=[]`: the same arrivals, since every stream is derived by name); and
the pair runs twice, as written and with `strategy.order=none` (the queue alone, without the
per-patient order, whose lines hold every waiting message too).  The two worlds of a pair run in
processes of their own, taking turns of one grid step each (:mod:`benchmarks.lockstep`), so that
both are timed across the same stretches of the shared machine's load; at each grid time the
process's CPU time and the world's counters are read.

The drain window runs from the first grid time after the stall's end to the last grid time
before the channel's queue is back under `NORMAL` messages.  Over that window each world's
throughput is messages per CPU-second, a message counting half when it is created and half when
it is delivered, so that a window that delivers more than it creates (the drain) is not
flattered by the cheap half of the work; deliveries alone are reported beside it.  The whole
run (construction to summary) is also compared: both worlds create the same messages.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from benchmarks.common import BACKLOG, Sizes, median, relative, rotated
from benchmarks.lockstep import Turn, run_lockstep

CHANNEL = "lab"
NORMAL = 100
"""Queue length taken as back to normal (the M/M/1 at rho = 0.33 queues 0.17 on average)."""
STEPS = 162
"""Grid points over the horizon at which CPU time and counters are read (10 min for 27 h)."""
ORDERS = ("strict", "none")
"""The channel's order in each pair of worlds: the file's own, then the queue alone."""


@dataclass(frozen=True)
class Mark:
    """The world at one grid time: simulated time, CPU seconds, messages created, delivered."""

    t: float
    cpu: float
    created: int
    delivered: int


@dataclass(frozen=True)
class WorldRun:
    """One world's run: its grid marks and its totals."""

    marks: list[Mark]
    total_cpu_s: float
    created: int
    peak_backlog: int
    queue_t: list[float]
    queue: list[float]
    stall_end: float | None

    def window(self, start: float, end: float) -> tuple[float, float, float]:
        """(messages, deliveries, CPU seconds) between the grid times `start` and `end`."""
        a = next(m for m in self.marks if m.t >= start)
        b = [m for m in self.marks if m.t <= end][-1]
        handled = ((b.created - a.created) + (b.delivered - a.delivered)) / 2.0
        return handled, float(b.delivered - a.delivered), b.cpu - a.cpu


@dataclass(frozen=True)
class BacklogRep:
    """One repetition: the drain window and both worlds' figures over it."""

    start: float
    end: float
    backlog_at_start: float
    peak_backlog: int
    drain_rate: float
    calm_rate: float
    drain_deliveries_rate: float
    calm_deliveries_rate: float
    drain_total_rate: float
    calm_total_rate: float

    @property
    def ratio(self) -> float:
        """Messages per CPU-second draining over the same without the stall."""
        return self.drain_rate / self.calm_rate


@dataclass
class BacklogResult:
    """Every repetition of one pair of worlds (the channel's order is `order`)."""

    scenario: str
    sets: tuple[str, ...]
    min_backlog: int
    order: str
    reps: list[BacklogRep] = field(default_factory=list)

    def med(self, attr: str) -> float:
        """Median of one figure over the repetitions."""
        return median([float(getattr(r, attr)) for r in self.reps])


@dataclass(frozen=True)
class BacklogWorld:
    """One world of the pair, run on the grid; the summary is part of its total CPU time."""

    sets: tuple[str, ...]

    def __call__(self, turn: Turn) -> WorldRun:
        from sim import load_scenario
        from sim.metrics.summary import replication_summary
        from sim.model.world import World

        scenario = load_scenario(BACKLOG, sets=list(self.sets))
        marks: list[Mark] = []
        start = time.process_time()
        world = World(scenario, 0)
        count = world.count

        def mark(now: float) -> None:
            marks.append(Mark(now, time.process_time(), count.created, count.delivered))
            turn()

        marks.append(Mark(0.0, time.process_time(), 0, 0))
        world.run(progress=mark, steps=STEPS)
        replication_summary(world)
        total = time.process_time() - start
        stall_end = max((f.end for f in world.faults if f.end is not None), default=None)
        return WorldRun(
            marks,
            total,
            count.created,
            world.channels[CHANNEL].peak,
            list(world.samples.time_s),
            list(world.samples.columns[f"queue.{CHANNEL}"]),
            stall_end,
        )


def drain_window(stalled: WorldRun) -> tuple[float, float, float]:
    """(start, end, backlog at start) of the drain: stall end to the queue back under NORMAL."""
    assert stalled.stall_end is not None, "the backlog world has no stall"
    start = stalled.stall_end
    backlog = 0.0
    end = stalled.queue_t[-1]
    for t, q in zip(stalled.queue_t, stalled.queue, strict=True):
        if t <= start:
            backlog = q
        elif q < NORMAL:
            end = t
            break
    return start, end, backlog


def measure(sizes: Sizes) -> tuple[BacklogResult, ...]:
    """Run the stalled and the calm world side by side, in each order of `ORDERS`, for
    `sizes.repeats` repetitions (a repetition runs every pair once)."""
    results = []
    for order in ORDERS:
        sets = (*sizes.backlog_sets, f"strategy.order={order}")
        results.append(BacklogResult(relative(BACKLOG), sets, sizes.min_backlog, order))
    for i in range(sizes.repeats):
        for result in results:
            result.reps.append(_repetition(result.sets, i))
    return tuple(results)


def _repetition(sets: tuple[str, ...], i: int) -> BacklogRep:
    """One run of the pair: the stalled world and the calm one, taking turns (who starts
    alternates with `i`)."""
    variants = {"stalled": sets, "calm": (*sets, "faults=[]")}
    names = rotated(list(variants), i)
    worlds = run_lockstep([BacklogWorld(variants[name]) for name in names])
    runs = dict(zip(names, worlds, strict=True))
    stalled, calm = runs["stalled"], runs["calm"]
    start, end, backlog = drain_window(stalled)
    d_msgs, d_del, d_cpu = stalled.window(start, end)
    c_msgs, c_del, c_cpu = calm.window(start, end)
    return BacklogRep(
        start=start,
        end=end,
        backlog_at_start=backlog,
        peak_backlog=stalled.peak_backlog,
        drain_rate=d_msgs / d_cpu,
        calm_rate=c_msgs / c_cpu,
        drain_deliveries_rate=d_del / d_cpu,
        calm_deliveries_rate=c_del / c_cpu,
        drain_total_rate=stalled.created / stalled.total_cpu_s,
        calm_total_rate=calm.created / calm.total_cpu_s,
    )
