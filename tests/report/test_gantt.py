"""The fault timeline's geometry: a row per target, bars where the faults were on."""

from __future__ import annotations

from datetime import datetime
from xml.etree import ElementTree

import pytest

from sim.report.folder import Event
from sim.report.gantt import WIDTH, gantt, ticks
from sim.report.html import render_svg
from sim.scenario import Scenario, load_scenario
from tests.report.conftest import Folders

LEFT, RIGHT = 170.0, WIDTH - 16.0
HORIZON = 3 * 3600.0


def x(t: float) -> float:
    return round(LEFT + (RIGHT - LEFT) * t / HORIZON, 1)


def ev(rep: int, t: float, kind: str, target: str, name: str) -> Event:
    return Event(rep, t, kind, target, name)


@pytest.fixture(scope="module")
def scenario(folders: Folders) -> Scenario:
    return load_scenario(folders.run / "scenario.yaml")


def test_a_fault_at_fixed_times_is_one_solid_bar(scenario: Scenario) -> None:
    """The lab outage 08:30-09:10 in both replications: solid from x(30 min) to x(70 min)."""
    events = [
        e
        for rep in (0, 1)
        for e in (
            ev(rep, 1800, "fault-start", "lab", "lab down"),
            ev(rep, 4200, "fault-end", "lab", "lab down"),
        )
    ]
    g = gantt(events, scenario, HORIZON, 2)
    assert g is not None and not g.varies and not g.open_ended
    (lane,) = g.lanes
    (bar,) = lane.bars
    assert lane.label == "lab" and bar.name == "lab down"
    assert (bar.x_any, bar.x_all) == (x(1800), x(1800))
    assert bar.w_any == bar.w_all == pytest.approx(x(4200) - x(1800), abs=0.11)
    assert bar.label_light and bar.label_x == pytest.approx(x(1800) + 4, abs=0.11)
    assert bar.title == "lab down: 08:30 to 09:10 (40m 00s); in 2 of 2 replication(s)"


def test_ends_that_vary_are_light_and_an_open_end_runs_to_the_horizon(scenario: Scenario) -> None:
    """A poison from 08:30 fixed at 09:00 in one replication and never in the other: solid
    from 08:30 to 09:00 (on in both), light on to the end of the run, dashed. A stall in one
    replication only has no solid part. An engine-wide fault has the target 'engine'."""
    events = [
        ev(0, 1800, "fault-start", "lab", "poison"),
        ev(0, 3600, "fault-end", "lab", "poison"),
        ev(1, 1800, "fault-start", "lab", "poison"),
        ev(0, 600, "fault-start", "", "stall"),
        ev(0, 900, "fault-end", "", "stall"),
    ]
    g = gantt(events, scenario, HORIZON, 2)
    assert g is not None and g.varies and g.open_ended
    assert [lane.label for lane in g.lanes] == ["engine", "lab"]
    stall = g.lanes[0].bars[0]
    assert stall.w_all == 0.0  # only in one of two replications
    poison = g.lanes[1].bars[0]
    assert poison.x_any == x(1800) and poison.x_any + poison.w_any == pytest.approx(RIGHT, abs=0.11)
    assert poison.x_all == x(1800) and poison.w_all == pytest.approx(x(3600) - x(1800), abs=0.11)
    assert poison.open_ended
    assert "still on at the end of the run" in poison.title


def test_no_fault_no_timeline(scenario: Scenario) -> None:
    assert gantt([ev(0, 10, "phase", "lab", "degraded")], scenario, HORIZON, 1) is None


def test_ticks_fall_on_whole_clock_times_with_the_date_once_a_day() -> None:
    """3 h from 08:00: every 15 min; 30 h from midnight: every 3 h, the date at each new day."""
    short = ticks(datetime(2026, 1, 5, 8, 0), HORIZON, LEFT, RIGHT)
    assert [t.time for t in short][:3] == ["08:00", "08:15", "08:30"] and len(short) == 13
    assert [t.day for t in short if t.day] == ["Mon 5 Jan"]
    assert short[0].x == LEFT and short[-1].x == RIGHT
    long = ticks(datetime(2017, 12, 6, 0, 0), 30 * 3600.0, LEFT, RIGHT)
    assert [t.time for t in long] == [
        "00:00",
        "03:00",
        "06:00",
        "09:00",
        "12:00",
        "15:00",
        "18:00",
        "21:00",
        "00:00",
        "03:00",
        "06:00",
    ]
    assert [(t.time, t.day) for t in long if t.day] == [
        ("00:00", "Wed 6 Dec"),
        ("00:00", "Thu 7 Dec"),
    ]
    odd = ticks(datetime(2026, 1, 5, 8, 7), HORIZON, LEFT, RIGHT)
    assert odd[0].time == "08:15"


def test_the_svg_draws_every_bar_with_its_name(folders: Folders, scenario: Scenario) -> None:
    """The run's own timeline: two targets, each fault a group with its name and tooltip."""
    from sim.report.folder import read_events

    g = gantt(read_events(folders.run / "events.csv"), scenario, HORIZON, 2)
    assert g is not None
    svg = ElementTree.fromstring(render_svg(g, standalone=True))
    ns = "{http://www.w3.org/2000/svg}"
    groups = [el for el in svg.iter(f"{ns}g") if el.get("class") == "fault"]
    assert [grp.find(f"{ns}text").text for grp in groups] == ["lab down", "imaging rush"]
    assert [grp.find(f"{ns}title").text.split(":")[0] for grp in groups] == [
        "lab down",
        "imaging rush",
    ]
    labels = [el.text for el in svg.iter(f"{ns}text") if el.get("text-anchor") == "end"]
    assert labels[:2] == ["lab", "imaging"]
