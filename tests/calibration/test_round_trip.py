"""The round trip: simulate a known scenario with ``--trace``, write the run as an engine's log
(``ehrsim log``, HL7 v2 and CSV), calibrate the log (``ehrsim calibrate``), and find the
scenario's numbers again in calibration.json.

The world (tests/data/roundtrip.yaml): 14 days from a Monday of lab orders at 300/d on the
``lab`` profile and the week [1, 1, 1, 1, 1, 0.5, 0.4] (about 3,500 orders), priorities
stat 0.2 / urgent 0.1 / routine 0.7, 1.5 results an order after lognormal(30min, 10min),
exponential(1h) and lognormal(3h, 1h) by class; the lab ACKs in exponential(200ms), the EHR in
lognormal(80ms, 40ms); 3 % of the lab's ACKs are lost (the engine resends under the same
MSH-10) and one poisoned order is refused (AE) until an analyst fixes it.

Tolerances. A fitted mean is compared with the truth in standard errors of the sample it
came from: within :data:`Z` = 4 SE (a false alarm about once in 16,000 checks for a normal
estimator; a real slip, such as an hour's shift or resends counted as orders, moves the
figures by tens of SE):

- rate: the true 300/d lies within the fitted rate's 95 % interval (the issue's test). The
  rate is the busiest weekday's mean, the largest of five equal weekdays' (about 600 messages
  each, SE 4 %), so it reads about 1.2 SE high and its interval holds the truth about 88 % of
  the time, not 95 %: the seed is fixed, and the weekday means ``rate x week[d]`` (unbiased,
  Poisson SE sqrt(N_d) / 2 days) are checked within Z SE as well;
- profile: each hour's share within Z binomial SE, sqrt(p (1 - p) / n), at most 0.022 (at
  p = 0.12, n = 3,500); and the Pearson correlation of fitted and true shares above 0.99
  (the shares' spread, 0.03, is ten times the noise);
- week: each factor within Z SE of the ratio of two Poisson means, w sqrt(1/N_d + 1/N_top)
  (0.23 on a weekday, 0.12 on a Sunday), as the busiest weekday is itself a noisy pick;
- priority shares within Z binomial SE; reply count within Z SE of 1 + Poisson(0.5),
  sqrt(0.5 / n); reply delay per class and ACK means within Z SE, sd / sqrt(n), sd the
  truth's. A delay is measured from the order's ACK to the result's send, so it holds the
  engine's transform (10 ms) besides the turnaround: far below an SE (15 s at the least);
- NAK share and message counts: exact (the trace's own counts).

CSV has no control id, so its resends count as messages (docs/logs.md): the CSV variant's
message counts are the trace's attempts, and its rate is checked against the true rate
scaled by attempts / messages (3.6 % more here); everything else as in HL7, resends being
independent of hour, weekday and class.
"""

from __future__ import annotations

import csv
import json
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner, Result

from sim.cli import app
from sim.scenario import Scenario, load_scenario

SCENARIO = Path(__file__).parents[1] / "data" / "roundtrip.yaml"
Z = 4.0
ORDERS = "ehr-labka-oml-o21"
RESULTS = "labka-ehr-oru-r01"
DAYS = 14

runner = CliRunner()


def invoke(*args: str) -> Result:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result


@dataclass(frozen=True)
class Traced:
    """A traced run and what its trace says happened."""

    folder: Path
    scenario: Scenario
    created: Counter[str]
    """Messages per flow."""
    sent: Counter[str]
    """Attempts per flow."""
    answers: Counter[tuple[str, str]]
    """(flow, event) -> answers: ``acked`` or ``nak``."""


