"""The end-of-run accounting of World: fault windows, people's figures, the places messages
are in, and the invariants checked at the end of every run."""

from __future__ import annotations

from typing import TYPE_CHECKING

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

    def staff_hours(self) -> dict[str, float]:
        """Hours the analysts and clerks worked (responding and working)."""
        return {
            "analysts": self.analysts.busy_s / 3600.0 if self.analysts else 0.0,
            "clerks": self.clerks.busy_s / 3600.0 if self.clerks else 0.0,
        }

    def people_recovery_time(self) -> float | None:
        """From the last fault's end until the people's work is done.

        0 when they had nothing to do after it; None when work was still waiting at the end
        (a paper fallback still on counts as work not yet started).
        """
        windows = self.fault_windows()
        if not windows:
            return None
        last_end = max(b for _, b in windows)
        done = last_end
        c = self.count
        if self.clerks is None and (c.on_paper or self.expired_to_paper):
            return None  # paper orders that nobody back-enters
        if self.analysts is None and (
            c.dead_lettered or any(ch.blocked for ch in self.channels.values())
        ):
            return None  # dead letters or a suspended channel that nobody attends to
        for team in (self.analysts, self.clerks):
            if team is None:
                continue
            if team.working:
                return None
            if team.last_done is not None:
                done = max(done, team.last_done)
        if self.fallback is not None and self.fallback.active:
            return None
        return done - last_end

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
