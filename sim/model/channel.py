"""A channel: the engine's link to one destination system.

It sends messages its lanes hand it, reads the outcome (ACK, negative ACK or timeout), and
applies the strategy: retry with backoff, park, dead-letter or suspend; strict order (one
message in flight, the head retried); per-patient order; and it keeps the destination's
figures (backlog, wait, order violations).  Everything runs in event callbacks: a send is one
scheduled event.
"""

from __future__ import annotations

import itertools
from array import array
from collections import deque
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Final

from mypy_extensions import trait

from sim.metrics.histogram import Histogram
from sim.model.clock import Clock
from sim.model.message import (
    BACKOFF,
    CLASSES,
    DEAD_LETTERED,
    DELIVERED,
    EXPIRED,
    LOST,
    PACING,
    PARKED,
    QUEUED,
    SENDING,
    SHED,
    WAITING,
)

if TYPE_CHECKING:
    from sim.model.counters import Counters
    from sim.model.gate import PatientGate
    from sim.model.message import Message
    from sim.model.system import System
    from sim.strategies.policies import ChannelPolicy
    from sim.strategies.retry import RetryPolicy

TIMEOUT: Final = "timeout"


def _uid(msg: Message) -> int:
    return msg.uid


@trait
class ChannelHooks:
    """What a channel tells the rest of the world; the world overrides these."""

    def delivered(self, msg: Message, now: float) -> None:
        """A message reached its receiver (its first successful ACK)."""

    def left(self, msg: Message, now: float) -> None:
        """A message left the engine for good, delivered or not (only while tracing)."""

    def sent(self, msg: Message, now: float) -> None:
        """An attempt to deliver a message started (only while tracing)."""

    def answered(self, msg: Message, now: float) -> None:
        """An attempt ended: its ACK, negative ACK or timeout is in ``msg.code`` (only while
        tracing)."""

    def suspended(self, channel: Channel, now: float) -> None:
        """The channel stopped itself after a negative ACK (`on_reply: suspend`)."""

    def poisoned(self, channel: Channel, msg: Message, now: float) -> None:
        """A poisoned message was answered with its negative ACK."""

    def dead_lettered(self, channel: Channel, msg: Message, now: float) -> None:
        """A message was given up to the dead-letter queue."""

    def poison_gone(self, channel: Channel, msg: Message, now: float) -> None:
        """A poisoned message left the engine for good unfixed (dead-lettered, expired, shed,
        lost): a poison-message fault on it is over."""

    def parked(self, channel: Channel, msg: Message, now: float) -> None:
        """A failed message was set aside (parked); it comes back after `retry.first`."""


