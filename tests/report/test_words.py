"""The scenario in words, and a comparison's verdicts read back from its summary.json."""

from __future__ import annotations

import pytest

from sim.experiments.figures import Figure
from sim.experiments.tradeoffs import GivenUp, TradeOff
from sim.experiments.verdicts import PairedDifference
from sim.report.compare_content import overlay_lines
from sim.report.compare_text import trade_off_text
from sim.report.scenario_words import ScenarioWords, describe, rate_text
from sim.report.tables import rate_text as short_rate
from sim.scenario import load_scenario
from tests.report.conftest import WORLD

OWN = WORLD.replace(
    "  ris: {ack: exponential(100ms)}",
    "  ris: {ack: exponential(100ms), strategy: {order: strict, breaker: {after: 3, open: 2min}}}",
).replace(
    '  - {name: imaging rush, kind: surge, target: imaging, at: "09:30", for: 20min, severity: 2}',
    '  - {name: imaging rush, kind: surge, target: imaging, at: "09:30", for: 20min, severity: 2}\n'
    '  - {name: lab rush, kind: surge, target: orders, at: "09:30", for: 20min, severity: 2}',
)


@pytest.fixture(scope="module")
def words(tmp_path_factory: pytest.TempPathFactory) -> ScenarioWords:
    path = tmp_path_factory.mktemp("words") / "own.yaml"
    path.write_text(OWN)
    return describe(load_scenario(path))


def test_each_channel_shows_its_effective_strategy(words: ScenarioWords) -> None:
    """The ris channel's own keys over the top-level strategy; the others the top level."""
    strategies = {row[0]: row[-1] for row in words.channels}
    assert strategies == {
        "lab": "per-patient, fifo, retry every 30s",
        "ehr": "per-patient, fifo, retry every 30s",
        "ris": "strict, fifo, retry every 30s, breaker after 3 for 2min",
    }
    assert {row[0]: row[1] for row in words.channels} == {"lab": "2", "ehr": "2", "ris": "1"}


def test_faults_alike_are_one_sentence(words: ScenarioWords) -> None:
    """The outage alone; the two surges of 2 from 09:30 to 09:50 together."""
    assert words.faults == [
        "lab down: system-outage on lab, Mon 08:30 to Mon 09:10 (40min): the system is down: "
        "sends to it time out, what it sends waits in its outbox.",
        "imaging rush; lab rush: surge on imaging, orders, Mon 09:30 to Mon 09:50 (20min): "
        "more messages arrive; the factor on the arrival rate: 2.",
    ]


def test_flows_and_people(words: ScenarioWords) -> None:
    """Volumes with separators, replies, the paper fallback and the clerks in words."""
    assert words.flows[0] == (
        "orders", "ehr → lab", "OML^O21", "900 an hour", "STAT 20 %, urgent 20 %, routine 60 %",
        "STAT 30min, urgent 1h, routine 4h", "1 result on results, after ~10 min",
    )  # fmt: skip
    assert words.flows[1][3] == "replies to orders"
    assert words.people[0].startswith("Paper fallback, per interface: after 10min without a reply")
    assert words.people[1:] == [
        "No analysts: poison messages and parked messages wait for the retry policy.",
        "Clerks: 1, back-entering each paper order in 3m 00s (lognormal) and reconciling each "
        "duplicate in 1m 30s (lognormal).",
    ]


def test_rates_are_said_with_separators() -> None:
    assert rate_text(7000 / 86400) == "7,000 a day"
    assert rate_text(2500 / 3600) == "2,500 an hour"
    assert short_rate(30.0) == "30/s"
    assert short_rate(2500 / 3600) == "2,500/h"


def test_an_overlay_that_sets_every_system_says_it_once() -> None:
    overlay = {
        "strategy": {"order": "per-patient"},
        "systems": {s: {"connections": 4} for s in ("lab", "ris", "ehr")},
    }
    assert overlay_lines(overlay, ["lab", "ris", "ehr"]) == (
        "strategy.order=per-patient\nsystems.*.connections=4 (every system)"
    )
    assert overlay_lines({}, ["lab"]) == "(the scenario as written)"


class TestFromJson:
    def test_verdicts_round_trip(self) -> None:
        """Each verdict's from_json gives back what to_json wrote."""
        diff = PairedDifference(3, -120.5, (-300.25, 59.25))
        assert PairedDifference.from_json(diff.to_json()) == diff
        assert PairedDifference.from_json(PairedDifference(1, 2.0, None).to_json()).ci95 is None
        trade = TradeOff(
            "expire", "baseline", "recovery_time_s", 3, 10_000.0, 400.5, 0, 1,
            (GivenUp("messages.expired", 0.0, 11_847.0), GivenUp("messages.on_paper", 10.0, 12.0)),
        )  # fmt: skip
        back = TradeOff.from_json(trade.to_json())
        assert back == trade
        assert trade_off_text(back) == trade_off_text(trade)
        fig = Figure("recovery_time_s", (1.5, None, 3.0), 1)
        assert Figure.from_json("recovery_time_s", fig.to_json()) == fig

    def test_a_comparison_read_back_says_the_same(self) -> None:
        """The sentence of a trade-off read from JSON is the terminal's sentence."""
        trade = TradeOff(
            "expire-to-paper", "baseline", "recovery_time_s", 3, 10380.0, 0.0, 0, 0,
            (GivenUp("messages.expired", 0.0, 11847.0),),
        )  # fmt: skip
        assert trade_off_text(TradeOff.from_json(trade.to_json())) == (
            "expire-to-paper recovers 2h 53m faster than baseline while sending 11,847 messages "
            "to paper (expired)"
        )
