"""`theory_report`: which scenarios have a closed form, what it predicts, and how it compares."""

from __future__ import annotations

import math

import pytest

from sim.experiments.theory import (
    Row,
    TheoryReport,
    ack_tail,
    estimate,
    power_against_bias,
    predict,
    theory_report,
)
from sim.scenario import load_scenario
from sim.theory import cobham_mg1_waits, mmc, mmc_wait_quantile, tandem_mmc

SHORT = ["horizon=30min", "warmup=5min"]
"""A short run of a theory scenario: 25 min x 24/s = 36,000 measured messages on mm3."""


def _predicted(name: str, sets: list[str] | None = None) -> dict[str, float]:
    prediction = predict(load_scenario(name, sets=sets or []))
    assert prediction.closed_form, prediction.reasons
    return {q.quantity: q.value for q in prediction.quantities}


class TestPredict:
    """`predict` picks the formula that fits each station and names the quantities it predicts."""

    def test_mm3_is_erlang_c(self) -> None:
        """mm3.yaml is an M/M/3 queue behind a pure delay: Wq, p95, Lq and latency follow."""
        got = _predicted("theory/mm3")
        m = mmc(24.0, 10.0, 3)
        assert got["Wq server"] == pytest.approx(m.wq, rel=1e-12)
        assert got["p95 Wq server"] == pytest.approx(mmc_wait_quantile(24.0, 10.0, 3, 0.95))
        assert got["Lq server"] == pytest.approx(m.lq)
        assert got["latency orders"] == pytest.approx(0.001 + m.ws)
        assert "Wq transform" not in got

    def test_priority_is_cobham_per_class(self) -> None:
        """priority.yaml predicts each class's wait by Cobham, the overall one by conservation."""
        got = _predicted("theory/priority")
        waits = cobham_mg1_waits((1.6, 2.4, 4.0), 0.1, 1.0)
        for name, wait in zip(("stat", "urgent", "routine"), waits, strict=True):
            assert got[f"Wq server {name}"] == pytest.approx(wait)
            assert got[f"latency orders {name}"] == pytest.approx(0.001 + wait + 0.1)
        assert got["Wq server"] == pytest.approx(0.4)
        assert "p95 Wq server" not in got

    def test_tandem_predicts_the_transform_station(self) -> None:
        """tandem.yaml's exponential transform queues: its wait is predicted, latency sums."""
        got = _predicted("theory/tandem")
        net = tandem_mmc(10.0, [1 / 0.14, 1 / 0.16], [2, 2])
        assert got["Wq transform"] == pytest.approx(net.stations[0].wq)
        assert got["Wq server"] == pytest.approx(net.stations[1].wq)
        assert got["latency orders"] == pytest.approx(net.ws)

    def test_md1_and_mg1(self) -> None:
        """One connection with a constant or lognormal ack is M/D/1 or M/G/1 (P-K)."""
        assert _predicted("theory/mg1-constant")["Wq server"] == pytest.approx(0.2)
        assert _predicted("theory/mg1-lognormal")["Wq server"] == pytest.approx(0.0325 * 7 / 0.6)

    def test_gamma_on_several_connections_is_flagged_approximate(self) -> None:
        """M/G/c with c > 1 uses Allen-Cunneen and says it is an approximation."""
        prediction = predict(
            load_scenario("theory/mm3", sets=["systems.server.ack=gamma(100ms, 0.5)"])
        )
        assert prediction.closed_form
        wait = next(q for q in prediction.quantities if q.quantity == "Wq server")
        assert not wait.exact and wait.note == "approximation"
        assert any("Allen-Cunneen" in line for line in prediction.model)

    def test_lifo_keeps_the_mean_but_drops_the_percentile(self) -> None:
        """Under LIFO the mean wait is FIFO's and no percentile is predicted."""
        got = _predicted("theory/mm3", ["strategy.discipline=lifo"])
        assert got["Wq server"] == pytest.approx(mmc(24.0, 10.0, 3).wq)
        assert "p95 Wq server" not in got