class Channel:
    """The engine's outbound link to one system, with its strategy and its figures."""

    def __init__(
        self,
        clock: Clock,
        system: System,
        counters: Counters,
        retry: RetryPolicy,
        on_reply: Mapping[str, str],
        gate: PatientGate | None,
        exclusive: bool,
        patients: int,
        warmup: float,
        hooks: ChannelHooks,
    ) -> None:
        self.clock = clock
        self.id = system.id
        self.system = system
        self.count = counters
        self.retry = retry
        self.on_reply = on_reply
        self.gate = gate
        self.exclusive = exclusive
        """One message in flight at a time, waiting workers holding theirs (strict, shared)."""
        self.owner: Message | None = None
        self.waiters: deque[Message] = deque()
        self.blocked = 0
        """Reasons no message may be sent here (suspension, open breaker); 0 = none."""
        self.blocked_q: deque[Message] = deque()
        self.warmup = warmup
        self.hooks = hooks
        self.armed: deque[tuple[str, Callable[[Message], None]]] = deque()
        """Negative ACK codes armed for the next messages sent (`poison-message` faults), in
        the order they were armed, each with whom to tell which message took it."""
        self.seq = 0
        self._last_filed = array("q", [-1]) * patients
        """Per patient, the highest sequence filed here (8 bytes a patient, not an object)."""
        self.order_violations = 0
        self.order_given_up = False
        """Whether a message left its patient's order to come back later (park, reprocess)."""
        self.sends = 0
        # the destination's figures: every message bound here, wherever it waits
        self.backlog = 0
        self.peak = 0
        self.peak_at = 0.0
        self.area = 0.0
        self._area_t = 0.0
        self.waits = [Histogram() for _ in CLASSES]
        """Channel wait (transform exit to the start of the successful send) per class."""
        self.under_way: deque[Message] = deque()
        """Messages bound here, each once, in creation (uid) order; those that have left are
        dropped lazily, from the head only (`oldest_age`), so the walks of it (a crash, the
        `expire` rule, the end-of-run counts) may stop at the first young message."""
        self.max_oldest_age = 0.0
        self.last_ack = 0.0
        """When this channel last had a message ACKed."""
        self.dead_letters: list[Message] = []
        """Dead-lettered messages, kept for an analyst to reprocess."""
        self.policies: list[ChannelPolicy] = []
        """Strategy policies on this channel's sends (breaker, drain, ...)."""
        self._tokens = itertools.count(1)
        """Tokens of scheduled resends (a fix or a crash makes a pending one stale)."""
        self.tracing = False
        """Whether the world records every message's path (hooks.sent and hooks.answered on
        every attempt, hooks.left on every exit)."""

    # -- the destination's backlog -------------------------------------------------------

    def enter(self, msg: Message) -> None:
        """A message bound here was created."""
        self._bound(self.clock.now)
        self.under_way.append(msg)

    def _bound(self, now: float) -> None:
        """One more message is bound here (created, or back from the dead letters)."""
        self.area += self.backlog * (now - self._area_t)
        self._area_t = now
        self.backlog += 1
        if self.backlog > self.peak:
            self.peak = self.backlog
            self.peak_at = now

    def oldest_age(self, now: float) -> float:
        """Age of the oldest message bound here that has not left (0 when none)."""
        line = self.under_way
        while line and line[0].place >= DELIVERED:
            line.popleft()
        return now - line[0].created if line else 0.0

    # -- sending -------------------------------------------------------------------------

    def send(self, msg: Message) -> None:
        """Send a message on a worker its lane has already given it (policies permitting).

        On a blocked channel it goes back to wait, and the worker with it.
        """
        if self.blocked:
            self._divert(msg)
            return
        if self.policies:
            now = self.clock.now
            at = now
            for policy in self.policies:
                at = max(at, policy.admit(now))
            if at > now:
                msg.place = PACING
                self.count.pacing += 1
                self.clock.call_in(at - now, self._paced, msg)
                return
        self._transmit(msg)

    def _paced(self, msg: Message) -> None:
        """A message's admitted time came: it is sent, unless it may not be sent now."""
        if msg.place != PACING:  # lost in a crash meanwhile
            self._withdrawn()
            return
        self.count.pacing -= 1
        if self.blocked:
            self._withdrawn()
            self._divert(msg)
            return
        lane = msg.flow.lane
        if lane.paused:  # it goes when the lane may send again, on its own worker
            self._withdrawn()
            msg.place = WAITING
            lane.resume.append(msg)
            return
        self._transmit(msg)

    def _withdrawn(self) -> None:
        now = self.clock.now
        for policy in self.policies:
            policy.withdrawn(now)

    def _divert(self, msg: Message) -> None:
        """A message holding a worker meets a blocked channel: it waits, the worker goes."""
        msg.place = QUEUED
        self.blocked_q.append(msg)
        self._let_go(msg, keep_order=True)
        msg.flow.lane.release()

    def _transmit(self, msg: Message) -> None:
        now = self.clock.now
        count = self.count
        if self.policies:
            for policy in self.policies:
                policy.sending(now, msg)
        msg.place = SENDING
        msg.tries += 1
        msg.enq_at = now
        count.sends += 1
        count.sending += 1
        self.sends += 1
        system = self.system
        if system.down:
            msg.code = TIMEOUT
            delay = system.timeout
        else:
            filed = system.file(now) if system.service else now
            delay = filed + system.ack() * system.slow - now
            if self.armed and not msg.poison:
                msg.poison, taken = self.armed.popleft()
                taken(msg)
            code = msg.poison
            if not code:
                if msg.filed:
                    count.duplicates += 1
                else:
                    msg.filed = True
                    last = self._last_filed
                    if msg.seq < last[msg.patient]:
                        self.order_violations += 1
                    else:
                        last[msg.patient] = msg.seq
            # the answer, an ACK or a negative ACK, is late or lost: the send times out
            if delay > system.timeout or (system.ack_loss and system.uniform() < system.ack_loss):
                msg.code = TIMEOUT
                delay = system.timeout
            else:
                msg.code = code
        if self.tracing:
            self.hooks.sent(msg, now)
        self.clock.call_in(delay, self._outcome, msg)

    def _outcome(self, msg: Message) -> None:
        if msg.place == LOST:  # its node crashed while the send was under way
            return
        self.count.sending -= 1
        if self.tracing:
            self.hooks.answered(msg, self.clock.now)
        if self.policies:
            now = self.clock.now
            for policy in self.policies:
                if msg.code:
                    policy.failed(now, msg)
                else:
                    policy.succeeded(now, msg)
        if not msg.code:
            self._delivered(msg)
        else:
            self._failed(msg)

    def _delivered(self, msg: Message) -> None:
        now = self.clock.now
        self.last_ack = now
        count = self.count
        count.delivered += 1
        flow = msg.flow
        if msg.created >= self.warmup:
            flow.latency[msg.cls].add(now - msg.created)
            self.waits[msg.cls].add(msg.enq_at - msg.ready_at)
        msg.place = DELIVERED
        count.outstanding -= 1
        self.area += self.backlog * (now - self._area_t)
        self._area_t = now
        self.backlog -= 1
        if msg.gated or self.owner is msg:
            self._let_go(msg)
        if self.tracing:
            self.hooks.left(msg, now)
        if flow.reply is not None or msg.order is not None or flow.medcom:
            self.hooks.delivered(msg, now)
        flow.lane.release()

    def _failed(self, msg: Message) -> None:
        if msg.poison:
            self.hooks.poisoned(self, msg, self.clock.now)
        action = self.on_reply[msg.code]
        if action == "retry":
            if not self.retry.exhausted(msg):
                msg.place = BACKOFF
                self.count.backoff += 1
                token = next(self._tokens)
                msg.wake = token
                self.clock.call_in(self.retry.delay(msg), self._resend, (msg, token))
                return
            action = self.retry.then
        if action == "park":
            self.park(msg)
        elif action == "dead-letter":
            self._leave(msg, DEAD_LETTERED)
            self.dead_letters.append(msg)
            self.hooks.dead_lettered(self, msg, self.clock.now)
            msg.flow.lane.release()
        else:
            self._suspend(msg)

    def _resend(self, pending: tuple[Message, int]) -> None:
        msg, token = pending
        if token != msg.wake:  # lost in a crash, or already resent after a fix
            return
        self._wake(msg)

    def _wake(self, msg: Message) -> None:
        msg.wake = None
        self.count.backoff -= 1
        if self.blocked:
            self._divert(msg)
            return
        lane = msg.flow.lane
        if lane.paused:
            msg.place = WAITING
            lane.resume.append(msg)
        else:
            self.send(msg)

    def fixed(self, msg: Message) -> None:
        """An analyst repaired a poisoned message: it is resubmitted at once if it waits."""
        msg.poison = ""
        if msg.place == BACKOFF:
            self._wake(msg)
        elif msg.place == PARKED:
            self.unpark(msg)

    def reprocess(self, only: Message | None = None) -> int:
        """Put every dead-lettered message (or only `only`, if dead-lettered) back into its
        queue (an analyst's resubmission); return how many."""
        if only is None:
            msgs, self.dead_letters = self.dead_letters, []
        elif only.place == DEAD_LETTERED:
            self.dead_letters.remove(only)  # mostly the head: analysts take them in order
            msgs = [only]
        else:
            return 0
        self.order_given_up = self.order_given_up or bool(msgs)
        self._relist(msgs)
        now = self.clock.now
        count = self.count
        for msg in msgs:
            count.dead_lettered -= 1
            count.outstanding += 1
            if count.outstanding > count.peak_outstanding:  # back in the engine's backlog
                count.peak_outstanding = count.outstanding
                count.peak_at = now
            self._bound(now)
            msg.tries = 0
            msg.poison = ""
            msg.flow.lane.push(msg)
        return len(msgs)

    def _relist(self, msgs: list[Message]) -> None:
        """Returning messages are bound here again: each is listed in `under_way` once.

        The line is in uid order and only ever loses its head, so a returning message that is
        no longer listed is older than every message still listed: it goes back at the head
        (newest first, so that they end up in order).  One that is still listed stays put.
        """
        line = self.under_way
        for msg in sorted(msgs, key=_uid, reverse=True):
            if not line or line[0].uid > msg.uid:
                line.appendleft(msg)

    def park(self, msg: Message) -> None:
        """Set a failed message aside; it rejoins its queue's tail after `retry.first`."""
        msg.place = PARKED
        msg.tries = 0
        self.order_given_up = True
        self.count.parked += 1
        self._let_go(msg)
        token = next(self._tokens)
        msg.wake = token
        self.clock.call_in(self.retry.first, self._unpark, (msg, token))
        msg.flow.lane.release()
        self.hooks.parked(self, msg, self.clock.now)

    def _unpark(self, pending: tuple[Message, int]) -> None:
        msg, token = pending
        if token == msg.wake:  # else taken elsewhere meanwhile (resubmitted, lost)
            self.unpark(msg)

    def unpark(self, msg: Message) -> bool:
        """A parked message rejoins its queue's tail now (its time is up, or an analyst
        resubmits it); False if it is not parked."""
        if msg.place != PARKED:
            return False
        msg.wake = None
        self.count.parked -= 1
        msg.flow.lane.push(msg)
        return True

    def _suspend(self, msg: Message) -> None:
        """Stop the channel; the failed message goes first when it is restarted."""
        msg.place = QUEUED
        self.blocked += 1
        self._let_go(msg, keep_order=True)
        self.blocked_q.appendleft(msg)
        self.hooks.suspended(self, self.clock.now)
        msg.flow.lane.release()

    def unblock(self) -> None:
        """Undo one block; when none is left, the held-back messages go first."""
        self.blocked -= 1
        if self.blocked:
            return
        lanes = []
        while self.blocked_q:
            msg = self.blocked_q.popleft()
            msg.flow.lane.ready.append(msg)
            if msg.flow.lane not in lanes:
                lanes.append(msg.flow.lane)
        for lane in lanes:
            lane.kick()

    # -- leaving -------------------------------------------------------------------------

    def _let_go(self, msg: Message, keep_order: bool = False) -> None:
        """The message no longer holds this channel's strict slot or (unless kept) its order."""
        if self.owner is msg:
            self.owner = None
            if self.blocked:
                while self.waiters:
                    waiter = self.waiters.popleft()
                    self.count.waiting -= 1
                    waiter.place = QUEUED
                    self.blocked_q.append(waiter)
                    waiter.flow.lane.release()
            elif self.waiters:
                nxt = self.waiters.popleft()
                self.count.waiting -= 1
                self.owner = nxt
                lane = nxt.flow.lane
                if lane.paused:  # it goes when the lane may send again, on its own worker
                    lane.resume.append(nxt)
                else:
                    self.send(nxt)
        if msg.gated and not keep_order:
            assert self.gate is not None
            released = self.gate.leave(msg)
            if released is not None:
                self.count.held -= 1
                released.place = QUEUED
                released.flow.lane.ready.append(released)
                released.flow.lane.kick()

    def _leave(self, msg: Message, place: int) -> None:
        """The message leaves the engine for good in state `place`."""
        now = self.clock.now
        msg.place = place
        count = self.count
        count.outstanding -= 1
        if place == DEAD_LETTERED:
            count.dead_lettered += 1
        elif place == EXPIRED:
            count.expired += 1
        elif place == SHED:
            count.shed += 1
        elif place == LOST:
            count.lost += 1
            msg.flow.lost += 1
        self.area += self.backlog * (now - self._area_t)
        self._area_t = now
        self.backlog -= 1
        self._let_go(msg)
        if self.tracing:
            self.hooks.left(msg, now)
        if msg.poison:
            self.hooks.poison_gone(self, msg, now)

    def remove(self, msg: Message, place: int) -> None:
        """Account for a message leaving the engine for good (expired, shed, lost).

        The caller has already taken it out of whatever line it waited in.
        """
        self._leave(msg, place)
        if self.policies:
            now = self.clock.now
            for policy in self.policies:
                policy.dropped(now, msg)

    def wait(self) -> Histogram:
        """Channel waits of every class together."""
        merged = Histogram()
        for hist in self.waits:
            merged.merge(hist)
        return merged

    def close_area(self, now: float) -> None:
        """Bring the backlog integral up to `now` (end of run)."""
        self.area += self.backlog * (now - self._area_t)
        self._area_t = now
