"""Exact timelines with deterministic times: the path of a message, step by step."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.model.conftest import MakeWorld, delivered_at

pytestmark = pytest.mark.mutation

BASE = """
name: timeline
horizon: 1h
flows:
  orders: {{from: ehr, to: lab, trace: trace.csv}}
systems:
  lab: {{ack: constant({ack}), connections: {c}, timeout: 1h}}
engine: {{cores: 1, transform: constant(100ms)}}
"""


@pytest.fixture
def trace_csv(tmp_path: Path) -> Path:
    path = tmp_path / "trace.csv"
    path.write_text("time,priority,patient\n0,routine,1\n1,routine,2\n2,routine,3\n")
    return path


class TestOneChannel:
    def test_free_connection_delivers_after_transform_and_ack(
        self, world_of: MakeWorld, trace_csv: Path
    ) -> None:
        """With a free connection a message is delivered at creation + transform + ACK."""
        w = world_of(BASE.format(ack="500ms", c=1), trace=True).run()
        assert delivered_at(w) == pytest.approx({0: 0.6, 1: 1.6, 2: 2.6})
        assert w.count.delivered == 3

    @pytest.mark.parametrize(
        ("discipline", "order"), [("fifo", [1, 2, 3, 4]), ("lifo", [4, 3, 2, 1])]
    )
    def test_busy_connection_makes_messages_wait_in_order(
        self, world_of: MakeWorld, trace_csv: Path, discipline: str, order: list[int]
    ) -> None:
        """Four messages waiting together for one busy connection leave oldest first (FIFO).

        Five messages 0.25 s apart leave the 100 ms transform at 0.1, 0.35, 0.6, 0.85 and
        1.1 s; the first holds the connection until 1.6 s, so four wait at once, and each send
        takes 1.5 s.  FIFO sends them in creation order, LIFO in the reverse one: the total
        wait is the same (12.5 s), the longest differs (5 s and 5.75 s).
        """
        trace_csv.write_text(
            "time,priority,patient\n" + "".join(f"{0.25 * i},routine,{i + 1}\n" for i in range(5))
        )
        w = world_of(
            BASE.format(ack="1500ms", c=1), sets=[f"strategy.discipline={discipline}"], trace=True
        ).run()
        done = {0: 1.6} | {uid: 1.6 + 1.5 * (k + 1) for k, uid in enumerate(order)}
        assert delivered_at(w) == pytest.approx(done)
        ready = {uid: 0.1 + 0.25 * uid for uid in range(5)}
        waits = {uid: done[uid] - 1.5 - ready[uid] for uid in range(5)}
        wait = w.channels["lab"].wait()
        assert wait.count == 5
        assert wait.total == pytest.approx(sum(waits.values()))
        assert wait.total == pytest.approx(12.5)
        assert wait.max == pytest.approx(max(waits.values()))
        assert wait.max == pytest.approx(5.0 if discipline == "fifo" else 5.75)

    def test_two_connections_send_in_parallel(self, world_of: MakeWorld, trace_csv: Path) -> None:
        """A second connection takes the next message while the first is busy."""
        w = world_of(BASE.format(ack="1500ms", c=2), trace=True).run()
        # m1 goes on connection 2 at 1.1; m2 finds connection 1 free again (since 1.6) at 2.1
        assert delivered_at(w) == pytest.approx({0: 1.6, 1: 2.6, 2: 3.6})
        assert w.channels["lab"].wait().total == pytest.approx(0.0)

    def test_filing_capacity_is_one_server_for_all_connections(
        self, world_of: MakeWorld, trace_csv: Path
    ) -> None:
        """A system filing 1 message/s makes parallel connections wait for the filer."""
        text = BASE.format(ack="100ms", c=3).replace("timeout: 1h", "timeout: 1h, capacity: 1/s")
        path_csv = trace_csv
        path_csv.write_text("time,priority,patient\n0,routine,1\n0,routine,2\n0,routine,3\n")
        w = world_of(text, trace=True).run()
        # transform 0.1 s each on one core: ready at 0.1, 0.2, 0.3; filed at 1.1, 2.1, 3.1
        assert delivered_at(w) == pytest.approx({0: 1.2, 1: 2.2, 2: 3.2})


class TestTransformStation:
    def test_one_core_queues_simultaneous_messages(
        self, world_of: MakeWorld, trace_csv: Path
    ) -> None:
        """Three messages arriving together on one core leave it 100 ms apart."""
        trace_csv.write_text("time,priority,patient\n0,routine,1\n0,routine,2\n0,routine,3\n")
        w = world_of(BASE.format(ack="10ms", c=3), trace=True).run()
        assert delivered_at(w) == pytest.approx({0: 0.11, 1: 0.21, 2: 0.31})
        assert w.engine.wait_sum == pytest.approx(0.1 + 0.2)
