"""When the paper fallback switches an interface on and off (the format's section 9).

The timer's rule: an interface goes on paper at the first sample at which no message has been
ACKed there for `trigger_after` while a message has waited that long.  With `start_on_alert`
the first alert on its queue switches it on instead, and the timer never does.  Either way it
goes back at the first sample at which the interface has answered (an ACK) since it went on and,
when an alert switched it on, no alert on its queue is still active.

Unit tests of `Fallback` with stand-in channels: exact times, one rule at a time.
"""

from __future__ import annotations

from typing import Any

import pytest

from sim.model.fallback import Fallback
from sim.scenario.incidents import Fallback as FallbackSpec

pytestmark = pytest.mark.mutation

AFTER = 1200.0  # trigger_after: 20 min


class Line:
    """A channel as the fallback sees it: its last ACK and its oldest waiting message."""

    def __init__(self, last_ack: float = 0.0, oldest: float | None = None) -> None:
        self.last_ack = last_ack
        self.oldest = oldest
        """When the oldest message still waiting was created (None: none waits)."""

    def oldest_age(self, now: float) -> float:
        return now - self.oldest if self.oldest is not None else 0.0


class Switches:
    """A fallback over a lab and a radiology interface, with every switch it made."""

    def __init__(self, start_on_alert: bool = False, alerting: bool = True) -> None:
        self.lab = Line()
        self.ris = Line()
        self.alerts: set[str] = set()
        """Queues with an alert active now."""
        self.made: list[tuple[str, bool, float]] = []
        spec = FallbackSpec.model_validate(
            {"trigger_after": "20min", "start_on_alert": start_on_alert}
        )
        channels: dict[str, Any] = {"lab": self.lab, "ris": self.ris}
        self.fb = Fallback(
            spec,
            channels,
            lambda sid, on, now: self.made.append((sid, on, now)),
            (lambda sid: sid in self.alerts) if alerting else None,
        )


class TestTimer:
    def test_on_once_no_ack_and_a_waiting_message_for_trigger_after(self) -> None:
        """No ACK since 0 and a message waiting since 0: on at 20 min, not a sample before;
        the other interface, answering, stays off."""
        s = Switches()
        s.lab.oldest = 0.0
        s.ris.oldest, s.ris.last_ack = 0.0, 1100.0
        s.fb.check(AFTER - 60.0)
        assert s.made == []
        s.fb.check(AFTER)
        assert s.made == [("lab", True, AFTER)]
        assert s.fb.active == {"lab"}
        s.fb.check(AFTER + 60.0)
        assert s.made == [("lab", True, AFTER)]

    @pytest.mark.parametrize(("last_ack", "oldest"), [(300.0, 0.0), (0.0, 300.0)])
    def test_exactly_trigger_after_is_enough(self, last_ack: float, oldest: float) -> None:
        """At 25 min: no ACK for exactly 20 min (message waiting 25), or a message waiting
        exactly 20 min (no ACK for 25): either way it is on."""
        s = Switches()
        s.lab.last_ack, s.lab.oldest = last_ack, oldest
        s.fb.check(1500.0)
        assert s.made == [("lab", True, 1500.0)]

    def test_a_recent_ack_keeps_it_off_however_old_the_waiting_message(self) -> None:
        """A message has waited 1 h, but the lab ACKed one 10 min ago: not on paper."""
        s = Switches()
        s.lab.oldest, s.lab.last_ack = 0.0, 3000.0
        s.fb.check(3600.0)
        assert s.made == []
        assert s.fb.active == set()

    def test_nothing_waiting_keeps_it_off_however_long_since_an_ack(self) -> None:
        """No ACK for 1 h, but no order is waiting: not on paper."""
        s = Switches()
        s.fb.check(3600.0)
        assert s.made == []

    def test_off_at_the_first_sample_after_an_ack_since_it_went_on(self) -> None:
        """On at 20 min; samples without a new ACK keep it on; an ACK at 21.5 min turns it off
        at the 22 min sample; the other interface is untouched."""
        s = Switches()
        s.lab.oldest = 0.0
        s.fb.check(AFTER)
        s.fb.check(AFTER + 60.0)
        assert s.fb.active == {"lab"}
        s.lab.last_ack, s.lab.oldest = AFTER + 90.0, None
        s.fb.check(AFTER + 120.0)
        assert s.made == [("lab", True, AFTER), ("lab", False, AFTER + 120.0)]
        assert s.fb.active == set()
        s.fb.check(AFTER + 180.0)
        assert len(s.made) == 2

    @pytest.mark.parametrize("alerting", [True, False])
    def test_the_timer_ignores_alerts(self, alerting: bool) -> None:
        """Without start_on_alert an alert neither switches it on nor keeps it on."""
        s = Switches(alerting=alerting)
        s.alerts = {"lab", "ris"}
        s.fb.alert("lab", 600.0)
        s.fb.alert("ris", 600.0)
        assert s.made == []
        s.lab.oldest = 0.0
        s.fb.check(AFTER)
        s.lab.last_ack = AFTER + 30.0
        s.fb.check(AFTER + 60.0)
        assert s.made == [("lab", True, AFTER), ("lab", False, AFTER + 60.0)]


class TestStartOnAlert:
    def test_the_timer_never_switches_it_on(self) -> None:
        """No ACK for 1 h and a message waiting 1 h, but no alert: not on paper."""
        s = Switches(start_on_alert=True)
        s.lab.oldest = 0.0
        s.fb.check(3600.0)
        assert s.made == []

    def test_on_at_the_first_alert_on_its_queue(self) -> None:
        """An alert at 5 min switches the lab on then; a second alert changes nothing; an alert
        on a queue that is not an interface (the EHR's) switches nothing."""
        s = Switches(start_on_alert=True)
        s.fb.alert("lab", 300.0)
        assert s.made == [("lab", True, 300.0)]
        assert s.fb.active == {"lab"}
        s.fb.alert("lab", 360.0)
        s.fb.alert("ehr", 360.0)
        assert s.made == [("lab", True, 300.0)]
        assert s.fb.active == {"lab"}

    def test_off_once_it_answered_and_its_alert_cleared(self) -> None:
        """On by an alert at 5 min: an ACK at 6 min with the lab's alert still active keeps it
        on (radiology's alert does not matter); at the sample after the lab's alert clears it
        goes off."""
        s = Switches(start_on_alert=True)
        s.alerts = {"lab"}
        s.fb.alert("lab", 300.0)
        s.lab.last_ack = 360.0
        s.fb.check(420.0)
        assert s.fb.active == {"lab"}
        s.alerts = {"ris"}
        s.fb.check(480.0)
        assert s.made == [("lab", True, 300.0), ("lab", False, 480.0)]
        assert s.fb.active == set()

    def test_an_ack_at_the_moment_it_went_on_is_not_an_answer_since(self) -> None:
        """The lab ACKed at 5 min, the instant its alert switched it on: it stays on until an
        ACK after that."""
        s = Switches(start_on_alert=True)
        s.lab.last_ack = 300.0
        s.fb.alert("lab", 300.0)
        s.fb.check(360.0)
        assert s.fb.active == {"lab"}
        s.lab.last_ack = 361.0
        s.fb.check(420.0)
        assert s.made == [("lab", True, 300.0), ("lab", False, 420.0)]
