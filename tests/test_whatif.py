"""The what-if's update function (sim/teaching/whatif.py), driven without widgets as the
notebook's sliders drive it: its figures move the way the notebook says they do."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sim.teaching.whatif import (
    DESIGNS,
    PER_DESTINATION_STRICT,
    PER_PATIENT,
    SHARED_STRICT,
    Settings,
    update,
    what_if_figure,
)


class TestUpdate:
    def test_a_longer_stall_gives_a_larger_peak_backlog(self) -> None:
        """Twice the stall holds about twice the messages (λ·T): the peak grows with it."""
        short, long_ = update(Settings(stall_h=1.0)), update(Settings(stall_h=3.0))
        assert long_.peak_backlog > 2 * short.peak_backlog
        lab = [r.summary["queues"]["lab"]["peak_backlog"] for r in (short, long_)]
        assert lab[0] == pytest.approx(0.4 * 3600, rel=0.1)  # λ·T of the lab channel
        assert lab[1] == pytest.approx(0.4 * 3 * 3600, rel=0.1)

    def test_more_connections_under_per_patient_order_recover_sooner(self) -> None:
        """One connection is plugged by a poisoned message until the analysts fix it; four
        drain around it."""
        one = update(Settings(connections=1, design=PER_PATIENT))
        four = update(Settings(connections=4, design=PER_PATIENT))
        assert one.recovery_time_s is not None and four.recovery_time_s is not None
        assert four.recovery_time_s < 0.5 * one.recovery_time_s
        assert four.late_stat < one.late_stat

    def test_a_drain_limit_slows_the_recovery(self) -> None:
        free = update(Settings(connections=4, design=PER_PATIENT))
        limited = update(Settings(connections=4, design=PER_PATIENT, drain_per_s=1.0))
        assert limited.recovery_time_s is not None and free.recovery_time_s is not None
        assert limited.recovery_time_s > free.recovery_time_s

    def test_strict_order_runs_one_connection_and_says_so(self) -> None:
        """More connections under strict order would be refused; the what-if runs one and
        notes it, so the figures equal those of one connection."""
        asked = update(Settings(connections=4, design=SHARED_STRICT))
        assert "systems.lab.connections=1" in asked.sets
        assert asked.notes and "one message at a time" in asked.notes[0]
        assert asked.headline() == update(Settings(connections=1, design=SHARED_STRICT)).headline()

    def test_each_setting_is_a_set_on_the_named_world(self) -> None:
        """A what-if is a command line: its --set assignments on small-plug."""
        sets = Settings(stall_h=1.5, connections=3, design=PER_PATIENT, drain_per_s=2.5).sets()
        assert sets == [
            "faults.0.for=90min",
            "strategy.queues=per-destination",
            "strategy.order=per-patient",
            "systems.lab.connections=3",
            "systems.ris.connections=3",
            "systems.medcom.connections=3",
            "systems.ehr.connections=3",
            "strategy.drain.rate=2.5/s",
        ]
        assert set(DESIGNS) >= {PER_DESTINATION_STRICT, PER_PATIENT, SHARED_STRICT}

    @pytest.mark.parametrize(
        ("settings", "message"),
        [
            (Settings(stall_h=0.0), "stall_h"),
            (Settings(connections=0), "connections"),
            (Settings(design="no such design"), "design"),
            (Settings(drain_per_s=-1.0), "drain_per_s"),
        ],
    )
    def test_a_setting_that_cannot_run_is_named(self, settings: Settings, message: str) -> None:
        with pytest.raises(ValueError, match=message):
            update(settings)

    def test_the_figure_draws_every_destination_and_the_headline(self) -> None:
        result = update(Settings())
        fig = what_if_figure(result)
        lines = {line.get_gid() for ax in fig.axes for line in ax.get_lines()}
        assert {f"line:{sid}" for sid in ("lab", "ris", "medcom", "ehr")} <= lines
        assert "peak backlog 6,586" in fig.axes[0].get_title()


def test_the_core_never_imports_the_teaching_helpers() -> None:
    """Running a scenario through the public API loads nothing of sim.teaching."""
    code = (
        "import sys, sim; sim.run(sim.load_scenario('theory/stall'), replications=1); "
        "print(sorted(m for m in sys.modules if m.startswith('sim.teaching')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_sliders_redraw_on_a_change() -> None:
    """The widgets draw once, and a slider's change replaces the figure and the command line
    with the new settings' (no kernel needed: the output is widget state)."""
    pytest.importorskip("ipywidgets")
    from sim.teaching.widgets import what_if_widgets

    box = what_if_widgets()
    (left, right), out = box.children[0].children, box.children[1]
    stall, connections = left.children
    design, drain = right.children

    def shown() -> tuple[int, str]:
        images = sum(1 for o in out.outputs if "image/png" in o.get("data", {}))
        text = "".join(o.get("text", "") for o in out.outputs if o["output_type"] == "stream")
        return images, text

    images, text = shown()
    assert images == 1 and "--set faults.0.for=120min" in text
    stall.value = 4.0
    images, text = shown()
    assert images == 1 and "--set faults.0.for=240min" in text
    design.value = PER_PATIENT
    connections.value = 3
    drain.value = 1.5
    images, text = shown()
    assert images == 1
    assert "strategy.order=per-patient" in text and "systems.lab.connections=3" in text
    assert "strategy.drain.rate=1.5/s" in text and "note:" not in text
