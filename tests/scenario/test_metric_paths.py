"""Hypotheses name metrics by their whole path, checked against the scenario's systems and flows."""

from __future__ import annotations

import pytest

from sim.metrics.registry import expand_metrics, metric_problem
from sim.scenario import ScenarioError, load_scenario, validate_paths

from .conftest import TINY, Write, messages

SYSTEMS = ("lab", "ehr")
FLOWS = ("orders", "results")
ORDERS = ("orders",)


def hypothesis(write: Write, metric: str, text: str = TINY) -> list[str]:
    """The problems of TINY with one hypothesis on `metric` (its metric key is on line 10)."""
    path = write("s.yaml", text + f"hypotheses:\n  - metric: {metric}\n    below: 10\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return messages(caught.value)


class TestScenarioPaths:
    def test_misspelt_figure_of_a_destination(self, write: Write) -> None:
        """queues.lab.peak_backlogg is refused at the metric key's line, with the right name."""
        [line] = hypothesis(write, "queues.lab.peak_backlogg")
        assert line.endswith(
            ":10: hypotheses.0.metric: unknown metric 'queues.lab.peak_backlogg': queues.lab has "
            "no 'peak_backlogg' (there: peak_backlog, peak_at_s, "
            "oldest_age_s, backlog_hours, wait_s, recovery_time_s); did you mean "
            "'queues.lab.peak_backlog'?"
        )

    def test_misspelt_destination(self, write: Write) -> None:
        """queues.labs.peak_backlog names the destinations there are, and the likely one."""
        [line] = hypothesis(write, "queues.labs.peak_backlog")
        assert line.endswith(
            ":10: hypotheses.0.metric: unknown metric 'queues.labs.peak_backlog': 'labs' is not "
            "a destination system of its flows (there: lab, ehr); did "
            "you mean 'queues.lab.peak_backlog'?"
        )

    def test_a_system_no_flow_goes_to(self, write: Write) -> None:
        """A system under 'systems' that receives no flow has no queue figures."""
        text = TINY + "  ris: {ack: constant(50ms)}\n"
        [line] = hypothesis(write, "queues.ris.peak_backlog", text)
        assert "'ris' is not a destination system of its flows (there: lab, ehr)" in line

    def test_flow_class_and_figure_of_latency(self, write: Write) -> None:
        """A misspelt flow, class or figure of latency_s each say which part is wrong."""
        [flow] = hypothesis(write, "latency_s.order.stat.p95")
        assert flow.endswith(
            "unknown metric 'latency_s.order.stat.p95': 'order' is not a "
            "flow (there: orders, results); did you mean 'latency_s.orders.stat.p95'?"
        )
        [cls] = hypothesis(write, "latency_s.orders.stats.p95")
        assert "'stats' is not a priority class (there: stat, urgent, routine)" in cls
        [fig] = hypothesis(write, "latency_s.orders.stat.p90")
        assert "latency_s.orders.stat has no 'p90' (there: count, mean, p50, p95, p99, max)" in fig

    def test_order_to_result_of_a_flow_without_replies(self, write: Write) -> None:
        """order_to_result_s exists only for flows with a reply."""
        [line] = hypothesis(write, "order_to_result_s.results.routine.p95")
        assert (
            "'results' is not a flow with replies (order-to-result figures exist only for "
            "those: orders)"
        ) in line

    def test_incomplete_and_too_long_paths(self, write: Write) -> None:
        """A path that stops at a mapping or runs past a figure is refused too."""
        [short] = hypothesis(write, "queues.lab")
        assert "queues.lab is a group of figures, not one; name one of them (peak_backlog" in short
        [long] = hypothesis(write, "queues.lab.peak_backlog.mean")
        assert "queues.lab.peak_backlog is a figure; it has no 'mean'" in long

    def test_whole_paths_that_exist_pass(self, write: Write) -> None:
        """Every per-destination and per-flow figure the scenario has is accepted."""
        for metric in (
            "queues.ehr.wait_s.p95",
            "queues.lab.recovery_time_s",
            "latency_s.results.routine.max",
            "order_to_result_s.orders.stat.late",
            "order_to_result_all_s.urgent.count",
            "lost_by_flow.results",
        ):
            path = write("s.yaml", TINY + f"hypotheses:\n  - {{metric: {metric}, below: 5}}\n")
            assert load_scenario(path).hypotheses[0].metric == metric

    def test_a_partial_file_is_not_checked(self, write: Write) -> None:
        """A topology may state hypotheses on flows the extending file defines."""
        path = write(
            "part.yaml",
            "partial: true\nhypotheses:\n  - {metric: queues.lab.peak_backlog, below: 5}\n",
        )
        assert validate_paths([path]) == [None]


class TestRegistry:
    def test_expand_fills_every_placeholder(self) -> None:
        """The expanded names hold every system's and flow's figures, and no placeholder."""
        names = expand_metrics(SYSTEMS, FLOWS, ORDERS)
        assert "queues.ehr.wait_s.mean" in names and "lost_by_flow.results" in names
        assert "order_to_result_s.orders.routine.pending" in names
        assert not any("order_to_result_s.results" in n for n in names)
        assert not any("<" in n for n in names)

    def test_problem_is_none_for_a_known_path(self) -> None:
        """A fixed metric and a whole per-destination path have no problem."""
        assert metric_problem("late.stat", SYSTEMS, FLOWS, ORDERS) is None
        assert metric_problem("queues.lab.wait_s.p95", SYSTEMS, FLOWS, ORDERS) is None
        assert metric_problem("queues.lab.wait_s.p90", SYSTEMS, FLOWS, ORDERS) == (
            "unknown metric 'queues.lab.wait_s.p90': queues.lab.wait_s has no "
            "'p90' (there: mean, p95); did you mean 'queues.lab.wait_s.p95'?"
        )