class TestReasons:
    """A scenario without a closed form gets every reason, and nothing is run."""

    def test_story_lists_replies_capacity_and_profiles(self) -> None:
        """The baseline weekday has replies, filing capacities and daily profiles."""
        reasons = predict(load_scenario("baseline-weekday")).reasons
        text = "\n".join(reasons)
        assert "lab-results" in text and "created by replies" in text
        assert "labka" in text and "filing capacity" in text
        assert "not flat" in text
        assert len(reasons) == len(set(reasons))

    def test_faults_capacity_and_timeout(self) -> None:
        """Faults, a filing capacity and a short timeout are each named."""
        sc = load_scenario(
            "theory/mm3",
            sets=[
                "systems.server.capacity=40/s",
                "systems.server.timeout=200ms",
                "faults=[{kind: engine-stall, at: +10min, for: 5min}]",
            ],
        )
        reasons = predict(sc).reasons
        assert "faults are scheduled (engine-stall)" in reasons
        assert any(r.startswith("system server has a filing capacity") for r in reasons)
        assert any("server (P(ack > timeout) = 0.14)" in r for r in reasons)

    def test_fault_after_the_horizon_is_ignored(self) -> None:
        """A fault that starts at or after the horizon has no effect and is no reason."""
        sc = load_scenario("theory/stall", sets=["horizon=20min", "warmup=5min"])
        assert predict(sc).closed_form

    def test_strategy_reasons(self) -> None:
        """Per-patient order, codel, drain and expire each keep the channel from being M/G/c."""
        sets = [
            "strategy.order=per-patient",
            "strategy.drain={rate: 30/s}",
            "strategy.expire={after: 4h}",
        ]
        reasons = predict(load_scenario("theory/mm3", sets=sets)).reasons
        assert len(reasons) == 3
        reasons = predict(load_scenario("theory/mm3", sets=["strategy.discipline=codel"])).reasons
        assert reasons == ["discipline codel sheds messages that waited too long"]

    def test_overload_is_a_reason(self) -> None:
        """A lane at rho >= 1 has no steady state."""
        sc = load_scenario("theory/mm3", sets=["flows.orders.rate=40/s"])
        assert any("overloaded" in r for r in predict(sc).reasons)

    def test_report_without_closed_form_runs_nothing(self) -> None:
        """theory_report returns the reasons and no rows when there is no closed form."""
        report = theory_report(load_scenario("theory/stall"))
        assert not report.closed_form and report.replications == 0 and report.rows == []
        assert report.reasons == ["faults are scheduled (engine-stall)"]
        assert report.max_rel_error is None and not report.within()


@pytest.fixture(scope="module")
def report() -> TheoryReport:
    """A short run of mm3.yaml: 5 replications of 30 minutes."""
    calls: list[int] = []
    result = theory_report(
        load_scenario("theory/mm3", sets=SHORT), progress=lambda i, _t: calls.append(i)
    )
    assert sorted(set(calls)) == [0, 1, 2, 3, 4]
    return result


class TestTheoryReport:
    """theory_report runs replications and sets simulated figures beside the predictions."""

    def test_rows_and_errors_on_mm3(self, report: TheoryReport) -> None:
        """Every predicted quantity has a row, close to the theory on a short run."""
        assert report.closed_form and report.replications == 5
        assert [r.quantity for r in report.rows] == [
            "Wq server",
            "p95 Wq server",
            "Lq server",
            "latency orders",
        ]
        for row in report.rows:
            assert row.ci_low <= row.simulated_mean <= row.ci_high
            assert row.rel_error == pytest.approx(
                (row.simulated_mean - row.predicted) / row.predicted
            )
            assert abs(row.rel_error) < 0.08, row
        assert report.within(0.08)
        assert any("M/M/3" in line for line in report.model)

    def test_replications_argument(self) -> None:
        """An explicit replication count is used; below one is refused."""
        sc = load_scenario("theory/mm3", sets=["horizon=6min", "warmup=1min"])
        assert theory_report(sc, replications=2).replications == 2
        with pytest.raises(ValueError, match="at least 1"):
            theory_report(sc, replications=0)

    def test_row_inside_ci(self) -> None:
        """A row knows whether its prediction lies inside the interval."""
        assert Row("x", 1.0, 1.1, 0.95, 1.25, 0.1).inside_ci
        assert not Row("x", 1.0, 1.1, 1.05, 1.15, 0.1).inside_ci


class TestStatistics:
    """The t interval and the power statement used by the report and the validation suite."""

    def test_estimate(self) -> None:
        """Three values give their mean and a t interval with 2 degrees of freedom."""
        est = estimate([1.0, 2.0, 3.0])
        assert (est.mean, est.sd, est.n) == (2.0, 1.0, 3)
        assert est.half_width == pytest.approx(4.303 / math.sqrt(3))
        assert est.contains(0.0) and not est.contains(4.6)
        assert estimate([5.0]).ci_low == 5.0
        with pytest.raises(ValueError):
            estimate([])

    def test_power_without_bias_is_the_size(self) -> None:
        """With no bias, the interval misses the truth about 5 % of the time."""
        assert power_against_bias(0.02, 10, bias=0.0) == pytest.approx(0.05, abs=0.01)

    def test_power_grows_with_precision(self) -> None:
        """Power rises toward 1 as the standard error falls and is lower with fewer runs."""
        powers = [power_against_bias(se, 10) for se in (0.04, 0.02, 0.015, 0.01, 0.005)]
        assert powers == sorted(powers) and powers[-1] > 0.999
        assert power_against_bias(0.016, 10) == pytest.approx(0.82, abs=0.03)
        assert power_against_bias(0.016, 5) < power_against_bias(0.016, 10)

    def test_ack_tail(self) -> None:
        """The share of ack draws above a timeout is exact where it can be."""
        from sim.distributions import Constant, Exponential, Lognormal

        assert ack_tail(Exponential(0.1), 0.2) == pytest.approx(math.exp(-2))
        assert ack_tail(Constant(0.1), 0.2) == 0.0
        assert ack_tail(Lognormal(0.1, 0.05), 3600.0) < 1e-12
