"""The retry policy on its own: every backoff and jitter kind's wait, and when sends run out.

The contract (`strategy.retry`): `immediate`, `fixed` (every `first`), `exponential`
(`first`·2ⁿ up to `cap`); jitter `none`, `full`, `equal` or `decorrelated`; `attempts` sends
before `then` applies (unlimited by default).  The uniform draws are scripted, so every wait
is exact.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.flows import FlowRuntime
from sim.model.message import Message
from sim.rng import Sampler
from sim.scenario.schema import Retry
from sim.strategies.retry import RetryPolicy

pytestmark = pytest.mark.mutation


def draws(*values: float) -> Sampler:
    """A uniform sampler that hands out `values` in turn, over and over."""
    return Sampler(lambda n: np.resize(np.array(values or (0.5,)), n))


def policy(uniform: Sampler | None = None, **spec: object) -> RetryPolicy:
    return RetryPolicy(Retry.model_validate(spec), uniform or draws())


def message(tries: int = 0) -> Message:
    m = Message(0, FlowRuntime("orders", None, medcom=False), 0, patient=1, created=0.0)
    m.tries = tries
    return m


def waits(p: RetryPolicy, m: Message, sends: int) -> list[float]:
    """The waits after each of `sends` failed sends of one message, in turn."""
    out = []
    for _ in range(sends):
        m.tries += 1
        out.append(p.delay(m))
    return out


class TestBackoff:
    @pytest.mark.parametrize(
        ("backoff", "expected"),
        [
            ("immediate", [0.0, 0.0, 0.0, 0.0, 0.0]),
            ("fixed", [2.0, 2.0, 2.0, 2.0, 2.0]),
            ("exponential", [2.0, 4.0, 8.0, 10.0, 10.0]),
        ],
    )
    def test_waits_without_jitter(self, backoff: str, expected: list[float]) -> None:
        """`first: 2s, cap: 10s`: immediate never waits, fixed waits `first`, exponential
        doubles from `first` after each failed send and stops at `cap`."""
        p = policy(backoff=backoff, first="2s", cap="10s")
        assert waits(p, message(), 5) == expected

    def test_exponential_after_many_failures_stays_at_the_cap(self) -> None:
        p = policy(backoff="exponential", first="2s", cap="10s")
        assert p.delay(message(tries=500)) == 10.0


class TestJitter:
    def test_full_jitter_draws_between_0_and_the_backoff(self) -> None:
        p = policy(draws(0.25, 0.75), backoff="exponential", first="4s", cap="1min", jitter="full")
        assert waits(p, message(), 2) == [1.0, 6.0]

    def test_equal_jitter_keeps_half_and_draws_the_other_half(self) -> None:
        p = policy(draws(0.0, 1.0), backoff="exponential", first="4s", cap="1min", jitter="equal")
        assert waits(p, message(), 2) == [2.0, 8.0]

    def test_decorrelated_jitter_draws_from_first_to_three_times_the_last_wait(self) -> None:
        """AWS's decorrelated jitter: the first wait is drawn from [first, 3·first], each next
        one from [first, 3·previous wait], never above `cap`; the backoff kind is not used."""
        p = policy(
            draws(0.5, 0.5, 1.0, 0.0),
            backoff="exponential",
            first="2s",
            cap="30s",
            jitter="decorrelated",
        )
        m = message()
        # 2 + (6 - 2)·0.5 = 4; 2 + (12 - 2)·0.5 = 7; min(30, 2 + (21 - 2)·1) = 21; then 2
        assert waits(p, m, 4) == [4.0, 7.0, 21.0, 2.0]
        assert m.extra == 2.0

    def test_decorrelated_jitter_is_capped(self) -> None:
        p = policy(draws(1.0, 1.0), backoff="fixed", first="4s", cap="20s", jitter="decorrelated")
        assert waits(p, message(), 2) == [12.0, 20.0]

    def test_each_message_has_its_own_last_wait(self) -> None:
        """The previous wait is the message's own: another's long wait does not stretch it."""
        p = policy(draws(1.0, 1.0, 1.0), first="2s", cap="1h", jitter="decorrelated")
        a, b = message(), message()
        assert waits(p, a, 2) == [6.0, 18.0]
        assert waits(p, b, 1) == [6.0]


class TestAttempts:
    def test_unlimited_attempts_never_run_out(self) -> None:
        p = policy()
        assert p.attempts is None
        assert not p.exhausted(message(tries=10_000))

    @pytest.mark.parametrize(("tries", "out"), [(0, False), (2, False), (3, True), (4, True)])
    def test_a_message_runs_out_after_attempts_sends(self, tries: int, out: bool) -> None:
        p = policy(attempts=3, then="park")
        assert p.exhausted(message(tries=tries)) is out
        assert p.then == "park"
