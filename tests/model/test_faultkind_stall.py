"""`engine-stall`, exactly: what moves, when, and where the backlog waits.

`mode: hold` (default) keeps accepting and transforming but stops sends; `mode: refuse` stops
accepting, so messages wait at their sender; a `severity` s below 1 pauses sends for s of every
minute from the stall's start; `poison_share` poisons that share of the held messages when the
stall ends.  One message at a time on one core and one connection, constant times.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.model.conftest import MakeWorld, delivered_at

pytestmark = pytest.mark.mutation

TEXT = """
name: stall
horizon: 10min
flows:
  orders: {from: ehr, to: lab, trace: t.csv}
systems:
  lab: {ack: constant(100ms), timeout: 1h}
engine: {cores: 1, transform: constant(100ms)}
faults:
  - {kind: engine-stall, at: +10s, for: 2min, STALL}
"""
CREATED = (5, 20, 40, 45, 75, 105, 135)
END = 130.0


@pytest.fixture
def trace_csv(tmp_path: Path) -> Path:
    path = tmp_path / "t.csv"
    path.write_text("time,priority,patient\n" + "".join(f"{t},routine,1\n" for t in CREATED))
    return path


def delivered(world_of: MakeWorld, stall: str) -> list[float]:
    """The deliveries, in creation order, of the world with a stall from 10 s to 130 s."""
    done = delivered_at(world_of(TEXT.replace("STALL", stall), trace=True).run())
    return [done[uid] for uid in sorted(done)]


class TestStall:
    @pytest.mark.parametrize("stall", ["mode: hold", "severity: 1", "mode: hold, severity: 1"])
    def test_hold_stops_sends_for_the_whole_stall(
        self, world_of: MakeWorld, trace_csv: Path, stall: str
    ) -> None:
        """Messages transformed during the stall leave in order when it ends, 100 ms apart;
        none is sent before (not even at a minute's turn)."""
        done = delivered(world_of, stall)
        held = [END + 0.1 * k for k in (1, 2, 3, 4, 5)]
        assert done == pytest.approx([5.2, *held, 135.2])

    def test_refuse_keeps_messages_at_the_sender_until_it_ends(
        self, world_of: MakeWorld, trace_csv: Path
    ) -> None:
        """Refused messages are transformed only after the stall: each takes 100 ms more."""
        done = delivered(world_of, "mode: refuse")
        held = [END + 0.1 + 0.1 * k for k in (1, 2, 3, 4, 5)]
        assert done == pytest.approx([5.2, *held, 135.2])

    @pytest.mark.parametrize(
        ("severity", "during"),
        [
            # paused 10-40 s and 70-100 s, sending 40-70 s and 100-130 s
            (0.5, [40.1, 40.2, 45.2, 100.1, 105.2]),
            # paused 10-58 s and 70-118 s, sending 58-70 s and 118-130 s
            (0.8, [58.1, 58.2, 58.3, 118.1, 118.2]),
        ],
    )
    def test_a_partial_stall_pauses_sends_for_its_share_of_every_minute(
        self, world_of: MakeWorld, trace_csv: Path, severity: float, during: list[float]
    ) -> None:
        """The pauses start with the stall and end with it: sends go on at once after 130 s."""
        done = delivered(world_of, f"severity: {severity}")
        assert done == pytest.approx([5.2, *during, 135.2])

    @pytest.mark.parametrize("length", ["15s", "75s"])
    def test_a_partial_stall_that_ends_in_a_pause_ends_the_pause(
        self, world_of: MakeWorld, trace_csv: Path, length: str
    ) -> None:
        """Severity 0.5 pauses sends 10-40 s and 70-100 s; a stall ending at 25 s or 85 s, in
        a pause, lets the held message go at once, not when the pause would have ended."""
        end = 10.0 + float(length[:-1])
        text = TEXT.replace("for: 2min", f"for: {length}").replace("STALL", "severity: 0.5")
        w = world_of(text, trace=True).run()
        done = delivered_at(w)
        held = 1 if end == 25.0 else 4  # the message of 20 s, or that of 75 s
        assert done[held] == pytest.approx(end + 0.1)
        assert max(done.values()) == pytest.approx(135.2)

    def test_a_full_stall_after_a_partial_one_stops_every_send(
        self, world_of: MakeWorld, trace_csv: Path
    ) -> None:
        """A partial stall (10-130 s) leaves nothing behind: a full stall from 200 s to 260 s
        holds the message of 210 s until its end; those of 135 s and 270 s go at once."""
        trace_csv.write_text("time,priority,patient\n135,routine,1\n210,routine,1\n270,routine,1\n")
        text = TEXT.replace("STALL", "severity: 0.5")
        text += "  - {kind: engine-stall, at: +200s, for: 1min}\n"
        done = delivered_at(world_of(text, trace=True).run())
        assert [done[uid] for uid in sorted(done)] == pytest.approx([135.2, 260.1, 270.2])


class TestPoisonShare:
    @pytest.mark.parametrize(("share", "poisoned"), [(1.0, 5), (0.0, 0)])
    def test_the_share_of_the_messages_held_at_the_end_comes_back_poisoned(
        self, world_of: MakeWorld, trace_csv: Path, share: float, poisoned: int
    ) -> None:
        """With `poison_share: 1` all five messages held when the stall ends are answered AE,
        the first one sent included, and dead-lettered (`on_reply: {AE: dead-letter}`); those
        before and after the stall are delivered.  With 0 none is."""
        text = TEXT.replace("STALL", f"poison_share: {share}")
        w = world_of(text, sets=["strategy.on_reply.AE=dead-letter"], trace=True).run()
        done = delivered_at(w)
        assert w.count.dead_lettered == poisoned
        assert sorted(done.values())[0] == pytest.approx(5.2)
        assert sorted(done.values())[-1] == pytest.approx(135.2)
        assert len(done) == len(CREATED) - poisoned
