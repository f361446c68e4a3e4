"""What a failed send leads to: retry with backoff, park, dead-letter."""

from __future__ import annotations

import pytest

from sim.model.message import Message
from sim.rng import Sampler
from sim.scenario.schema import Retry
from sim.strategies.retry import RetryPolicy
from tests.model.conftest import MakeWorld

pytestmark = pytest.mark.mutation

OUTAGE = """
name: outage
horizon: 2h
flows:
  orders: {from: ehr, to: lab, rate: 60/h}
systems:
  lab: {ack: constant(100ms), timeout: 5s}
faults:
  - {kind: system-outage, target: lab, at: +30min, for: 20min}
"""


class TestRetryPaths:
    def test_unlimited_retry_delivers_everything_after_the_outage(
        self, world_of: MakeWorld
    ) -> None:
        """With unlimited retries every message is delivered once the system is back."""
        w = world_of(OUTAGE, sets=["strategy.retry={backoff: fixed, first: 10s}"]).run()
        assert w.count.dead_lettered == 0
        assert w.count.outstanding <= 3
        assert w.count.sends > w.count.delivered  # the retries

    def test_attempts_then_dead_letter(self, world_of: MakeWorld) -> None:
        """Messages that fail `attempts` sends go to the dead-letter queue."""
        w = world_of(
            OUTAGE, sets=["strategy.retry={backoff: fixed, first: 10s, attempts: 3}"]
        ).run()
        assert w.count.dead_lettered > 10
        # each dead-lettered message was sent exactly three times
        assert w.count.sends >= w.count.delivered + 3 * w.count.dead_lettered

    def test_attempts_then_park_rejoins_the_queue_and_delivers(self, world_of: MakeWorld) -> None:
        """Parked messages go back to the queue after `first` and are delivered later."""
        w = world_of(
            OUTAGE,
            sets=["strategy.retry={backoff: fixed, first: 30s, attempts: 2, then: park}"],
        ).run()
        assert w.count.dead_lettered == 0
        assert w.count.delivered >= w.count.created - 3

    def test_timeout_reply_can_dead_letter_at_once(self, world_of: MakeWorld) -> None:
        """`on_reply: {timeout: dead-letter}` gives a timed-out message up on its first send."""
        w = world_of(OUTAGE, sets=["strategy.on_reply.timeout=dead-letter"]).run()
        assert w.count.dead_lettered == pytest.approx(20, abs=12)  # ~1/min for 20 min
        assert w.count.sends == w.count.delivered + w.count.dead_lettered


class TestBackoff:
    @pytest.fixture(autouse=True)
    def _flow(self, world_of: MakeWorld) -> None:
        self.flow = next(iter(world_of(OUTAGE).flows.values()))

    def _policy(self, **kw: object) -> RetryPolicy:
        spec = Retry.model_validate(kw)
        return RetryPolicy(spec, Sampler(lambda n: __import__("numpy").full(n, 0.5)))

    def _msg(self, tries: int) -> Message:
        m = Message(0, self.flow, 0, 0, 0.0)
        m.tries = tries
        return m

    def test_exponential_doubles_up_to_the_cap(self) -> None:
        """Exponential backoff waits first, 2x first, 4x first ... but never more than cap."""
        p = self._policy(backoff="exponential", first="1s", cap="5s")
        assert [p.delay(self._msg(n)) for n in (1, 2, 3, 4, 10)] == [1, 2, 4, 5, 5]

    def test_full_jitter_scales_by_a_uniform_draw(self) -> None:
        """Full jitter draws the wait uniformly between 0 and the backoff."""
        p = self._policy(backoff="exponential", first="2s", cap="1min", jitter="full")
        assert p.delay(self._msg(3)) == pytest.approx(8 * 0.5)

    def test_equal_jitter_keeps_half(self) -> None:
        """Equal jitter waits half the backoff plus a uniform share of the other half."""
        p = self._policy(backoff="fixed", first="10s", jitter="equal")
        assert p.delay(self._msg(1)) == pytest.approx(5 + 2.5)

    def test_attempts_exhaust(self) -> None:
        """A message has used up its sends after `attempts` tries."""
        p = self._policy(attempts=3)
        assert not p.exhausted(self._msg(2))
        assert p.exhausted(self._msg(3))