@pytest.fixture(scope="module")
def traced(tmp_path_factory: pytest.TempPathFactory) -> Traced:
    folder = tmp_path_factory.mktemp("roundtrip") / "run"
    invoke("run", str(SCENARIO), "--trace", "--quiet", "--out", str(folder))
    with (folder / "trace.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    created = Counter(r["flow"] for r in rows if r["event"] == "created")
    sent = Counter(r["flow"] for r in rows if r["event"] == "sent")
    answers = Counter((r["flow"], r["event"]) for r in rows if r["event"] in ("acked", "nak"))
    return Traced(folder, load_scenario(SCENARIO), created, sent, answers)


@pytest.fixture(scope="module", params=["hl7", "csv"])
def fitted(
    request: pytest.FixtureRequest, traced: Traced, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, dict[str, Any], str, Path]:
    """(format, calibration.json, calibrate's stderr, the scenario written) of the run written
    as a log of that format."""
    fmt: str = request.param
    folder = tmp_path_factory.mktemp(fmt)
    log = folder / f"engine.{fmt}"
    invoke("log", str(traced.folder), "--format", fmt, "--out", str(log))
    out = folder / "rt.yaml"
    result = invoke("calibrate", str(log), "--format", fmt, "--ehr", "EHR", "--out", str(out))
    cal = json.loads((folder / "rt.calibration.json").read_text())
    return fmt, cal, " ".join(result.stderr.split()), out


def within(fitted: float, truth: float, se: float) -> bool:
    return abs(fitted - truth) <= Z * se


def attempts_per_message(fmt: str, traced: Traced, flow: str) -> float:
    """How many log entries a message of the flow makes: 1 in HL7, its attempts in CSV."""
    return traced.sent[flow] / traced.created[flow] if fmt == "csv" else 1.0


class TestTraffic:
    def test_every_message_counts_once_and_csv_counts_every_attempt(self, fitted, traced) -> None:  # type: ignore[no-untyped-def]
        fmt, cal, *_ = fitted
        for fid, flow in ((ORDERS, "lab-orders"), (RESULTS, "lab-results")):
            expected = traced.sent[flow] if fmt == "csv" else traced.created[flow]
            assert cal["flows"][fid]["messages"] == expected, fid
        assert traced.sent["lab-orders"] > traced.created["lab-orders"] + 50  # resends exist
        resends = cal["log"]["resends"]
        assert resends == (0 if fmt == "csv" else traced.sent.total() - traced.created.total())

    def test_resends_are_reported_where_the_log_tells_them(self, fitted, traced) -> None:  # type: ignore[no-untyped-def]
        fmt, cal, stderr, out = fitted
        text = out.read_text()
        lab = cal["systems"]["labka"]
        orders = (traced.created["lab-orders"], traced.sent["lab-orders"])
        if fmt == "csv":
            assert "resends" not in stderr and "resends" not in text
            assert (lab["messages"], lab["attempts"]) == (orders[1], orders[1])
            return
        resends = cal["log"]["resends"]
        assert f"resends: {resends:,} attempts repeat an earlier message's sender" in stderr
        assert f"# {resends:,} resends (the sender, receiver and MSH-10" in text
        assert (lab["messages"], lab["attempts"]) == orders
        assert f"LABKA, {orders[0]:,} messages received in {orders[1]:,} attempts" in text

    def test_the_rate_lies_within_its_interval(self, fitted, traced) -> None:  # type: ignore[no-untyped-def]
        fmt, cal, *_ = fitted
        flow = cal["flows"][ORDERS]
        truth = traced.scenario.flows["lab-orders"].rate * 86400
        truth *= attempts_per_message(fmt, traced, "lab-orders")
        low, high = flow["rate_per_day"]["ci95"]
        assert low < truth < high
        week = traced.scenario.flows["lab-orders"].week
        mean = truth * sum(week) / 7
        low, high = flow["mean_per_day"]["ci95"]
        assert low < mean < high
        rate = flow["rate_per_day"]["value"]
        for day, (est, factor) in enumerate(zip(flow["week"], week, strict=True)):
            expected = truth * factor
            days = flow["weekday_days"][day]
            assert within(rate * est["value"], expected, math.sqrt(expected * days) / days), day

    def test_the_profiles_shape(self, fitted, traced) -> None:  # type: ignore[no-untyped-def]
        _, cal, *_ = fitted
        flow = cal["flows"][ORDERS]
        profile = np.asarray(traced.scenario.flows["lab-orders"].profile)
        truth = profile / profile.sum()
        shares = np.array([hour["value"] for hour in flow["profile_share"]])
        n = flow["messages"]
        for hour, (got, p) in enumerate(zip(shares, truth, strict=True)):
            assert within(got, p, math.sqrt(p * (1 - p) / n)), hour
        assert np.corrcoef(shares, truth)[0, 1] > 0.99

    def test_the_weekday_pattern(self, fitted, traced) -> None:  # type: ignore[no-untyped-def]
        _, cal, *_ = fitted
        flow = cal["flows"][ORDERS]
        assert cal["weekday_pattern_fitted"] and flow["busiest_weekday"] in (
            "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
        )  # fmt: skip
        week = traced.scenario.flows["lab-orders"].week
        per_day = traced.scenario.flows["lab-orders"].rate * 86400 * DAYS / 7
        top = max(week)
        for day, (est, factor) in enumerate(zip(flow["week"], week, strict=True)):
            se = factor * math.sqrt(1 / (per_day * factor) + 1 / (per_day * top))
            assert within(est["value"], factor / top, se), day

    def test_the_priority_mix(self, fitted, traced) -> None:  # type: ignore[no-untyped-def]
        _, cal, *_ = fitted
        mix = cal["flows"][ORDERS]["priority"]
        truth = traced.scenario.flows["lab-orders"].priority
        assert set(mix["shares"]) == set(truth)
        for cls, p in truth.items():
            assert within(mix["shares"][cls]["value"], p, math.sqrt(p * (1 - p) / mix["n"])), cls


def test_the_calibrated_scenario_loads_with_the_fitted_numbers(fitted) -> None:  # type: ignore[no-untyped-def]
    _, cal, _, out = fitted
    orders = load_scenario(out).flows[ORDERS]
    assert orders.rate * 86400 == pytest.approx(cal["flows"][ORDERS]["rate_per_day"]["value"], 2e-3)
    assert orders.week == pytest.approx([d["value"] for d in cal["flows"][ORDERS]["week"]], 2e-3)
    assert orders.reply is not None and orders.reply.flow == RESULTS


class TestReplies:
    def test_the_reply_flow_and_count(self, fitted, traced) -> None:  # type: ignore[no-untyped-def]
        _, cal, *_ = fitted
        reply = cal["flows"][ORDERS]["reply"]
        assert reply["flow"] == RESULTS
        assert cal["flows"][RESULTS]["created_by_replies_of"] == [ORDERS]
        assert cal["flows"][RESULTS]["results_unmatched"]["unmatched"] == 0
        count = traced.scenario.flows["lab-orders"].reply.count  # type: ignore[union-attr]
        n = reply["count"]["n"]
        assert within(reply["count"]["value"], count, math.sqrt((count - 1) / n))

    def test_the_delay_per_class(self, fitted, traced) -> None:  # type: ignore[no-untyped-def]
        _, cal, *_ = fitted
        after = cal["flows"][ORDERS]["reply"]["after"]
        truth = traced.scenario.flows["lab-orders"].reply.after  # type: ignore[union-attr]
        assert isinstance(truth, dict) and set(after) == set(truth)
        for cls, dist in truth.items():
            fit = after[cls]
            sd = dist.mean * math.sqrt(dist.scv)
            assert within(fit["mean_s"], dist.mean, sd / math.sqrt(fit["n"])), cls


class TestSystems:
    @pytest.mark.parametrize("system", ["labka", "ehr"])
    def test_the_ack_mean(self, fitted, traced, system: str) -> None:  # type: ignore[no-untyped-def]
        _, cal, *_ = fitted
        ack = cal["systems"][system]["ack"]
        dist = traced.scenario.systems[system].ack
        sd = dist.mean * math.sqrt(dist.scv)
        assert within(ack["mean_s"], dist.mean, sd / math.sqrt(ack["n"]))
        flow = "lab-orders" if system == "labka" else "lab-results"
        answered = traced.answers[(flow, "acked")] + traced.answers[(flow, "nak")]
        assert ack["n"] == answered  # every attempt's response, resends' included

    def test_the_nak_share_counts_every_attempt(self, fitted, traced) -> None:  # type: ignore[no-untyped-def]
        _, cal, *_ = fitted
        naks = cal["systems"]["labka"]["nak_share"]
        k = traced.answers[("lab-orders", "nak")]
        assert k > 5
        assert (naks["k"], naks["n"]) == (k, k + traced.answers[("lab-orders", "acked")])
        assert cal["systems"]["labka"]["attempts"] == traced.sent["lab-orders"]
