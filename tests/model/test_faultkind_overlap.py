"""Overlapping slowdowns: each is a factor, so while two last their factors multiply, and when
one ends only the other's factor is left (the fault catalogue's rule: every effect is a counter
or a factor, never a flag, so faults may overlap).

Exact timelines with constant times: one message at a time, nothing ever waits.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.model.world import World
from tests.model.conftest import MakeWorld, delivered_at

pytestmark = pytest.mark.mutation

# Messages created at these times (s) on each flow: each has left before the next one comes.
CREATED = (5, 15, 30, 60, 120)

ENGINE = """
name: engine-slowdowns
horizon: 10min
flows:
  orders: {from: ehr, to: lab, trace: t.csv}
systems:
  lab: {ack: constant(100ms), timeout: 1h}
engine: {cores: 1, transform: constant(1s)}
faults:
  - {kind: engine-slowdown, severity: 2, at: +10s, for: 90s}
  - {kind: engine-slowdown, severity: 3, at: +20s, for: 30s}
"""

SYSTEMS = """
name: system-slowdowns
horizon: 10min
flows:
  orders: {from: ehr, to: lab, trace: t.csv}
  ris-orders: {from: ehr, to: ris, trace: t.csv}
  lab-results: {from: lab, to: ehr, trace: t.csv}
systems:
  ehr: {ack: constant(1s), timeout: 1h}
  lab: {ack: constant(1s), timeout: 1h}
  ris: {ack: constant(1s), timeout: 1h}
engine: {cores: 3, transform: constant(100ms)}
faults:
  - {kind: system-slowdown, target: lab, severity: 2, at: +10s, for: 90s}
  - {kind: system-slowdown, TARGET severity: 3, at: +20s, for: 30s}
"""
FLOW_TO = {"orders": "lab", "ris-orders": "ris", "lab-results": "ehr"}


# each row: the second slowdown's target as written, the systems it slows as events.csv
# names them
TARGETS = [
    ("target: lab,", "lab"),
    ("target: [ris, lab],", "ris;lab"),
    ("target: all,", "lab;ris"),
    ("", "lab;ris"),  # `all` by default
    ("target: [ehr],", "ehr"),
]


@pytest.fixture
def trace_csv(tmp_path: Path) -> Path:
    path = tmp_path / "t.csv"
    path.write_text("time,priority,patient\n" + "".join(f"{t},routine,1\n" for t in CREATED))
    return path


def by_creation(w: World, flow: str) -> list[float]:
    """Delivery times of a flow's messages, in creation order."""
    assert w.trace is not None
    uids = [uid for _t, uid, f, _c, ev, *_ in w.trace if f == flow and ev == "created"]
    done = delivered_at(w)
    return [done[uid] for uid in uids]


class TestEngineSlowdowns:
    def test_overlapping_factors_multiply_and_unwind(
        self, world_of: MakeWorld, trace_csv: Path
    ) -> None:
        """Transform 1 s, x2 from 10 s to 100 s, x3 from 20 s to 50 s: 1, 2, 6, 2, 1 s.

        Were the second to replace the first (x3 instead of x6), its end would leave x1 and the
        first's end x0.5.
        """
        w = world_of(ENGINE, trace=True).run()
        transform = [1.0, 2.0, 6.0, 2.0, 1.0]
        expected = [t + d + 0.1 for t, d in zip(CREATED, transform, strict=True)]
        assert by_creation(w, "orders") == pytest.approx(expected)
        assert w.engine.slow == 1.0


class TestSystemSlowdowns:
    @pytest.mark.parametrize(("target", "text"), TARGETS)
    def test_overlapping_factors_multiply_and_unwind(
        self, world_of: MakeWorld, trace_csv: Path, target: str, text: str
    ) -> None:
        """Every ACK takes 1 s; the lab's x2 from 10 s to 100 s, and the second slowdown's
        targets' x3 from 20 s to 50 s: the lab's ACKs take 1, 2, 6, 2, 1 s when both hit it.

        Were the second to replace the first (x3 instead of x6), its end would leave x1 and the
        first's end x0.5.  `all` is every system but `ehr`.
        """
        w = world_of(SYSTEMS.replace("TARGET", target), trace=True).run()
        slowed = text.split(";")
        for flow, sid in FLOW_TO.items():
            first = [1.0, 2.0, 2.0, 2.0, 1.0] if sid == "lab" else [1.0] * 5
            ack = [
                f * (3.0 if sid in slowed and t == 30 else 1.0)
                for f, t in zip(first, CREATED, strict=True)
            ]
            expected = [t + 0.1 + d for t, d in zip(CREATED, ack, strict=True)]
            assert by_creation(w, flow) == pytest.approx(expected), flow
            assert w.systems[sid].slow == 1.0
        starts = [e.target for e in w.events if e.kind == "fault-start"]
        assert starts == ["lab", text]
