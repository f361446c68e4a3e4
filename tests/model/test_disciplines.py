"""The queue disciplines on their own: which message goes next, counts, removal and parameters.

The contract (`strategy.discipline`) defines each discipline's order; these tests drive the
classes directly with hand-made messages, so every push, pop and removal is exact.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from sim.model.flows import FlowRuntime
from sim.model.message import Message
from sim.scenario.params import DISCIPLINES as PARAMS
from sim.strategies.disciplines import CoDel, Discipline, Fair, Fifo, Lifo, Priority

pytestmark = pytest.mark.mutation

STAT, URGENT, ROUTINE = 0, 1, 2


def msg(
    uid: int, flow: str = "a", cls: int = ROUTINE, *, enq_at: float = 0.0, result: bool = False
) -> Message:
    m = Message(uid, FlowRuntime(flow, None, medcom=False), cls, patient=uid, created=0.0)
    m.enq_at = enq_at
    if result:
        m.order = msg(-uid)
    return m


def drain(d: Discipline) -> list[int]:
    out = []
    while (m := d.pop()) is not None:
        out.append(m.uid)
    return out


def fill(d: Discipline, messages: Iterable[Message]) -> Discipline:
    for m in messages:
        d.push(m)
    return d


@pytest.mark.parametrize("cls", [Fifo, Lifo, Priority, CoDel, Fair])
def test_empty_discipline_pops_none_and_counts_zero(cls: type[Discipline]) -> None:
    d = cls({})
    assert d.pop() is None
    assert len(d) == 0
    assert list(d) == []


@pytest.mark.parametrize("cls", [Fifo, Lifo, Priority, CoDel, Fair])
def test_every_discipline_gives_back_what_it_holds(cls: type[Discipline]) -> None:
    d = fill(cls({}), [msg(i, flow="ab"[i % 2], cls=i % 3) for i in range(1, 8)])
    assert len(d) == 7
    assert sorted(m.uid for m in d) == list(range(1, 8))
    assert sorted(drain(d)) == list(range(1, 8))
    assert len(d) == 0 and d.pop() is None


def test_fifo_and_lifo_orders() -> None:
    assert drain(fill(Fifo({}), [msg(i) for i in (1, 2, 3)])) == [1, 2, 3]
    assert drain(fill(Lifo({}), [msg(i) for i in (1, 2, 3)])) == [3, 2, 1]


def test_priority_by_class_fifo_within_and_results_first() -> None:
    # without results_first (the default) a result waits its class's turn like an order
    plain = fill(
        Priority({}),
        [
            msg(1, cls=ROUTINE),
            msg(2, cls=ROUTINE, result=True),
            msg(3, cls=URGENT),
            msg(4, cls=STAT),
        ],
    )
    assert drain(plain) == [4, 3, 1, 2]
    # results_first: results to the EHR go before orders of any class; results and orders each
    # by class among themselves
    first = Priority({"results_first": True})
    fill(
        first,
        [
            msg(1, cls=URGENT),
            msg(2, cls=ROUTINE, result=True),
            msg(3, cls=STAT),
            msg(4, cls=STAT, result=True),
        ],
    )
    assert drain(first) == [4, 2, 3, 1]


@pytest.mark.parametrize("cls", [Fifo, Priority, Fair])
def test_remove_where_takes_matching_and_keeps_count(cls: type[Discipline]) -> None:
    d = fill(cls({}), [msg(i, flow="ab"[i % 2]) for i in range(1, 7)])
    gone = d.remove_where(lambda m: m.uid % 3 == 0)
    assert sorted(m.uid for m in gone) == [3, 6]
    assert len(d) == 4
    assert sorted(drain(d)) == [1, 2, 4, 5]
    assert len(d) == 0


def test_codel_defaults_are_the_formats() -> None:
    d = CoDel({})
    assert (d.target, d.interval) == (PARAMS["codel"]["target"][1], PARAMS["codel"]["interval"][1])
    assert (d.target, d.interval) == (5.0, 60.0)


def codel(now: list[float], shed: list[int], **params: Any) -> CoDel:
    d = CoDel(params)
    d.bind(lambda: now[0], lambda m: shed.append(m.uid))
    return d


def test_codel_sheds_only_after_a_whole_interval_above_target() -> None:
    now, shed = [100.0], []
    d = codel(now, shed, target=5.0, interval=60.0)
    fill(d, [msg(i, enq_at=0.0) for i in range(1, 5)])
    assert d.pop().uid == 1  # type: ignore[union-attr]  # above target since now: not yet standing
    now[0] = 159.0
    assert d.pop().uid == 2  # type: ignore[union-attr]  # 59 s above: still within the interval
    now[0] = 160.0
    assert d.pop() is None  # a whole interval above: 3 and 4 waited 160 s, both shed
    assert shed == [3, 4]


def test_codel_waiting_exactly_target_is_not_above() -> None:
    now, shed = [0.0], []
    d = codel(now, shed, target=5.0, interval=1.0)
    fill(d, [msg(1, enq_at=0.0), msg(2, enq_at=5.0), msg(3, enq_at=5.0)])
    now[0] = 6.0
    assert d.pop().uid == 1  # type: ignore[union-attr]  # 6 s: above, starts the clock
    now[0] = 10.0
    assert d.pop().uid == 2  # type: ignore[union-attr]  # exactly 5 s: not longer than target
    now[0] = 10.5
    assert d.pop().uid == 3  # type: ignore[union-attr]  # the clock restarted at 2
    assert shed == []


def test_fair_weights_give_sends_per_round() -> None:
    d = Fair({"weights": {"heavy": 2}})
    fill(
        d,
        [msg(i, flow="heavy") for i in range(1, 7)] + [msg(i, flow="light") for i in range(11, 15)],
    )
    assert drain(d) == [1, 2, 11, 3, 4, 12, 5, 6, 13, 14]


def test_fair_half_weight_sends_every_other_round() -> None:
    d = Fair({"weights": {"slow": 0.5}})
    fill(
        d, [msg(i, flow="slow") for i in range(1, 4)] + [msg(i, flow="fast") for i in range(11, 16)]
    )
    # slow's deficit grows 0.5 a round: it sends in rounds 2, 4 and 6, ahead of fast's send
    assert drain(d) == [11, 1, 12, 13, 2, 14, 15, 3]


def test_fair_passes_a_short_flow_on_to_the_next_in_line() -> None:
    """Three flows in line a, b, c; a (weight 0.5) has too little deficit in its first round,
    so the turn passes to b, then c (the line turns forward, never back), then a."""
    d = Fair({"weights": {"a": 0.5}})
    fill(d, [msg(1, flow="a"), msg(2, flow="b"), msg(3, flow="c")])
    fill(d, [msg(4, flow="a"), msg(5, flow="b"), msg(6, flow="c")])
    assert drain(d) == [2, 3, 1, 5, 6, 4]


def test_fair_flow_that_empties_and_returns_starts_afresh() -> None:
    d = Fair({})
    fill(d, [msg(1, flow="a"), msg(2, flow="b")])
    assert d.pop().uid == 1  # type: ignore[union-attr]
    d.push(msg(3, flow="a"))  # a rejoins behind b
    assert drain(d) == [2, 3]


def test_fair_remove_where_drops_an_emptied_flow_from_the_rounds() -> None:
    d = Fair({})
    fill(d, [msg(1, flow="a"), msg(2, flow="b"), msg(3, flow="a"), msg(4, flow="c")])
    assert d.pop().uid == 1  # type: ignore[union-attr]
    gone = d.remove_where(lambda m: m.flow.id == "b")
    assert [m.uid for m in gone] == [2]
    assert len(d) == 2
    assert drain(d) == [4, 3]  # a spent this round's quantum on 1: c goes first
    d.push(msg(5, flow="b"))
    assert drain(d) == [5]
