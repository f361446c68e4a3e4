"""The simulated world, wired from a Scenario: senders, engine, lanes, channels, systems.

The hot path (arrivals, transforms, sends, outcomes, results) runs as callbacks on SimPy
timeouts; generator processes are kept for the few long-lived actors (the backlog sampler and
the fault timelines).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import simpy
from simpy.events import Timeout

from sim.faults import FAULTS, Fault
from sim.model.channel import Channel, ChannelHooks
from sim.model.counters import Counters
from sim.model.engine import Engine, Sender
from sim.model.flows import FlowRuntime, Replier
from sim.model.gate import PatientGate
from sim.model.lane import Lane
from sim.model.message import CLASSES, DELIVERED, Message
from sim.model.system import System
from sim.model.traffic import Arrivals, arrivals_for
from sim.rng import Sampler, Streams
from sim.strategies.disciplines import DISCIPLINES
from sim.strategies.retry import RetryPolicy

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario


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


def is_medcom(system_id: str) -> bool:
    """Whether a system is the MedCom (VANS) network: its id is or starts with 'medcom'."""
    return system_id.lower().startswith("medcom")


class World(ChannelHooks):
    """One replication of a scenario, ready to run."""

    def __init__(
        self,
        scenario: Scenario,
        replication: int = 0,
        *,
        seed: int | None = None,
        horizon: float | None = None,
        trace: bool = False,
    ) -> None:
        if scenario.horizon is None and horizon is None:
            raise ValueError(f"scenario {scenario.name!r} has no horizon")
        self.scenario = scenario
        self.seed = scenario.seed if seed is None else seed
        self.replication = replication
        self.horizon = float(horizon if horizon is not None else scenario.horizon)  # type: ignore[arg-type]
        self.warmup = scenario.warmup
        self.env = simpy.Environment()
        self.streams = Streams(self.seed, replication)
        self.count = Counters()
        self.events: list[Event] = []
        self.samples = Samples()
        self.trace: list[tuple[float, int, str, str, str]] | None = [] if trace else None
        self.awaiting: dict[int, Message] = {}
        """Orders (created after the warm-up) still waiting for their first result."""
        self.complete = True
        self.stop_reason = ""
        self._duty: dict[int, bool] = {}
        self._built = False

        self.faults: list[Fault] = []
        for spec in scenario.faults:
            if spec.kind not in FAULTS:
                raise ValueError(f"fault kind {spec.kind!r} is not implemented")
            self.faults.append(FAULTS[spec.kind](spec))

        self.systems: dict[str, System] = {
            sid: System(
                sid,
                spec,
                self.streams.sampler(f"ack:{sid}", spec.ack),
                self.streams.uniform(f"ack-loss:{sid}"),
            )
            for sid, spec in scenario.systems.items()
        }
        transform = scenario.engine.transform
        self.engine = Engine(
            self.env,
            scenario.engine.cores,
            self.streams.sampler("transform", transform),
            transform.mean if transform.name == "constant" else None,
        )
        self._build_channels()
        self._build_flows()
        for ch in self.channels.values():
            ch.tracing = trace
        self.histograms = [h for f in self.flows.values() for h in (*f.latency, *f.o2r)]
        self.histograms += [h for ch in self.channels.values() for h in ch.waits]

    # -- construction ----------------------------------------------------------------------

    def _build_channels(self) -> None:
        sc = self.scenario
        strategy = sc.strategy
        strict = strategy.order == "strict"
        gated = strategy.order in ("strict", "per-patient")
        exclusive = strategy.queues == "shared" and strict
        on_reply = {
            "AE": strategy.on_reply.AE,
            "AR": strategy.on_reply.AR,
            "timeout": strategy.on_reply.timeout,
        }
        receivers = list(dict.fromkeys(f.to for f in sc.flows.values()))
        self.channels: dict[str, Channel] = {}
        for sid in receivers:
            self.channels[sid] = Channel(
                self.env,
                self.systems[sid],
                self.count,
                RetryPolicy(strategy.retry, self.streams.uniform(f"jitter:{sid}")),
                on_reply,
                PatientGate() if gated else None,
                exclusive,
                sc.patients,
                self.warmup,
                self,
            )

        discipline = DISCIPLINES[strategy.discipline.name]
        params = strategy.discipline.params

        def workers(sid: str) -> int:
            return 1 if strict else self.systems[sid].connections

        self.lanes: dict[str, Lane] = {}
        if strategy.queues == "shared":
            total = sum(workers(sid) for sid in receivers)
            self.lanes["shared"] = Lane(self.env, "shared", discipline(params), total)
        elif strategy.queues == "per-destination":
            for sid in receivers:
                self.lanes[sid] = Lane(self.env, sid, discipline(params), workers(sid))
        else:
            for fid, f in sc.flows.items():
                self.lanes[fid] = Lane(self.env, fid, discipline(params), workers(f.to))

    def _build_flows(self) -> None:
        sc = self.scenario
        self.senders: dict[str, Sender] = {}
        self.flows: dict[str, FlowRuntime] = {}
        for fid, spec in sc.flows.items():
            flow = FlowRuntime(fid, spec.deadline, is_medcom(spec.to) or is_medcom(spec.source))
            if spec.source not in self.senders:
                sender = Sender(spec.source, self.engine)
                self.senders[spec.source] = sender
                self.engine.senders.append(sender)
            flow.sender = self.senders[spec.source]
            flow.channel = self.channels[spec.to]
            if sc.strategy.queues == "shared":
                flow.lane = self.lanes["shared"]
            elif sc.strategy.queues == "per-destination":
                flow.lane = self.lanes[spec.to]
            else:
                flow.lane = self.lanes[fid]
            self.flows[fid] = flow

        self.arrivals: list[Arrivals] = []
        for fid, spec in sc.flows.items():
            flow = self.flows[fid]
            if spec.reply is not None:
                flow.reply = self._replier(fid, spec.reply)
            process = arrivals_for(spec)
            if process is None:
                continue
            surges = []
            for fault in self.faults:
                factor = fault.arrival_factor(fid)
                if factor is not None and fault.end is not None:
                    surges.append((fault.at, fault.end, factor))
            arrivals = process(
                self.env, flow, spec, sc, self.streams, self._arrival, surges, self.horizon
            )
            flow.classes |= arrivals.classes()
            self.arrivals.append(arrivals)
        # results carry the class of their order
        changed = True
        while changed:
            changed = False
            for flow in self.flows.values():
                if flow.reply is not None:
                    target = flow.reply.results
                    if not flow.classes <= target.classes:
                        target.classes |= flow.classes
                        changed = True

    def _replier(self, fid: str, reply: Any) -> Replier:
        after = reply.after
        samplers: list[Sampler] = []
        for name in CLASSES:
            dist = after.get(name) if isinstance(after, dict) else after
            if dist is None:  # a class without its own turnaround uses the slowest given
                dist = max(after.values(), key=lambda d: d.mean)
            samplers.append(self.streams.sampler(f"turnaround:{fid}:{name}", dist))
        extra = reply.count - 1.0
        poisson = None
        if extra > 0:
            gen = self.streams.generator(f"results:{fid}")
            poisson = Sampler(lambda n: gen.poisson(extra, n).astype(float))
        return Replier(self.env, self.flows[reply.flow], reply.count, samplers, poisson, self._emit)

    # -- creating messages -----------------------------------------------------------------

    def _arrival(self, flow: FlowRuntime, cls: int, patient: int) -> object:
        return self.create(flow, cls, patient)

    def create(
        self, flow: FlowRuntime, cls: int, patient: int, order: Message | None = None
    ) -> Message:
        """Create a message at its sender now and hand it on."""
        now = self.env._now
        count = self.count
        msg = Message(count.created, flow, cls, patient, now)
        msg.order = order
        count.created += 1
        flow.created += 1
        count.outstanding += 1
        if count.outstanding > count.peak_outstanding:
            count.peak_outstanding = count.outstanding
            count.peak_at = now
        flow.channel.enter(msg)
        if flow.reply is not None and now >= self.warmup:
            self.awaiting[msg.uid] = msg
        if self.trace is not None:
            self.trace.append((now, msg.uid, flow.id, CLASSES[cls], "created"))
        sender = flow.sender
        if sender.outbound or self.engine.refusing:
            sender.offer(msg)
        else:
            self.engine.accept(msg)
        return msg

    def _emit(self, ev: Timeout) -> None:
        order: Message = ev._value
        reply = order.flow.reply
        assert reply is not None
        self.create(reply.results, order.cls, order.patient, order)

    # -- channel hooks ---------------------------------------------------------------------

    def delivered(self, msg: Message, now: float) -> None:
        flow = msg.flow
        if flow.reply is not None:
            flow.reply.order_delivered(msg)
        order = msg.order
        if order is not None and order.result_at < 0:
            self.result_reached(order, now)
        if flow.medcom and now - msg.created > 86400.0 and msg.created >= self.warmup:
            flow.late_medcom += 1

    def left(self, msg: Message, now: float) -> None:
        if self.trace is not None:
            from sim.model.message import PLACE_NAMES

            self.trace.append((now, msg.uid, msg.flow.id, CLASSES[msg.cls], PLACE_NAMES[msg.place]))

    def suspended(self, channel: Channel, now: float) -> None:
        self.events.append(Event(now, "channel-suspended", channel.id))

    def result_reached(self, order: Message, now: float) -> None:
        """The first result of an order reached the clinician."""
        order.result_at = now
        if self.awaiting.pop(order.uid, None) is None:
            return
        flow = order.flow
        took = now - order.created
        flow.o2r[order.cls].add(took)
        deadline = flow.deadline[order.cls]
        if deadline is not None and took > deadline:
            flow.late[order.cls] += 1

    # -- what faults act on ----------------------------------------------------------------

    def pause_sending(self) -> None:
        """Stop every lane from starting sends."""
        for lane in self.lanes.values():
            lane.pause()

    def resume_sending(self) -> None:
        """Undo one `pause_sending`."""
        for lane in self.lanes.values():
            lane.unpause()

    def duty_cycle(self, owner: object, off_share: float, period: float) -> None:
        """Pause sending for `off_share` of every `period` until `end_duty_cycle(owner)`."""
        self._duty[id(owner)] = True
        self.env.process(self._duty_loop(id(owner), off_share, period))

    def end_duty_cycle(self, owner: object) -> None:
        """Stop a duty cycle (the loop ends at its next step, leaving sends unpaused)."""
        self._duty[id(owner)] = False

    def _duty_loop(self, key: int, off: float, period: float) -> Generator[Timeout, None, None]:
        while self._duty.get(key):
            self.pause_sending()
            yield self.env.timeout(off * period)
            self.resume_sending()
            if not self._duty.get(key):
                return
            yield self.env.timeout((1.0 - off) * period)

    def poison_backlog(self, share: float, code: str) -> None:
        """Mark a share of the messages waiting in the engine as poisoned (answered `code`)."""
        u = self.streams.uniform("poison-backlog")
        for lane in self.lanes.values():
            for msg in lane.queue:
                if u() < share:
                    msg.poison = True
                    msg.extra = code

    # -- running ---------------------------------------------------------------------------

    def _start(self) -> None:
        if self._built:
            return
        self._built = True
        for arrivals in self.arrivals:
            arrivals.start()
        self.env.process(self._sampler())
        for fault in self.faults:
            if fault.at < self.horizon:
                self.env.process(self._fault_timeline(fault))

    def _fault_timeline(self, fault: Fault) -> Generator[Timeout, None, None]:
        yield self.env.timeout(fault.at)
        self.events.append(Event(self.env.now, "fault-start", fault.target_text(), fault.label))
        fault.apply(self)
        if fault.end is None:
            return
        yield self.env.timeout(fault.end - fault.at)
        fault.revert(self)
        self.events.append(Event(self.env.now, "fault-end", fault.target_text(), fault.label))

    def _sampler(self) -> Generator[Timeout, None, None]:
        step = self.scenario.sample_every
        while True:
            self.sample()
            yield self.env.timeout(step)

    def sample(self) -> None:
        """Record every queue's backlog now and check the run's guards."""
        now = self.env.now
        cols = self.samples.columns
        self.samples.time_s.append(now)

        def put(name: str, value: float) -> None:
            cols.setdefault(name, []).append(value)

        for sid, ch in self.channels.items():
            put(f"queue.{sid}", ch.backlog)
            age = ch.oldest_age(now)
            if age > ch.max_oldest_age:
                ch.max_oldest_age = age
        for sid, sender in self.senders.items():
            put(f"outbound.{sid}", len(sender.outbound))
        put("engine.transform", len(self.engine.queue) + self.engine.busy)
        for lid, lane in self.lanes.items():
            put(f"lane.{lid}", lane.waiting_now())
        put("parked", self.count.parked)
        put("in_flight", self.count.sending)
        put("total", self.count.outstanding)
        for hist in self.histograms:
            hist.flush_if_large()
        limits = self.scenario.limits
        if self.count.outstanding > limits.queued:
            raise GuardTripped(
                f"{self.count.outstanding} messages queued at {now:.0f} s, above "
                f"limits.queued = {limits.queued}"
            )
        if limits.wall is not None and time.monotonic() - self._wall0 > limits.wall:
            raise GuardTripped(f"wall-clock limit of {limits.wall:.0f} s reached")

    def run(self, progress: Callable[[float], None] | None = None, steps: int = 100) -> World:
        """Simulate up to the horizon (or a guard), then check the invariants."""
        self._wall0 = time.monotonic()
        self._start()
        env = self.env
        try:
            for i in range(1, steps + 1):
                until = self.horizon * i / steps
                if until > env.now:
                    env.run(until=until)
                if progress is not None:
                    progress(env.now)
        except GuardTripped as stop:
            self.complete = False
            self.stop_reason = str(stop)
            self.events.append(Event(env.now, "guard", "", str(stop)))
        self.end = env.now
        step = self.scenario.sample_every
        last = self.samples.time_s[-1] if self.samples.time_s else None
        if self.complete and last is not None and abs(self.end - last - step) < 1e-9:
            self.sample()
        self._close()
        return self

    def _close(self) -> None:
        now = self.end
        for ch in self.channels.values():
            ch.close_area(now)
            age = ch.oldest_age(now)
            ch.max_oldest_age = max(ch.max_oldest_age, age)
        for lane in self.lanes.values():
            lane.close_area(now)
        self.engine.close_area(now)
        for order in self.awaiting.values():
            deadline = order.flow.deadline[order.cls]
            if deadline is None:
                continue
            if order.created + deadline <= now:
                order.flow.late[order.cls] += 1
                order.flow.late_open[order.cls] += 1
            else:
                order.flow.pending[order.cls] += 1
        for ch in self.channels.values():
            for msg in ch.under_way:
                if (
                    msg.flow.medcom
                    and msg.place < DELIVERED
                    and now - msg.created > 86400.0
                    and msg.created >= self.warmup
                ):
                    msg.flow.late_medcom += 1
        self.check_invariants()

    # -- accounting ------------------------------------------------------------------------

    def fault_windows(self) -> list[tuple[float, float]]:
        """(start, end) of every fault that started within the run; end clipped to the run."""
        out = []
        for fault in self.faults:
            if fault.at >= self.end:
                continue
            end = fault.end if fault.end is not None else self.end
            out.append((fault.at, min(end, self.end)))
        return out

    def staff_hours(self) -> dict[str, float]:
        """Hours the analysts and clerks worked on what the faults caused."""
        return {"analysts": 0.0, "clerks": 0.0}

    def people_recovery_time(self) -> float | None:
        """From the last fault's end until the people's work is done (0: there was none)."""
        return 0.0

    def time_to_detect(self) -> float | None:
        """From the first fault's start to the first alert (None: no alert fired)."""
        return None

    def queued_now(self) -> int:
        """Messages waiting anywhere (not in a transform or a send), counted place by place."""
        c = self.count
        return (
            sum(len(s.outbound) for s in self.senders.values())
            + len(self.engine.queue)
            + sum(lane.waiting_now() for lane in self.lanes.values())
            + sum(len(ch.blocked_q) for ch in self.channels.values())
            + c.held
            + c.waiting
            + c.backoff
            + c.parked
        )

    def in_flight_now(self) -> int:
        """Messages being transformed or sent (awaiting their ACK or timeout)."""
        return self.count.sending + self.engine.busy

    def check_invariants(self) -> None:
        """Conservation and the other invariants; raise InvariantBroken naming the one broken."""
        c = self.count
        queued, in_flight = self.queued_now(), self.in_flight_now()
        accounted = c.delivered + queued + in_flight + c.dead_lettered + c.expired + c.shed + c.lost
        at = f"at {self.end:.3f} s"
        if accounted != c.created:
            raise InvariantBroken(
                f"conservation broken {at}: created {c.created} != delivered {c.delivered} + "
                f"queued {queued} + in flight {in_flight} + dead-lettered {c.dead_lettered} + "
                f"expired {c.expired} + shed {c.shed} + lost {c.lost}"
            )
        if queued + in_flight != c.outstanding:
            raise InvariantBroken(
                f"outstanding count broken {at}: {c.outstanding} != {queued} + {in_flight}"
            )
        for name in ("sending", "backoff", "parked", "held", "waiting"):
            if getattr(c, name) < 0:
                raise InvariantBroken(f"negative count of {name} messages {at}")
        if c.delivered > c.created:
            raise InvariantBroken(f"delivered {c.delivered} > created {c.created} {at}")
        backlog = sum(ch.backlog for ch in self.channels.values())
        if backlog != c.outstanding:
            raise InvariantBroken(
                f"destination backlogs {backlog} != outstanding messages {c.outstanding} {at}"
            )
        if self.scenario.strategy.order in ("strict", "per-patient"):
            broken = sum(ch.order_violations for ch in self.channels.values())
            parks = self.scenario.strategy.retry.then == "park" or "park" in (
                self.scenario.strategy.on_reply.AE,
                self.scenario.strategy.on_reply.AR,
                self.scenario.strategy.on_reply.timeout,
            )
            if broken and not parks:
                raise InvariantBroken(
                    f"{broken} per-patient order violations under order: "
                    f"{self.scenario.strategy.order} {at}"
                )
