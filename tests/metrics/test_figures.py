"""Summary figures on small deterministic worlds, exactly: `peak_at_s`, `backlog_hours`, the
`above` hypothesis, and the warm-up's exclusion from latency, wait and order-to-result."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from sim import load_scenario, run

pytestmark = pytest.mark.mutation

BATCHES = """\
name: batches
horizon: 1h
flows:
  orders: {from: ehr, to: lab, trace: t.csv}
systems:
  lab: {ack: constant(10s), timeout: 1h}
engine: {cores: 4, transform: constant(1ms)}
"""


def summary_of(tmp_path: Path, text: str, trace: Sequence[float], sets: Sequence[str] = ()) -> Any:
    """summary.json's figures of one run of `text` with orders created at the `trace` times."""
    rows = "".join(f"{t},routine,{i + 1}\n" for i, t in enumerate(trace))
    (tmp_path / "t.csv").write_text("time,priority,patient\n" + rows)
    (tmp_path / "s.yaml").write_text(text)
    return run(load_scenario(tmp_path / "s.yaml", sets=sets)).summary


class TestBacklogFigures:
    TRACE = (0.0, 1.0, 2.0, 35.0, 36.0, 37.0, 38.0, 100.0, 101.0, 102.0, 103.0)

    def test_peak_at_is_when_the_peak_was_first_reached(self, tmp_path: Path) -> None:
        """The lab's backlog peaks at 4 at 38 s (exact time, not a sample) and again at 103 s.

        One connection busy 10 s a message: three orders at 0-2 s wait, then four at 35-38 s
        (the peak, 4), then four at 100-103 s (4 again); the first time counts.
        """
        summary = summary_of(tmp_path, BATCHES, self.TRACE)
        lab = summary["queues"]["lab"]
        assert lab["peak_backlog"] == 4
        assert lab["peak_at_s"] == 38.0
        assert summary["peak_backlog"] == 4

    def test_backlog_hours_is_the_area_under_the_exact_backlog(self, tmp_path: Path) -> None:
        """backlog_hours is the integral of the backlog over time, in message-hours.

        Each batch of n messages, created 1 s apart and each leaving 10 s after the one before
        (the first 10.001 s after its creation), holds 1 + 2 + ... message-seconds while it
        arrives and then n, n-1, ..., 1 for 10 s each: for the three at 0-2 s
        1 + 2 + 3 x 8.001 + 2 x 10 + 1 x 10 = 57.003; for each batch of four
        1 + 2 + 3 + 4 x 7.001 + 3 x 10 + 2 x 10 + 1 x 10 = 94.004.
        """
        summary = summary_of(tmp_path, BATCHES, self.TRACE)
        area = 57.003 + 2 * 94.004
        assert summary["queues"]["lab"]["backlog_hours"] == pytest.approx(area / 3600, abs=1e-6)

    def test_the_wait_is_the_queueing_delay_per_message(self, tmp_path: Path) -> None:
        """wait_s: time from the transform to the successful send's start, mean over messages.

        In each batch the k-th message (k = 0, 1, ...) waits 10 k - k = 9 k s: (0 + 9 + 18)
        for the first batch, (0 + 9 + 18 + 27) for each of the next two: 135 s over 11.
        """
        summary = summary_of(tmp_path, BATCHES, self.TRACE)
        assert summary["queues"]["lab"]["wait_s"]["mean"] == pytest.approx(135 / 11, abs=1e-6)
        assert summary["queues"]["lab"]["wait_s"]["p95"] == pytest.approx(27.0, rel=0.01)


class TestAboveHypothesis:
    def test_above_passes_only_strictly_above_and_never_on_null(self, tmp_path: Path) -> None:
        """`above: x` passes when the figure is > x: 11 delivered passes above 10, fails above
        11; a null figure (no fault, so no recovery time) fails it."""
        text = BATCHES + (
            "hypotheses:\n"
            "  - {metric: messages.delivered, above: 10}\n"
            "  - {metric: messages.delivered, above: 11}\n"
            "  - {metric: recovery_time_s, above: 0s}\n"
        )
        summary = summary_of(tmp_path, text, TestBacklogFigures.TRACE)
        assert summary["messages"]["delivered"] == 11
        assert summary["hypotheses"] == [
            {"metric": "messages.delivered", "above": 10, "value": 11, "passed": True},
            {"metric": "messages.delivered", "above": 11, "value": 11, "passed": False},
            {"metric": "recovery_time_s", "above": 0.0, "value": None, "passed": False},
        ]


WARM = """\
name: warm
horizon: 1h
warmup: 10min
flows:
  orders: {from: ehr, to: lab, trace: t.csv, reply: {flow: results, after: constant(1min)}}
  results: {from: lab, to: ehr}
systems:
  lab: {ack: constant(2s), timeout: 1h}
  ehr: {ack: constant(1s), timeout: 1h}
engine: {cores: 1, transform: constant(100ms)}
"""


class TestWarmup:
    TRACE = (0.0, 0.5, 599.5, 700.0, 700.5)

    def test_messages_created_before_the_warmup_are_left_out(self, tmp_path: Path) -> None:
        """Latency, wait and order-to-result count only messages created after the warm-up.

        Orders at 0 and 0.5 s (the second waits 1.5 s for the connection) and at 599.5 s
        (delivered after the warm-up, at 601.6 s) are left out; those at 700 and 700.5 s take
        2.1 s and 3.6 s (the second waits 1.5 s): latency mean 2.85 s, wait mean 0.75 s.  Their
        results are created 1 min after delivery and take 1.1 s to the EHR: order-to-result
        63.2 s and 64.7 s.  The result of the order of 599.5 s is created after the warm-up and
        counts in the results' latency: three results, 1.1 s each.
        """
        summary = summary_of(tmp_path, WARM, self.TRACE)
        orders = summary["latency_s"]["orders"]["routine"]
        assert orders["count"] == 2
        assert orders["mean"] == pytest.approx((2.1 + 3.6) / 2, abs=1e-6)
        assert orders["max"] == pytest.approx(3.6, abs=1e-6)
        results = summary["latency_s"]["results"]["routine"]
        assert results["count"] == 3
        assert results["mean"] == pytest.approx(1.1, abs=1e-6)
        wait = summary["queues"]["lab"]["wait_s"]
        assert wait["mean"] == pytest.approx(0.75, abs=1e-6)
        o2r = summary["order_to_result_s"]["orders"]["routine"]
        assert o2r["count"] == 2
        assert o2r["mean"] == pytest.approx((63.2 + 64.7) / 2, abs=1e-6)
        assert summary["messages"]["delivered"] == 10  # every message is still delivered

    def test_without_a_warmup_every_message_counts(self, tmp_path: Path) -> None:
        """The same world with `warmup: 0s` counts all five orders and their results."""
        summary = summary_of(tmp_path, WARM, self.TRACE, sets=["warmup=0s"])
        orders = summary["latency_s"]["orders"]["routine"]
        assert orders["count"] == 5
        assert orders["mean"] == pytest.approx((2.1 + 3.6 + 2.1 + 2.1 + 3.6) / 5, abs=1e-6)
        assert summary["queues"]["lab"]["wait_s"]["mean"] == pytest.approx(3.0 / 5, abs=1e-6)
        assert summary["order_to_result_s"]["orders"]["routine"]["count"] == 5
