"""Two poison-message faults on one channel: each poisons its own next send, and each is fixed.

The format: a poison-message fault makes "the next message sent on that channel after `at`"
come back with its code "until an analyst fixes it". A second fault armed while the first
message still waits for its fix poisons the next send after it, which may be the first
message itself once it is fixed and resent; the analysts must then fix it again, and each
fault ends at its own fix.
"""

from __future__ import annotations

import pytest

from sim.metrics.summary import replication_summary
from tests.model.conftest import MakeWorld

pytestmark = pytest.mark.mutation

# Strict order: the poisoned head blocks the lab until it is fixed; one analyst, on call, with
# constant times, so each fix takes respond (at a call-out) + fix exactly.
WORLD = """
name: poison-twice
horizon: 4h
sample_every: 10s
flows:
  orders: {from: ehr, to: lab, rate: 360/h}
systems:
  lab: {ack: constant(100ms), timeout: 30s}
strategy: {order: strict, retry: {backoff: fixed, first: 10s}}
staff:
  analysts: {count: 1, respond: 10min, fix: constant(5min), start_on_alert: false}
faults:
  - {name: first, kind: poison-message, target: lab, at: +1h}
  - {name: second, kind: poison-message, target: lab, at: +1h5min}
"""


def test_each_poison_fault_is_fixed_and_ends_at_its_own_fix(world_of: MakeWorld) -> None:
    """The second fault, armed while the first message waits, is fixed by its own fix."""
    w = world_of(WORLD).run()
    fixes = [e.time_s for e in w.events if e.kind == "poison-fixed"]
    ends = sorted(f.resolved for f in w.faults if f.resolved is not None)
    # first: poisoned at ~1h, fixed after a call-out's respond + fix (15 min); the resend takes
    # the second poison at once, its NAK comes 0.1 s later, when the analyst had no task left:
    # a new call-out, so another respond + fix
    assert len(fixes) == 2
    assert 3600.0 + 900.0 < fixes[0] < 3600.0 + 900.0 + 60.0
    assert fixes[1] == pytest.approx(fixes[0] + 0.1 + 900.0)
    assert ends == fixes
    summary = replication_summary(w)
    assert summary["recovery_time_s"] is not None
    assert summary["messages"]["queued_at_end"] == 0
