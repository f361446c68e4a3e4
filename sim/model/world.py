"""The simulated world, wired from a Scenario: senders, engine, lanes, channels, systems.

The hot path (arrivals, transforms, sends, outcomes, results) runs as callbacks on SimPy
timeouts; generator processes are kept for the few long-lived actors (the backlog sampler and
the fault timelines).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any

import simpy
from simpy.events import Timeout

from sim.faults import FAULTS, Fault
from sim.model.accounting import Accounting
from sim.model.alerts import Alerts
from sim.model.channel import TIMEOUT, Channel, ChannelHooks
from sim.model.clock import Clock, ClockWentBack
from sim.model.counters import Counters
from sim.model.engine import Engine, Sender
from sim.model.fallback import Fallback
from sim.model.flows import FlowRuntime, Replier
from sim.model.gate import PatientGate
from sim.model.incidents import Incidents
from sim.model.lane import Lane, Pool
from sim.model.lateness import LateOrders
from sim.model.message import (
    CLASSES,
    DEAD_LETTERED,
    DELIVERED,
    PARKED,
    PLACE_NAMES,
    Message,
)
from sim.model.people import (
    BACK_ENTRY,
    FIX_POISON,
    RECONCILE,
    REPROCESS,
    RESTART_CHANNEL,
    Team,
)
from sim.model.records import (
    Event,
    GuardTripped,
    InvariantBroken,
    Samples,
    TraceRow,
    column,
)
from sim.model.system import System
from sim.model.traffic import ArrivalContext, Arrivals, arrivals_for
from sim.rng import Sampler, Streams
from sim.strategies.disciplines import DISCIPLINES
from sim.strategies.housekeeping import HOUSEKEEPING, Housekeeping
from sim.strategies.policies import POLICIES
from sim.strategies.retry import RetryPolicy

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario, Strategy
    from sim.strategies.disciplines import Discipline

__all__ = ["Event", "GuardTripped", "InvariantBroken", "Samples", "World", "is_medcom"]


def is_medcom(system_id: str) -> bool:
    """Whether a system is the MedCom (VANS) network: its id is or starts with 'medcom'."""
    return system_id.lower().startswith("medcom")


class World(ChannelHooks, Incidents, Accounting):
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
        self.clock = Clock(self.env)
        self.streams = Streams(self.seed, replication)
        self.count = Counters()
        self.events: list[Event] = []
        self.samples = Samples()
        self.trace: list[TraceRow] | None = [] if trace else None
        """Every move of every message (``--trace``): see :data:`TraceRow`."""
        self._attempts: dict[int, int] = {}
        """While tracing: per message (uid), the attempts to deliver it so far."""
        self._far_end: dict[str, str] = {
            fid: f.source if f.to == "ehr" else f.to for fid, f in scenario.flows.items()
        }
        """Per flow, the system at its end that is not the EHR (trace.csv's ``system``)."""
        self.awaiting: dict[int, Message] = {}
        """Orders (created after the warm-up) still waiting for their first result."""
        self.complete = True
        self.stop_reason = ""
        self._duty: dict[int, bool] = {}
        """Duty cycles under way (partial stalls), by owner: whether one's pause is on now."""
        self._crashes: dict[int, int] = {}
        """Per engine node, the crashes under way (a node is down while any lasts)."""
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
            self.clock,
            scenario.engine.cores,
            self.streams.sampler("transform", transform),
            transform.mean if transform.name == "constant" else None,
        )
        self._build_channels()
        self._build_flows()
        self.late_orders = LateOrders(self.flows.values())
        for ch in self.channels.values():
            ch.tracing = trace
        self._build_people()
        self._build_policies()
        self.histograms = [h for f in self.flows.values() for h in (*f.latency, *f.o2r)]
        self.histograms += [h for ch in self.channels.values() for h in ch.waits]

    # -- construction ----------------------------------------------------------------------

    def _build_channels(self) -> None:
        sc = self.scenario
        receivers = list(dict.fromkeys(f.to for f in sc.flows.values()))
        strategies = {sid: sc.channel_strategy(sid) for sid in receivers}
        shared = sc.strategy.queues == "shared"
        self.channels: dict[str, Channel] = {}
        for sid in receivers:
            strategy = strategies[sid]
            strict = strategy.order == "strict"
            gated = strategy.order in ("strict", "per-patient")
            on_reply = {
                "AE": strategy.on_reply.AE,
                "AR": strategy.on_reply.AR,
                "timeout": strategy.on_reply.timeout,
            }
            self.channels[sid] = Channel(
                self.clock,
                self.systems[sid],
                self.count,
                RetryPolicy(strategy.retry, self.streams.uniform(f"jitter:{sid}")),
                on_reply,
                PatientGate(sc.patients) if gated else None,
                shared and strict,
                sc.patients,
                self.warmup,
                self,
            )

        def workers(sid: str) -> int:
            # strict order sends one message at a time (validation refuses more connections)
            return 1 if strategies[sid].order == "strict" else self.systems[sid].connections

        def discipline(spec: Strategy) -> Discipline:
            return DISCIPLINES[spec.discipline.name](spec.discipline.params)

        self.lanes: dict[str, Lane] = {}
        if shared:  # one queue: the order and discipline are the engine's (validated so)
            total = sum(workers(sid) for sid in receivers)
            self.lanes["shared"] = Lane(self.clock, "shared", discipline(sc.strategy), total)
        elif sc.strategy.queues == "per-destination":
            for sid in receivers:
                self.lanes[sid] = Lane(self.clock, sid, discipline(strategies[sid]), workers(sid))
        else:  # per-flow: the lanes of the flows to one system share its connections
            pools = {sid: Pool(workers(sid)) for sid in receivers}
            for fid, f in sc.flows.items():
                self.lanes[fid] = Lane(
                    self.clock, fid, discipline(strategies[f.to]), workers(f.to), pools[f.to]
                )

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
        context = ArrivalContext(self.clock, sc, self.streams, self._arrival, self.horizon)
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
            arrivals = process(context, flow, spec, surges)
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

    def _build_policies(self) -> None:
        strategies = {sid: self.scenario.channel_strategy(sid) for sid in self.channels}
        for key, policy in POLICIES.items():
            for sid, ch in self.channels.items():
                spec = getattr(strategies[sid], key, None)
                if spec is not None:
                    ch.policies.append(policy(spec, ch, self.env, self.note))
        # one housekeeping rule per distinct setting, over the channels that have it
        self.housekeeping: list[Housekeeping] = []
        for key, rule in HOUSEKEEPING.items():
            groups: dict[Any, list[str]] = {}
            for sid in self.channels:
                spec = getattr(strategies[sid], key, None)
                if spec is not None:
                    groups.setdefault(spec, []).append(sid)
            self.housekeeping += [rule(spec, sids) for spec, sids in groups.items()]

    def note(self, time_s: float, kind: str, target: str = "", detail: str = "") -> None:
        """Write a row of events.csv."""
        self.events.append(Event(time_s, kind, target, detail))

    def _build_people(self) -> None:
        sc = self.scenario
        self.alert_times: list[float] = []
        self.alerts = Alerts(sc.alerts, self.channels, self._alert) if sc.alerts else None
        # the paper fallback concerns the EHR's orders (flows from `ehr` with a reply), not
        # results coming back nor MedCom letters whose "reply" is a receipt
        ordered = {
            f.to: self.channels[f.to]
            for fid, f in sc.flows.items()
            if f.reply is not None and f.source == "ehr" and not self.flows[fid].medcom
        }
        alerting = self.alerts.alerting if self.alerts is not None else None
        self.fallback = (
            Fallback(sc.fallback, ordered, self._fallback_switch, alerting) if sc.fallback else None
        )
        self._paper_u = self.streams.uniform("paper")
        self._paper_after: dict[str, list[Sampler]] = {}
        self._paper_seq = 0
        staff = sc.staff
        self.analysts: Team | None = None
        self.clerks: Team | None = None
        if staff is not None and staff.analysts is not None:
            a = staff.analysts
            self.analysts = Team(self.env, "analysts", a.count, a.respond, not a.start_on_alert)
            self._fix = self.streams.sampler("analysts:fix", a.fix)
        if staff is not None and staff.clerks is not None:
            c = staff.clerks
            self.clerks = Team(self.env, "clerks", c.count)
            self._back_entry = self.streams.sampler("clerks:back-entry", c.back_entry)
            self._reconcile = self.streams.sampler("clerks:reconcile", c.reconcile)
        self._poison_seen: set[int] = set()
        self.expired_to_paper = 0
        self.paper_duplicates = 0
        self._poison_faults: list[Fault] = []
        self._reprocess_due: set[int] = set()
        """Messages (uid) with a reprocessing task waiting, or waiting to be queued."""
        self._channel_faults: dict[str, list[tuple[float, float]]] = {}
        """Per channel: (start, planned end) of the faults acting on it."""
        self.active_node = 0
        self.live_nodes = set(range(sc.engine.nodes))
        active_active = sc.engine.failover.mode == "active-active" and sc.engine.nodes > 1
        self.engine.nodes = sorted(self.live_nodes) if active_active else [0]
        self._engine_down = False

    def _replier(self, fid: str, reply: Any) -> Replier:
        after = reply.after
        samplers: list[Sampler] = []
        dists = []
        for name in CLASSES:
            dist = after.get(name) if isinstance(after, dict) else after
            if dist is None:  # a class without its own turnaround uses the slowest given
                dist = max(after.values(), key=lambda d: d.mean)
            dists.append(dist)
            samplers.append(self.streams.sampler(f"turnaround:{fid}:{name}", dist))
        extra = reply.count - 1.0
        poisson = None
        if extra > 0:
            gen = self.streams.generator(f"results:{fid}")
            poisson = Sampler(lambda n: gen.poisson(extra, n).astype(float))
        replier = Replier(
            self.clock, self.flows[reply.flow], reply.count, samplers, poisson, self._emit
        )
        replier.dists = dists
        return replier

    # -- creating messages -----------------------------------------------------------------

    def _arrival(self, flow: FlowRuntime, cls: int, patient: int) -> object:
        return self.create(flow, cls, patient)

    def create(
        self, flow: FlowRuntime, cls: int, patient: int, order: Message | None = None
    ) -> Message:
        """Create a message at its sender now and hand it on."""
        now = self.clock.now
        fb = self.fallback
        if (
            fb is not None
            and order is None
            and flow.reply is not None
            and flow.channel.id in fb.active
            and not flow.medcom
            and self._paper_u() < fb.share[cls]
        ):
            return self._paper_order(flow, cls, patient)
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
            due = flow.due[cls]
            if due is not None:
                due.append(msg)
        if self.trace is not None:
            self._traced(msg, now, "created")
        sender = flow.sender
        if sender.outbound or self.engine.refusing or sender.down:
            sender.offer(msg)
        else:
            self.engine.accept(msg)
        return msg

    def _paper_order(self, flow: FlowRuntime, cls: int, patient: int) -> Message:
        """An order placed on paper: not a message, but its result is phoned back."""
        fb = self.fallback
        assert fb is not None and flow.reply is not None
        now = self.clock.now
        self.count.on_paper += 1
        sid = flow.channel.id
        fb.paper_orders[sid] = fb.paper_orders.get(sid, 0) + 1
        if self._paper_u() < fb.spec.duplicate_risk:
            tracked = self.create_electronic(flow, cls, patient)
            tracked.paper = 1
            self.paper_duplicates += 1
        else:
            self._paper_seq -= 1
            tracked = Message(self._paper_seq, flow, cls, patient, now)
            tracked.paper = 2
            if now >= self.warmup:
                self.awaiting[tracked.uid] = tracked
                due = flow.due[cls]
                if due is not None:
                    due.append(tracked)
        delay = self._turnaround(flow, cls) + fb.spec.phone_delay
        Timeout(self.env, delay, tracked).callbacks.append(self._phoned)
        return tracked

    def create_electronic(self, flow: FlowRuntime, cls: int, patient: int) -> Message:
        """Create an order as a message even while its interface is on paper."""
        fb, self.fallback = self.fallback, None
        try:
            return self.create(flow, cls, patient)
        finally:
            self.fallback = fb

    def to_paper(self, msg: Message) -> None:
        """An expired message goes on paper: a clerk back-enters it later, and

        an order's result is phoned after the lab's turnaround; a result is phoned to the
        clinician at once (after the phone delay); a MedCom letter is phoned or posted.
        """
        flow = msg.flow
        phone = self.scenario.fallback.phone_delay if self.scenario.fallback else 900.0
        self.expired_to_paper += 1
        if self.clerks is not None:
            self.clerks.add(BACK_ENTRY, "back-enter expired message", self._back_entry)
        if msg.order is not None:
            if msg.order.result_at < 0:
                Timeout(self.env, phone, msg.order).callbacks.append(self._phoned)
        elif flow.reply is not None and not flow.medcom:
            delay = self._turnaround(flow, msg.cls) + phone
            Timeout(self.env, delay, msg).callbacks.append(self._phoned)

    def _turnaround(self, flow: FlowRuntime, cls: int) -> float:
        """A paper order's turnaround at the lab (its own stream, so arrivals stay common)."""
        assert flow.reply is not None
        if flow.id not in self._paper_after:
            self._paper_after[flow.id] = [
                self.streams.sampler(f"paper:{flow.id}:{name}", dist)
                for name, dist in zip(CLASSES, flow.reply.dists, strict=True)
            ]
        return self._paper_after[flow.id][cls]()

    def _phoned(self, ev: Timeout) -> None:
        order: Message = ev._value
        if order.result_at < 0:
            self.result_reached(order, self.clock.now)

    def _emit(self, order: Message) -> None:
        reply = order.flow.reply
        assert reply is not None
        self.create(reply.results, order.cls, order.patient, order)

    # -- channel hooks ---------------------------------------------------------------------

    def delivered(self, msg: Message, now: float) -> None:
        if msg.paper == 1 and self.clerks is not None:
            self.clerks.add(RECONCILE, "reconcile duplicate order", self._reconcile)
        flow = msg.flow
        if flow.reply is not None:
            flow.reply.order_delivered(msg)
        order = msg.order
        if order is not None and order.result_at < 0:
            self.result_reached(order, now)
        if flow.medcom and now - msg.created > 86400.0 and msg.created >= self.warmup:
            flow.late_medcom += 1

    def left(self, msg: Message, now: float) -> None:
        self._traced(msg, now, PLACE_NAMES[msg.place])

    def sent(self, msg: Message, now: float) -> None:
        attempt = self._attempts.get(msg.uid, 0) + 1
        self._attempts[msg.uid] = attempt
        self._traced(msg, now, "sent", attempt)

    def answered(self, msg: Message, now: float) -> None:
        attempt = self._attempts[msg.uid]
        code = msg.code
        if not code:
            self._traced(msg, now, "acked", attempt, "AA")
        elif code == TIMEOUT:
            self._traced(msg, now, "timeout", attempt)
        else:
            self._traced(msg, now, "nak", attempt, code)

    def _traced(
        self, msg: Message, now: float, event: str, attempt: int | None = None, code: str = ""
    ) -> None:
        """Append a row to the trace (only called while tracing)."""
        assert self.trace is not None
        order = msg.order
        flow = msg.flow.id
        self.trace.append(
            (
                now,
                msg.uid,
                flow,
                CLASSES[msg.cls],
                event,
                msg.patient,
                self._far_end[flow],
                attempt,
                code,
                None if order is None else order.uid,
            )
        )

    def suspended(self, channel: Channel, now: float) -> None:
        self.events.append(Event(now, "channel-suspended", channel.id))
        if self.analysts is not None:

            def restart(at: float) -> None:
                self.events.append(Event(at, "channel-restarted", channel.id))
                channel.unblock()

            self.analysts.add(RESTART_CHANNEL, "restart channel", self._fix, restart)

    def poisoned(self, channel: Channel, msg: Message, now: float) -> None:
        if msg.uid in self._poison_seen:
            return
        self._poison_seen.add(msg.uid)
        self.events.append(Event(now, "poison-nak", channel.id, f"message {msg.uid} {msg.code}"))
        if self.analysts is not None:

            def needed() -> bool:  # not once it has left (a dead letter is reprocessed instead)
                return bool(msg.poison) and msg.place < DELIVERED

            def fix(at: float) -> None:
                if needed():
                    self.events.append(Event(at, "poison-fixed", channel.id, f"message {msg.uid}"))
                    # its fault ends before the resend, which may take the next armed poison;
                    # a message poisoned again is noticed (and fixed) again
                    self._poison_resolved(msg, at)
                    self._poison_seen.discard(msg.uid)
                    channel.fixed(msg)

            self.analysts.add(FIX_POISON, "fix poison message", self._fix, fix, needed)

    def dead_lettered(self, channel: Channel, msg: Message, now: float) -> None:
        self._to_reprocess(channel, msg, now)

    def poison_gone(self, channel: Channel, msg: Message, now: float) -> None:
        self._poison_resolved(msg, now)

    def _poison_resolved(self, msg: Message, now: float) -> None:
        """A poison-message fault ends when its message is fixed or leaves for good."""
        for fault in self._poison_faults:
            if fault.extra_msg is msg and fault.resolved is None:
                fault.resolved = now
                self.events.append(Event(now, "fault-end", fault.target_text(self), fault.label))

    def parked(self, channel: Channel, msg: Message, now: float) -> None:
        self._to_reprocess(channel, msg, now)

    def _to_reprocess(self, channel: Channel, msg: Message, now: float) -> None:
        """An analyst will put a parked or dead-lettered message back, one task per message,
        once no fault acting on its channel is under way (into one it would only fail again).
        A message parked again while its task waits keeps that one task."""
        if self.analysts is None or msg.uid in self._reprocess_due:
            return
        self._reprocess_due.add(msg.uid)
        wait = self._faults_over(channel, now) - now
        if wait > 0.0:
            Timeout(self.env, wait, (channel, msg)).callbacks.append(self._reprocess_task)
        else:
            self._add_reprocess(channel, msg)

    def _reprocess_task(self, ev: Timeout) -> None:
        channel, msg = ev._value
        self._add_reprocess(channel, msg)

    def _add_reprocess(self, channel: Channel, msg: Message) -> None:
        analysts = self.analysts
        assert analysts is not None

        def needed() -> bool:  # still parked or dead-lettered when an analyst reaches it
            return msg.place == PARKED or msg.place == DEAD_LETTERED

        def reprocess(at: float) -> None:
            self._reprocess_due.discard(msg.uid)
            if msg.place == PARKED:
                channel.unpark(msg)
                was = "parked"
            elif msg.place == DEAD_LETTERED:
                channel.reprocess(msg)
                was = "dead-lettered"
            else:  # it came back on its own before anyone reached it
                return
            self.events.append(Event(at, "reprocessed", channel.id, f"message {msg.uid} ({was})"))

        analysts.add(REPROCESS, "reprocess a message", self._fix, reprocess, needed)

    def _faults_over(self, channel: Channel, now: float) -> float:
        """When no fault acting on `channel` (with a planned end) is under way, from `now` on."""
        spans = self._channel_faults.get(channel.id)
        if spans is None:
            flows = [fid for fid, f in self.flows.items() if f.channel is channel]
            spans = [
                (f.at, f.end)
                for f in self.faults
                if f.end is not None and f.acts_on_channel(self, channel.id, flows)
            ]
            self._channel_faults[channel.id] = spans
        until = now
        moved = True
        while moved:  # faults that overlap or follow on without a gap extend the wait
            moved = False
            for at, end in spans:
                if at <= until < end:
                    until = end
                    moved = True
        return until

    def _alert(self, sid: str, text: str, now: float) -> None:
        self.alert_times.append(now)
        self.events.append(Event(now, "alert", sid, text))
        if self.analysts is not None:
            self.analysts.call()
        if self.fallback is not None:
            self.fallback.alert(sid, now)

    def _fallback_switch(self, sid: str, on: bool, now: float) -> None:
        self.events.append(Event(now, "fallback-on" if on else "fallback-off", sid))
        if not on and self.fallback is not None:
            n = self.fallback.paper_orders.pop(sid, 0)
            if self.clerks is not None:
                for _ in range(n):
                    self.clerks.add(BACK_ENTRY, "back-enter paper order", self._back_entry)

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
        self.events.append(Event(self.env.now, "fault-start", fault.target_text(self), fault.label))
        fault.apply(self)
        if fault.end is None:
            return
        yield self.env.timeout(fault.end - fault.at)
        fault.revert(self)
        self.events.append(Event(self.env.now, "fault-end", fault.target_text(self), fault.label))

    def _sampler(self) -> Generator[Timeout, None, None]:
        step = self.scenario.sample_every
        while True:
            self.sample()
            yield self.env.timeout(step)

    def _columns(self) -> None:
        """The sample columns, in timeseries.csv's order (the order `sample` fills them)."""
        names = [f"queue.{sid}" for sid in self.channels]
        names += [f"outbound.{sid}" for sid in self.senders]
        names.append("engine.transform")
        names += [f"lane.{lid}" for lid in self.lanes]
        names += ["parked", "in_flight", "total"]
        if self.fallback is not None:
            names.append("people.paper_held")
        if self.clerks is not None:
            names += ["people.back_entry", "people.reconcile", "people.clerks_busy"]
        if self.analysts is not None:
            names += ["people.analyst_tasks", "people.analysts_busy"]
        names += [f"late.{CLASSES[k]}" for k in self.late_orders.classes]
        for name in names:
            self.samples.columns[name] = column()

    def sample(self) -> None:
        """Record every queue's backlog, the people's work and the late orders now, and check
        the run's guards."""
        now = self.env.now
        if not self.samples.time_s:
            self._columns()
        row: list[int] = []
        for ch in self.channels.values():
            row.append(ch.backlog)
            age = ch.oldest_age(now)
            if age > ch.max_oldest_age:
                ch.max_oldest_age = age
        row += [len(sender.outbound) for sender in self.senders.values()]
        engine, count = self.engine, self.count
        row.append(len(engine.queue) + engine.busy)
        row += [lane.waiting_now() for lane in self.lanes.values()]
        row += (count.parked, count.sending, count.outstanding)
        fallback, clerks, analysts = self.fallback, self.clerks, self.analysts
        if fallback is not None:
            row.append(sum(fallback.paper_orders.values()))
        if clerks is not None:
            row += (clerks.queued[BACK_ENTRY], clerks.queued[RECONCILE], clerks.at_work)
        if analysts is not None:
            row += (sum(analysts.queued), analysts.at_work)
        late = self.late_orders
        late.advance(now)
        row += [late.late[k] for k in late.classes]
        self.samples.add(now, row)
        for hist in self.histograms:
            hist.flush_if_large()
        for rule in self.housekeeping:
            rule.tidy(self, now)
        if self.alerts is not None:
            self.alerts.check(now)
        if self.fallback is not None:
            self.fallback.check(now)
        limits = self.scenario.limits
        if self.count.created > limits.messages:
            raise GuardTripped(
                f"{self.count.created} messages created by {now:.0f} s, above "
                f"limits.messages = {limits.messages} (raise it with --set limits.messages=N)"
            )
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
        # The run allocates millions of short-lived objects and makes no reference cycles
        # worth collecting, so the cyclic collector only costs time (~7 %) until it is over.
        collecting = gc.isenabled()
        gc.disable()
        try:
            for i in range(1, steps + 1):
                until = self.horizon * i / steps
                if until > env.now:
                    try:
                        self.clock.run_until(until)
                    except ClockWentBack as err:
                        raise InvariantBroken(f"simulated time is not monotone: {err}") from err
                if progress is not None:
                    progress(env.now)
        except GuardTripped as stop:
            self.complete = False
            self.stop_reason = str(stop)
            self.events.append(Event(env.now, "guard", "", str(stop)))
        finally:
            if collecting:
                gc.enable()
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
