"""An analyst's fix of a poisoned message: it is resubmitted at once if it waits (in a backoff
or parked), instead of waiting out its `retry.first`; its old timer then no longer counts.
"""

from __future__ import annotations

import pytest

from sim.model.world import World
from tests.model.conftest import MakeWorld, delivered_at

pytestmark = pytest.mark.mutation

# One order at 0 s, poisoned: its negative ACK comes at 0.101 s. The analyst is there a minute
# later and fixes it in 10 s (70.101 s). A retry or a parked message would wait an hour.
FIX = """
name: fix
horizon: 2h
sample_every: 1h
flows:
  orders: {{from: ehr, to: lab, trace: [{{time: 0, priority: routine, patient: 1}}]}}
systems:
  lab: {{ack: constant(100ms), timeout: 5s}}
engine: {{cores: 4, transform: constant(1ms)}}
strategy:
  retry: {{backoff: fixed, first: 1h}}
  on_reply: {{AE: {on_ae}, AR: dead-letter, timeout: retry}}
staff:
  analysts: {{count: 1, respond: 1min, fix: constant(10s), start_on_alert: false}}
faults:
  - {{kind: poison-message, target: lab, at: +0s}}
"""
FIXED = 0.101 + 60 + 10


def fixed(world_of: MakeWorld, on_ae: str) -> World:
    return world_of(FIX.format(on_ae=on_ae), trace=True).run()


class TestAFixedMessageGoesAtOnce:
    @pytest.mark.parametrize("on_ae", ["retry", "park"])
    def test_it_is_sent_when_it_is_fixed(self, world_of: MakeWorld, on_ae: str) -> None:
        """Waiting out a backoff or parked, the order is sent at the fix and delivered 100 ms
        later; its hour-long timer, when it comes, sends nothing more."""
        w = fixed(world_of, on_ae)
        assert [e.time_s for e in w.events if e.kind == "poison-fixed"] == [pytest.approx(FIXED)]
        assert delivered_at(w) == {0: pytest.approx(FIXED + 0.1)}
        assert (w.count.sends, w.count.delivered, w.count.parked, w.count.backoff) == (2, 1, 0, 0)
        assert w.channels["lab"].backlog == 0
