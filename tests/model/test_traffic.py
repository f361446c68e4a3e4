"""Arrivals: Poisson volumes, daily profiles, weekly patterns, trace replay, common numbers."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from sim.model.world import World
from tests.model.conftest import MakeWorld

FLAT = """
name: traffic
horizon: 7d
start: 2026-01-05T00:00
flows:
  orders: {from: ehr, to: lab, rate: 600/h}
systems:
  lab: {ack: constant(10ms), connections: 4}
"""


class TestPoisson:
    def test_volume_matches_the_rate(self, world_of: MakeWorld) -> None:
        """A week at 600/h creates 100,800 messages within three standard deviations."""
        w = world_of(FLAT).run()
        assert abs(w.count.created - 100800) < 3 * np.sqrt(100800)

    def test_profile_shapes_the_day_without_changing_its_volume(self, world_of: MakeWorld) -> None:
        """Hours with a zero profile get no messages; the daily volume stays rate x 24 h."""
        profile = "[0, 0, 0, 0, 0, 0, 4, 4, 4, 4, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]"
        w = world_of(FLAT, sets=[f"profile={profile}"], trace=True).run()
        assert w.trace is not None
        hours = np.array([t for t, _u, _f, _c, ev, *_ in w.trace if ev == "created"]) // 3600 % 24
        assert set(np.unique(hours)) == set(range(6, 12))
        assert abs(w.count.created - 100800) < 3 * np.sqrt(100800)

    def test_week_pattern_scales_days(self, world_of: MakeWorld) -> None:
        """A weekend multiplier of 0 leaves Saturday and Sunday empty."""
        w = world_of(FLAT, sets=["week=[1, 1, 1, 1, 1, 0, 0]"], trace=True).run()
        assert w.trace is not None
        days = {int(t // 86400) for t, _u, _f, _c, ev, *_ in w.trace if ev == "created"}
        assert days == {0, 1, 2, 3, 4}  # 2026-01-05 is a Monday

    def test_surge_multiplies_arrivals_in_its_window(self, world_of: MakeWorld) -> None:
        """A surge of severity 3 triples the arrivals while it lasts."""
        text = FLAT + "faults: [{kind: surge, at: +24h, for: 24h, severity: 3}]\n"
        w = world_of(text, sets=["horizon=3d"], trace=True).run()
        assert w.trace is not None
        days = np.array([t // 86400 for t, _u, _f, _c, ev, *_ in w.trace if ev == "created"])
        counts = np.bincount(days.astype(int))
        assert counts[1] / counts[0] == pytest.approx(3.0, rel=0.05)


class TestCommonRandomNumbers:
    def test_strategies_see_the_same_arrivals(
        self, world_of: MakeWorld, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Two strategies of one replication see identical arrival times, patients and classes."""
        text = FLAT.replace("horizon: 7d", "horizon: 6h").replace(
            "rate: 600/h}", "rate: 600/h, priority: {stat: 0.2, routine: 0.8}}"
        )
        seen: dict[str, list[tuple[float, str, int, int]]] = {}
        original = World._arrival

        def recording(world: World, flow: Any, cls: int, patient: int) -> object:
            seen.setdefault(world.scenario.strategy.queues, []).append(
                (world.env.now, flow.id, cls, patient)
            )
            return original(world, flow, cls, patient)

        # On the class: the compiled World takes no attributes on its instances.
        monkeypatch.setattr(World, "_arrival", recording)
        world_of(text).run()
        world_of(text, sets=["strategy.queues=shared", "strategy.discipline=priority"]).run()
        assert len(seen["per-destination"]) > 3000
        assert seen["per-destination"] == seen["shared"]
