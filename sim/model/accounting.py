"""The end-of-run accounting of World: fault windows, people's figures, the places messages
are in, and the invariants checked at the end of every run."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from mypy_extensions import trait

from sim.model.records import InvariantBroken

if TYPE_CHECKING:
    from sim.faults import Fault
    from sim.model.channel import Channel
    from sim.model.counters import Counters
    from sim.model.engine import Engine, Sender
    from sim.model.fallback import Fallback
    from sim.model.flows import FlowRuntime
    from sim.model.lane import Lane
    from sim.model.people import Team
    from sim.model.world import World
    from sim.scenario.schema import Scenario


@trait
class Accounting:
    """Figures and checks read off a finished (or stopped) world."""

    scenario: Scenario
    count: Counters
    engine: Engine
    channels: dict[str, Channel]
    lanes: dict[str, Lane]
    senders: dict[str, Sender]
    flows: dict[str, FlowRuntime]
    faults: list[Fault]
    analysts: Team | None
    clerks: Team | None
    fallback: Fallback | None
    alert_times: list[float]
    expired_to_paper: int
    end: float

    def fault_windows(self) -> list[tuple[float, float]]:
        """(start, end) of every fault that started within the run; end clipped to the run."""
        out = []
        for fault in self.faults:
            if fault.at >= self.end:
                continue
            end = fault.end if fault.end is not None else self.end
            if fault.resolved is not None:
                end = fault.resolved
            out.append((fault.at, min(end, self.end)))
        return out

    def fault_on_at_end(self) -> bool:
        """Whether a fault that started within the run had not ended by its end (its window is
        clipped there): a poison message neither fixed nor given up, or a fault whose `for`
        runs past the horizon.  No queue has recovered from it."""
        for fault in self.faults:
            if fault.at >= self.end or fault.resolved is not None:
                continue
            if fault.end is None or fault.end > self.end:
                return True
        return False

    def staff_hours(self) -> dict[str, float]:
        """Hours the analysts and clerks worked within the run (call-outs and tasks)."""
        return {
            "analysts": self.analysts.worked_s(self.end) / 3600.0 if self.analysts else 0.0,
            "clerks": self.clerks.worked_s(self.end) / 3600.0 if self.clerks else 0.0,
        }

    def people_recovery(self) -> tuple[float | None, str]:
        """From the last fault's end until the people's work is done, or None and the reason.

        0 when they had nothing to do after it.  None when the work is not done by the end of
        the run, or can never be: a fault that has not ended (a poison message nobody fixed),
        paper orders, dead letters or a suspended channel with nobody to attend to them, a
        team's work under way or waiting, a paper fallback still on.
        """
        windows = self.fault_windows()
        if not windows:
            return None, "no fault"
        c = self.count
        for fault in self.faults:
            if fault.at >= self.end:
                continue
            target = fault.target_text(cast("World", self)) or "the engine"
            where = f"the {fault.label} fault on {target}"
            if fault.end is None and fault.resolved is None:  # a poison message not fixed
                if self.analysts is None:
                    return None, f"{where} has not ended: no analysts"
                return None, f"{where} has not ended by the horizon"
            if fault.end is not None and fault.resolved is None and fault.end > self.end:
                return None, f"the horizon ends before {where} does"
        if self.clerks is None and (c.on_paper or self.expired_to_paper):
            n = c.on_paper + self.expired_to_paper
            return None, f"{n} order{_s(n)} on paper to back-enter: no clerks"
        if self.analysts is None:
            dead = [
                f"{len(ch.dead_letters)} dead-lettered message{_s(len(ch.dead_letters))} on {sid}"
                for sid, ch in self.channels.items()
                if ch.dead_letters
            ]
            if dead:
                return None, f"{', '.join(dead)}: no analysts"
            blocked = [sid for sid, ch in self.channels.items() if ch.blocked]
            if blocked:
                return None, f"channel {', '.join(blocked)} stopped: no analysts"
        last_end = max(b for _, b in windows)
        done = last_end
        for team in (self.analysts, self.clerks):
            if team is None:
                continue
            if team.working:
                state = "waiting for a call (no alert)" if not team.on_call else "left"
                return None, f"the {team.name}' work is {state} at the horizon"
            if team.last_done is not None:
                done = max(done, team.last_done)
        if self.analysts is not None and c.dead_lettered:
            n = c.dead_lettered
            return None, f"{n} dead-lettered message{_s(n)} not reprocessed by the horizon"
        if self.fallback is not None and self.fallback.active:
            on = ", ".join(sorted(self.fallback.active))
            return None, f"the paper fallback is still on for {on} at the horizon"
        return done - last_end, ""

    def time_to_detect(self) -> float | None:
        """From the first fault's start to the first alert after it (None: no alert fired)."""
        windows = self.fault_windows()
        if not windows:
            return None
        first = min(a for a, _ in windows)
        after = [t for t in self.alert_times if t >= first]
        return after[0] - first if after else None

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
            + c.pacing
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
        for name in ("sending", "backoff", "parked", "held", "waiting", "pacing"):
            if getattr(c, name) < 0:
                raise InvariantBroken(f"negative count of {name} messages {at}")
        if c.delivered > c.created:
            raise InvariantBroken(f"delivered {c.delivered} > created {c.created} {at}")
        for flow in self.flows.values():
            for hist in flow.latency:
                low = hist.min
                if low is not None and low < 0:
                    raise InvariantBroken(
                        f"a message of {flow.id} was delivered {-low:.6f} s before it was "
                        f"created {at}"
                    )
        backlog = sum(ch.backlog for ch in self.channels.values())
        if backlog != c.outstanding:
            raise InvariantBroken(
                f"destination backlogs {backlog} != outstanding messages {c.outstanding} {at}"
            )
        for ch in self.channels.values():  # each channel under its own (effective) order
            if ch.gate is not None and ch.order_violations and not ch.order_given_up:
                raise InvariantBroken(
                    f"{ch.order_violations} per-patient order violations on channel {ch.id} "
                    f"under order: {self.scenario.channel_strategy(ch.id).order} {at}"
                )


def _s(n: int) -> str:
    """The plural ending for a count."""
    return "" if n == 1 else "s"
