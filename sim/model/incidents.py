"""What faults act on: pausing sends, cutting systems off, crashing nodes, poisoning and
taking messages out.  A mixin of World: these operations work on its objects."""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

from mypy_extensions import trait
from simpy.events import Timeout

from sim.model.message import (
    BACKOFF,
    DELIVERED,
    HELD,
    LOST,
    OUTBOUND,
    PACING,
    PARKED,
    SENDING,
    TRANSFORM,
    WAITING,
    Message,
)
from sim.model.records import Event

if TYPE_CHECKING:
    import simpy

    from sim.faults import Fault
    from sim.model.channel import Channel
    from sim.model.counters import Counters
    from sim.model.engine import Engine, Sender
    from sim.model.lane import Lane
    from sim.model.system import System
    from sim.rng import Streams
    from sim.scenario.schema import Scenario


@trait
class Incidents:
    """Operations a fault calls on the world; each undoes exactly what its twin did."""

    env: simpy.Environment
    scenario: Scenario
    streams: Streams
    count: Counters
    engine: Engine
    systems: dict[str, System]
    channels: dict[str, Channel]
    lanes: dict[str, Lane]
    senders: dict[str, Sender]
    events: list[Event]
    live_nodes: set[int]
    active_node: int
    _crashes: dict[int, int]
    _engine_down: bool
    _duty: dict[int, bool]
    _poison_faults: list[Fault]

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
        self._duty[id(owner)] = False
        self.env.process(self._duty_loop(id(owner), off_share, period))

    def end_duty_cycle(self, owner: object) -> None:
        """Stop a duty cycle now: a pause under way ends at once, so sends go on at the end of
        the fault, not at the end of its pause."""
        if self._duty.pop(id(owner)):
            self.resume_sending()

    def _duty_loop(self, key: int, off: float, period: float) -> Generator[Timeout, None, None]:
        """Pause, wait `off * period`, resume, wait the rest of the period; `_duty[key]` says
        whether this cycle's pause is under way, and the loop stops once the key is gone."""
        while key in self._duty:
            self._duty[key] = True
            self.pause_sending()
            yield self.env.timeout(off * period)
            if key not in self._duty:  # ended during the pause, which end_duty_cycle undid
                return
            self._duty[key] = False
            self.resume_sending()
            yield self.env.timeout((1.0 - off) * period)

    def cut_off(self, sid: str, step: int) -> None:
        """Add (+1) or remove (-1) one reason a system cannot exchange messages with the engine.

        Sends to it time out; messages it produces (results) wait in its outbound queue. A
        system that only sends (an EHR without a `systems` entry) has just the outbound queue.
        """
        system = self.systems.get(sid)
        if system is not None:
            system.down += step
        sender = self.senders.get(sid)
        if sender is not None:
            sender.down += step
            if not sender.down:
                sender.flush()

    def arm_poison(self, fault: Fault, sid: str, code: str) -> None:
        """The next message sent to `sid` comes back with `code` (a poison-message fault)."""
        self._poison_faults.append(fault)
        self.channels[sid].armed.append((code, lambda msg: setattr(fault, "extra_msg", msg)))

    def _active_active(self) -> bool:
        """Whether the nodes share the load: `active-active` with more than one node.

        One rule for crash and repair alike, so that a repair undoes exactly what the crash did
        (a single node is handled as active-passive: nothing carries on while it is down).
        """
        spec = self.scenario.engine
        return spec.failover.mode == "active-active" and spec.nodes > 1

    def crash_node(self, node: int) -> None:
        """An engine node dies: failover as `engine.failover` says, losses as `engine.store`.

        A node already down (overlapping crashes) stays down until its last repair.
        """
        crashes = self._crashes.get(node, 0)
        self._crashes[node] = crashes + 1
        if crashes:
            return
        now = self.env.now
        spec = self.scenario.engine
        self.events.append(Event(now, "node-crash", str(node)))
        active_active = self._active_active()
        self.live_nodes.discard(node)
        holds = active_active or node == self.active_node  # a standby holds no messages
        if spec.store == "memory" and holds:
            lost = self._lose(node if active_active else None)
            self.events.append(Event(now, "messages-lost", str(node), f"{lost} messages"))
        if active_active and self.live_nodes:
            self.engine.nodes = sorted(self.live_nodes)  # the survivors carry on
            return
        if not active_active and node != self.active_node:
            return
        self.engine.refuse()  # no node works: nothing is accepted or sent until one does
        self.pause_sending()
        self._engine_down = True
        if not active_active and self.live_nodes:
            delay = spec.failover.detect + spec.failover.switch
            self.env.timeout(delay).callbacks.append(lambda _e: self._failover())

    def _failover(self) -> None:
        if not self._engine_down or not self.live_nodes:
            return
        self.active_node = min(self.live_nodes)
        self.engine.nodes = [self.active_node]
        self._back_up("failover", str(self.active_node))

    def _back_up(self, kind: str, node: str) -> None:
        self._engine_down = False
        self.events.append(Event(self.env.now, kind, node))
        self.resume_sending()
        self.engine.accept_again()

    def repair_node(self, node: int) -> None:
        """A crashed node is back (as a standby, or as a worker again when active-active).

        When no node was working, it takes over at once.
        """
        crashes = self._crashes.get(node, 0) - 1
        self._crashes[node] = crashes
        if crashes > 0:  # another crash of this node still lasts
            return
        self.live_nodes.add(node)
        self.events.append(Event(self.env.now, "node-repaired", str(node)))
        active_active = self._active_active()
        if self._engine_down:
            self.active_node = node
            self.engine.nodes = sorted(self.live_nodes) if active_active else [node]
            self._back_up("node-active", str(node))
        elif active_active:
            self.engine.nodes = sorted(self.live_nodes)

    def _lose(self, node: int | None) -> int:
        """Take every message the engine held (on `node`, or on any) out as lost."""
        doomed = [
            msg
            for ch in self.channels.values()
            for msg in ch.under_way
            if msg.place < DELIVERED
            and msg.place != OUTBOUND
            and (node is None or msg.node == node)
        ]
        self.extract(doomed, LOST)
        return len(doomed)

    def extract(self, msgs: list[Message], place: int) -> None:
        """Take messages out of wherever they are and out of the engine, in state `place`.

        O(size of the structures) per call: for rare events (a crash, an expiry sweep).
        """
        if not msgs:
            return
        ids = {id(m) for m in msgs}

        def gone(m: Message) -> bool:
            return id(m) in ids

        exclusive_waiters = {id(m) for ch in self.channels.values() for m in ch.waiters}
        engine = self.engine
        engine.queue = type(engine.queue)(m for m in engine.queue if not gone(m))
        for sender in self.senders.values():
            sender.outbound = type(sender.outbound)(m for m in sender.outbound if not gone(m))
        for lane in self.lanes.values():
            lane.n -= len(lane.queue.remove_where(gone))
            lane.ready = type(lane.ready)(m for m in lane.ready if not gone(m))
            kept = [m for m in lane.resume if not gone(m)]
            lane.idle += len(lane.resume) - len(kept)
            lane.resume = type(lane.resume)(kept)
        for ch in self.channels.values():
            ch.blocked_q = type(ch.blocked_q)(m for m in ch.blocked_q if not gone(m))
            ch.waiters = type(ch.waiters)(m for m in ch.waiters if not gone(m))
        c = self.count
        for msg in msgs:
            was = msg.place
            if was == TRANSFORM:
                engine.busy -= 1
            elif was == SENDING:
                c.sending -= 1
                msg.flow.lane.idle += 1
            elif was == BACKOFF:
                c.backoff -= 1
                msg.flow.lane.idle += 1
                msg.wake = None
            elif was == PACING:
                c.pacing -= 1
                msg.flow.lane.idle += 1
            elif was == WAITING and id(msg) in exclusive_waiters:
                c.waiting -= 1
                msg.flow.lane.idle += 1
            elif was == HELD:
                c.held -= 1
            elif was == PARKED:
                c.parked -= 1
            msg.place = place  # pending callbacks (transform, send, backoff) now ignore it
        for msg in msgs:
            msg.flow.channel.remove(msg, place)
        while engine.queue and engine.busy < engine.cores:
            engine.start_next()
        for lane in self.lanes.values():
            lane.kick()

    def poison_backlog(self, share: float, code: str) -> None:
        """Mark a share of the held messages as poisoned (answered `code`).

        Held means not yet sent: in a sender's outbound queue (`refuse`), the engine, a
        channel queue, or set aside.
        """
        u = self.streams.uniform("poison-backlog")
        for ch in self.channels.values():
            for msg in ch.under_way:
                held = msg.place < DELIVERED and msg.place not in (SENDING, BACKOFF)
                if held and u() < share:
                    msg.poison = code
