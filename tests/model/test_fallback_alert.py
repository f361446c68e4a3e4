"""`fallback.start_on_alert`: an alert on an interface's queue puts it on paper at once.

With `start_on_alert: true` the first alert on an interface switches its fallback on (before
`trigger_after`, the timer's rule, would); the fallback stays on until the interface answers
again and no alert on its queue is still active.  With `false` the timer alone decides.
"""

from __future__ import annotations

import pytest

from sim.experiments.run import replicate
from sim.model.records import Event
from tests.model.conftest import MakeWorld

pytestmark = pytest.mark.mutation

# The lab is down from 1 h to 3 h; the timer would switch its fallback on at 1 h 20 min, the
# alert (oldest lab message older than 5 min) fires about 1 h 05 min.
TEXT = """
name: fallback-alert
horizon: 5h
sample_every: 1min
flows:
  lab-orders:
    from: ehr
    to: lab
    rate: 600/h
    priority: {stat: 0.5, routine: 0.5}
    deadline: {stat: 1h, routine: 8h}
    reply: {flow: lab-results, after: constant(30min)}
  lab-results: {from: lab, to: ehr}
systems:
  lab: {ack: constant(100ms), timeout: 10s}
  ehr: {ack: constant(50ms), connections: 2, timeout: 10s}
strategy: {retry: {backoff: fixed, first: 30s}}
fallback:
  trigger_after: 20min
  share: {stat: 1.0, urgent: 1.0, routine: 0.0}
  phone_delay: 15min
  duplicate_risk: 0.0
  start_on_alert: START
alerts:
  - {queue: lab, oldest_older_than: 5min}
faults:
  - {kind: system-outage, target: lab, at: +1h, for: 2h}
"""


def run(world_of: MakeWorld, start: bool, extra: str = "") -> tuple[list[Event], int]:
    """The events and the number of paper orders of one run."""
    text = TEXT.replace("START", "true" if start else "false") + extra
    rep = replicate(world_of(text).scenario, 0)
    return rep.events, int(rep.summary["messages"]["on_paper"])


def first(events: list[Event], kind: str) -> float:
    """The time of the first event of a kind."""
    return next(e.time_s for e in events if e.kind == kind)


class TestStartOnAlert:
    def test_the_fallback_starts_at_the_first_alert(self, world_of: MakeWorld) -> None:
        """On at the alert (about 1 h 05 min, before trigger_after), off once the lab answers."""
        events, _ = run(world_of, True)
        alert = first(events, "alert")
        assert alert < 3600 + 1200
        on = [e.time_s for e in events if e.kind == "fallback-on"]
        off = [e.time_s for e in events if e.kind == "fallback-off"]
        assert on == [alert]
        assert len(off) == 1
        assert 3 * 3600 <= off[0] <= 3 * 3600 + 600

    def test_paper_orders_start_earlier_than_with_the_timer(self, world_of: MakeWorld) -> None:
        """With the alert the fallback starts ~15 min sooner: more orders go on paper."""
        on_alert, paper_alert = run(world_of, True)
        on_timer, paper_timer = run(world_of, False)
        assert first(on_alert, "fallback-on") < first(on_timer, "fallback-on") - 600
        assert first(on_timer, "fallback-on") == pytest.approx(3600 + 1200, abs=61)
        # 0.5 x 600/h stat orders go on paper while it is on: ~15 min more is ~75 orders more
        assert paper_alert - paper_timer == pytest.approx(75, abs=35)
        assert paper_timer > 250

    def test_without_an_alert_start_on_alert_never_starts_it(self, world_of: MakeWorld) -> None:
        """`start_on_alert: true` replaces the timer: with no alert on the lab, no fallback."""
        text = TEXT.replace("START", "true").replace("queue: lab", "queue: ehr")
        rep = replicate(world_of(text).scenario, 0)
        assert not [e for e in rep.events if e.kind.startswith("fallback")]
        assert rep.summary["messages"]["on_paper"] == 0

    def test_the_fallback_waits_for_the_alert_to_clear(self, world_of: MakeWorld) -> None:
        """A slow lab still answers (9.5 s a message, 1 every 6 s arrive): switched on by a depth
        alert, the fallback stays on while the alert lasts, not just until the next ACK."""
        slow = TEXT.replace("START", "true").replace("oldest_older_than: 5min", "depth_above: 100")
        slow = slow.replace("{stat: 0.5, routine: 0.5}", "{stat: 0.2, routine: 0.8}")
        slow = slow.replace(
            "{kind: system-outage, target: lab, at: +1h, for: 2h}",
            "{kind: system-slowdown, target: lab, severity: 95, at: +1h, for: 2h}",
        )
        rep = replicate(world_of(slow).scenario, 0)
        on = first(rep.events, "fallback-on")
        off = first(rep.events, "fallback-off")
        assert on == first(rep.events, "alert")
        assert off - on > 3600
