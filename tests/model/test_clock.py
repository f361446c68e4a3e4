"""The clock: callbacks run in (time, id) order, whether they waited on the heap or in a bucket."""

from __future__ import annotations

import heapq

import pytest
import simpy
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model.clock import WINDOW, Clock, ClockWentBack

DELAYS = st.one_of(
    st.floats(min_value=0.0, max_value=5.0),
    st.floats(min_value=0.0, max_value=20 * WINDOW),
    st.sampled_from([0.0, WINDOW, 2 * WINDOW, WINDOW - 1e-9]),
)


class TestOrder:
    @settings(max_examples=100, deadline=None)
    @given(
        first=st.lists(DELAYS, min_size=1, max_size=40),
        later=st.lists(st.tuples(st.integers(0, 39), DELAYS), max_size=40),
        stops=st.lists(st.floats(min_value=1.0, max_value=25 * WINDOW), max_size=4),
    )
    def test_same_order_as_one_heap(
        self,
        first: list[float],
        later: list[tuple[int, float]],
        stops: list[float],
    ) -> None:
        """Callbacks, some scheduled by other callbacks, run as a single heap would run them,
        and none runs at or after the `until` of its run_until."""
        clock = Clock(simpy.Environment())
        ran: list[tuple[float, int]] = []
        expected: list[tuple[float, int, int]] = []  # (time, id, label): the reference heap
        spawned = dict(later)

        def fire(label: int) -> None:
            ran.append((clock.now, label))
            if label in spawned:
                delay = spawned.pop(label)
                eid = clock.call_in(delay, fire, 1000 + label)
                heapq.heappush(expected, (clock.now + delay, eid, 1000 + label))

        for i, delay in enumerate(first):
            eid = clock.call_in(delay, fire, i)
            heapq.heappush(expected, (delay, eid, i))
        reference: list[tuple[float, int]] = []
        for until in [*sorted(stops), float("inf")]:
            before = len(ran)
            clock.run_until(until)
            assert all(t < until for t, _ in ran[before:])
            while expected and expected[0][0] < until:
                t, _eid, label = heapq.heappop(expected)
                reference.append((t, label))  # `fire` pushed what it scheduled, as it ran
            assert ran == reference
            assert clock.env.now == clock.now
        assert clock.pending() == 0

    def test_far_callbacks_wait_in_buckets_not_on_the_heap(self) -> None:
        """A callback hours ahead does not deepen the heap until its window comes."""
        env = simpy.Environment()
        clock = Clock(env)
        for i in range(1000):
            clock.call_in(3600.0 + i, lambda _v: None, None)
        clock.call_in(1.0, lambda _v: None, None)
        assert clock.pending() == 1001
        assert clock.waiting_in_buckets() == 1000
        clock.run_until(3600.0 + 30.5)
        assert clock.pending() == 1000 - 31
        assert clock.waiting_in_buckets() < 1000 - 31
        assert clock.now == env.now == 3630.5

    def test_events_at_until_are_left_for_later(self) -> None:
        """As with SimPy's env.run(until=...), an event at exactly `until` does not run yet."""
        clock = Clock(simpy.Environment())
        ran: list[float] = []
        clock.call_in(10.0, lambda _v: ran.append(clock.now), None)
        clock.call_in(10.0 * WINDOW, lambda _v: ran.append(clock.now), None)
        clock.run_until(10.0)
        assert ran == [] and clock.now == 10.0
        clock.run_until(10.0 * WINDOW)
        assert ran == [10.0]
        clock.run_until(10.0 * WINDOW + 1)
        assert ran == [10.0, 10.0 * WINDOW]

    def test_simpy_events_and_callbacks_interleave_by_time(self) -> None:
        """SimPy's own timeouts share the heap: a process and callbacks see one timeline."""
        env = simpy.Environment()
        clock = Clock(env)
        seen: list[tuple[str, float]] = []

        def process():  # type: ignore[no-untyped-def]
            for _ in range(3):
                yield env.timeout(100.0)
                seen.append(("process", env.now))

        env.process(process())
        for t in (50.0, 150.0, 250.0, 5000.0):
            clock.call_in(t, lambda v: seen.append(("callback", v)), t)
        clock.run_until(6000.0)
        assert [t for _, t in seen] == [50.0, 100.0, 150.0, 200.0, 250.0, 300.0, 5000.0]

    def test_a_callback_in_the_past_is_caught(self) -> None:
        """Time never runs backwards: a negative delay raises when its turn comes."""
        clock = Clock(simpy.Environment())
        clock.run_until(500.0)
        clock.call_in(-5.0, lambda _v: None, None)
        with pytest.raises(ClockWentBack, match="came after 500"):
            clock.run_until(1000.0)

    def test_ties_between_simpy_events_and_callbacks_follow_their_ids(self) -> None:
        """At one instant, SimPy's urgent events go first, then everything in scheduling
        order, as on one SimPy heap of (time, priority, id)."""
        env = simpy.Environment()
        clock = Clock(env)
        seen: list[str] = []
        clock.call_in(10.0, lambda _v: seen.append("call 1"), None)
        env.timeout(10.0).callbacks.append(lambda _e: seen.append("timeout"))  # type: ignore[union-attr]
        clock.call_in(10.0, lambda _v: seen.append("call 2"), None)

        def process():  # type: ignore[no-untyped-def]
            seen.append("process starts")  # its start is URGENT
            yield env.timeout(0.0)  # NORMAL, so after "call 3"
            seen.append("process goes on")

        def start(_v: object) -> None:
            seen.append("start")
            env.process(process())

        clock.call_in(20.0, start, None)
        clock.call_in(20.0, lambda _v: seen.append("call 3"), None)
        clock.run_until(30.0)
        assert seen == [
            "call 1", "timeout", "call 2", "start", "process starts", "call 3", "process goes on"
        ]  # fmt: skip
