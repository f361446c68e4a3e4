"""The axes of a metastability map: the fault, its default ranges, the steps, and the
messages for what cannot make a map."""

from __future__ import annotations

import pytest

from sim.experiments.map_axes import MapError, choose_fault, map_axes
from sim.scenario import load_scenario

SURGE = "recovery-surge"


def scenario_with(*faults: str) -> object:
    """recovery-surge with its faults replaced by these (YAML flow mappings)."""
    return load_scenario(SURGE, [f"faults=[{', '.join(faults)}]"])


class TestDefaults:
    def test_an_engine_stall_maps_a_quarter_of_its_severity_to_all_of_it(self) -> None:
        axes = map_axes(load_scenario(SURGE), 0)
        assert axes.magnitude.key == "faults.0.severity"
        assert axes.magnitude.values == ("0.25", "0.4", "0.55", "0.7", "0.85", "1")
        assert axes.magnitude.text == "0.25..1"

    def test_durations_run_from_a_quarter_to_four_times_in_geometric_steps(self) -> None:
        """1 h: 15 min to 4 h, each the one before times 16^(1/5) = 1.741 (26.1 min, 45.5 min,
        1.32 h, 2.30 h), to the minute."""
        axes = map_axes(load_scenario(SURGE), 0)
        assert axes.duration.key == "faults.0.for"
        assert axes.duration.sizes == (900.0, 1560.0, 2700.0, 4740.0, 8280.0, 14400.0)
        assert axes.duration.values == ("15min", "26min", "45min", "79min", "138min", "4h")
        assert axes.duration.text == "15min..4h"

    def test_a_surge_scales_its_excess_over_one(self) -> None:
        scenario = scenario_with("{kind: surge, at: +1h, for: 2h, severity: 1.4}")
        axes = map_axes(scenario, 0, steps=4)
        assert axes.magnitude.values == ("1.1", "1.2", "1.3", "1.4")
        assert not axes.share

    def test_a_factor_of_one_has_no_excess_to_scale(self) -> None:
        scenario = scenario_with("{kind: surge, at: +1h, for: 2h, severity: 1}")
        with pytest.raises(MapError, match="no excess over 1 to scale; give --magnitude"):
            map_axes(scenario, 0)

    def test_given_ranges_replace_the_defaults(self) -> None:
        axes = map_axes(load_scenario(SURGE), 0, magnitude="0.1..0.3", duration="10s..40s", steps=3)
        assert axes.magnitude.values == ("0.1", "0.2", "0.3")
        assert axes.duration.sizes == (10.0, 20.0, 40.0)
        assert axes.duration.values == ("10s", "20s", "40s")

    def test_short_durations_are_rounded_to_the_millisecond(self) -> None:
        axes = map_axes(load_scenario(SURGE), 0, duration="3s..60s", steps=4)
        assert axes.duration.sizes == (3.0, 8.143, 22.104, 60.0)


class TestChooseFault:
    def test_the_only_fault_is_chosen(self) -> None:
        assert choose_fault(load_scenario(SURGE), None) == 0

    def test_several_faults_need_an_index_and_the_message_lists_them(self) -> None:
        scenario = scenario_with(
            "{kind: engine-stall, at: +1h, for: 1h}", "{kind: surge, at: +3h, for: 1h, severity: 2}"
        )
        with pytest.raises(MapError) as caught:
            choose_fault(scenario, None)
        assert str(caught.value) == (
            "scenario 'recovery-surge' has 2 faults (0: engine-stall; 1: surge); choose one "
            "with --fault N (0..1)"
        )
        assert choose_fault(scenario, 1) == 1

    def test_an_unknown_index_names_the_indexes_that_exist(self) -> None:
        with pytest.raises(MapError) as caught:
            choose_fault(load_scenario(SURGE), 3)
        assert str(caught.value) == (
            "--fault 3: scenario 'recovery-surge' has 1 fault, index 0 (0: engine-stall "
            "'integration servers stall')"
        )
        with pytest.raises(MapError, match=r"--fault -1: .* index 0"):
            choose_fault(load_scenario(SURGE), -1)

    @pytest.mark.parametrize(
        ("fault", "lacks"),
        [
            ("{kind: system-outage, target: lab, at: +1h, for: 1h}", "no severity or factor"),
            ("{kind: poison-message, target: lab, at: +1h}", "no severity or factor and no 'for'"),
        ],
    )
    def test_a_kind_without_a_severity_or_a_length_has_no_map(self, fault: str, lacks: str) -> None:
        with pytest.raises(MapError) as caught:
            choose_fault(scenario_with(fault), None)
        message = str(caught.value)
        assert f"has {lacks} to vary, so it has no map; the kinds that have one: " in message
        assert "engine-stall, engine-slowdown, system-slowdown, ack-loss, surge" in message

    def test_a_stall_that_refuses_has_no_severity_to_vary(self) -> None:
        scenario = scenario_with("{kind: engine-stall, at: +1h, for: 1h, mode: refuse}")
        with pytest.raises(MapError, match=r"mode refuse always stops everything.*mode=hold"):
            choose_fault(scenario, None)

    def test_a_scenario_without_faults_has_no_map(self) -> None:
        with pytest.raises(MapError, match="has no faults"):
            choose_fault(load_scenario(SURGE, ["faults=[]"]), None)


class TestBadRanges:
    @pytest.mark.parametrize(
        ("option", "text", "message"),
        [
            ("magnitude", "..1", "the range is empty or open; give both ends, e.g. 0.25..1"),
            ("magnitude", "0.5", "the range is empty or open"),
            ("magnitude", "1..0.5", "the range is reversed (it would be empty); write 0.5..1"),
            ("magnitude", "0.5..0.5", "the range has no width"),
            ("magnitude", "10min..1h", "'10min' is not a plain number; the magnitude is the "
             "engine-stall's severity, the share of channel capacity lost (1 = nothing moves)"),
            ("magnitude", "25%..100%", "'25%' is not a plain number"),
            ("duration", "5..10", "'5' has no unit; the duration is the fault's 'for', written "
             "with units (e.g. --duration 15min..4h)"),
            ("duration", "1h..", "the range is empty or open; give both ends, e.g. 15min..4h"),
            ("duration", "4h..1h", "the range is reversed (it would be empty); write 1h..4h"),
            ("duration", "10/s..20/s", "--duration '10/s..20/s': "),
        ],
    )  # fmt: skip
    def test_a_bad_range_says_what_to_write(self, option: str, text: str, message: str) -> None:
        with pytest.raises(MapError) as caught:
            map_axes(load_scenario(SURGE), 0, **{option: text})
        assert f"--{option} {text!r}: " in str(caught.value)
        assert message in str(caught.value)

    def test_fewer_than_two_steps_is_no_map(self) -> None:
        with pytest.raises(MapError, match="--steps 1: a map needs at least 2 steps on each axis"):
            map_axes(load_scenario(SURGE), 0, steps=1)

    def test_a_range_too_narrow_for_its_steps_is_refused(self) -> None:
        with pytest.raises(MapError, match="too narrow for 6 steps"):
            map_axes(load_scenario(SURGE), 0, duration="10s..12s")

    def test_too_many_points_are_refused(self) -> None:
        with pytest.raises(MapError, match="make 12,100 points; a map has at most 10,000"):
            map_axes(load_scenario(SURGE), 0, steps=110)
