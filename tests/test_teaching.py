"""The teaching helpers the notebooks draw with (sim/teaching): the world diagram, the fluid
model per channel, and the results folder's figures in memory."""

from __future__ import annotations

import pytest

import sim
from sim.teaching import figures
from sim.teaching.fluid import engine_stall, stall_fluid
from sim.teaching.world import world_diagram, world_figure


class TestWorldDiagram:
    def test_boxes_come_from_the_scenario(self) -> None:
        """Every sender and destination of the flows is a box, with its daily volume, its
        connections, order and load; the faults are sentences."""
        diagram = world_diagram(sim.load_scenario("small-plug"))
        assert [b.system for b in diagram.senders] == ["ehr", "lab", "ris"]
        assert [b.system for b in diagram.channels] == ["lab", "ehr", "ris", "medcom"]
        lab = diagram.channels[0]
        assert lab.flows == ("lab-orders",)
        assert lab.per_day == pytest.approx(0.4 * 86_400)
        assert "1 connection, strict order" in lab.detail
        assert diagram.senders[0].per_day == pytest.approx((0.4 + 0.1 + 0.15) * 86_400)
        assert len(diagram.faults) == 1 and "09:00 to Wed 11:00" in diagram.faults[0]

    def test_a_change_to_the_scenario_changes_the_drawing(self) -> None:
        """Drawn from the resolved scenario: more connections, another order, another box."""
        scenario = sim.load_scenario(
            "small-plug", sets=["strategy.order=per-patient", "systems.lab.connections=3"]
        )
        fig = world_figure(scenario)
        gids = {p.get_gid() for ax in fig.axes for p in ax.patches}
        assert {"engine", "sender:ehr", "channel:lab", "in:lab", "out:medcom"} <= gids
        texts = " ".join(t.get_text() for ax in fig.axes for t in ax.texts)
        assert "3 connections, per-patient order" in texts


class TestStallFluid:
    def test_the_fluid_model_of_one_channel(self) -> None:
        """theory/stall's header: λ·T = 2 × 1200 = 2,400 messages, drained in 1,200 s."""
        model = stall_fluid(sim.load_scenario("theory/stall"))["server"]
        assert model.backlog == pytest.approx(2400.0)
        assert model.capacity == pytest.approx(4.0)
        assert model.drain_s == pytest.approx(1200.0)
        assert not model.replies

    def test_a_daily_profile_is_integrated_over_the_stall_hours(self) -> None:
        """December's Labka orders follow the lab profile: the stall's 7 hours hold more than
        7/24 of the day's orders (the morning peak), and results are marked as left out."""
        december = sim.load_scenario("december-2017")
        model = stall_fluid(december)
        daily = december.flows["lab-orders"].rate * 86_400  # type: ignore[operator]
        assert model["labka"].backlog > daily * 7 / 24
        assert model["ehr"].replies and not model["labka"].replies

    def test_a_scenario_without_a_stall_is_refused(self) -> None:
        with pytest.raises(ValueError, match="no engine stall"):
            engine_stall(sim.load_scenario("theory/mm1"))


def test_the_run_and_comparison_figures_draw() -> None:
    """Each helper returns the results folder's figure for what the API returned."""
    result = sim.run(sim.load_scenario("theory/stall"), replications=2)
    assert figures.backlog(result).axes[0].get_lines()
    assert figures.clinical(result).axes
    comparison = sim.compare(
        {
            "two": sim.load_scenario("theory/stall"),
            "three": sim.load_scenario("theory/stall", sets=["systems.server.connections=3"]),
        },
        metrics=["recovery_time_s", "peak_backlog"],
        replications=2,
    )
    assert len(figures.comparison_metrics(comparison).axes) == 2
    assert figures.comparison_backlog(comparison).axes[0].get_lines()
    assert figures.destinations(comparison).legends
