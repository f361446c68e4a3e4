"""Closed-form queueing results in sim.theory, checked against hand-computed values.

Every expected number below is derived in a comment from the textbook formula, or is an
internal identity (Little's law, a special case of a more general formula, a conservation law).
No simulation here: the engine is checked against these formulas elsewhere.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.theory import (
    DAY,
    HOUR,
    WEEK,
    HourlyProfile,
    QueueMetrics,
    cobham_mg1_waits,
    cobham_mmc_waits,
    drain_time,
    drain_time_varying,
    erlang_b,
    erlang_c,
    fluid_backlog,
    jackson_network,
    mg1,
    mgc_allen_cunneen,
    mm1,
    mmc,
    mmc_wait_quantile,
    mmc_wait_tail,
    outage_drain_time,
    stall_backlog,
    tandem_mmc,
)

# The lab-orders profile of the scenario format's example (24 hourly multipliers).
# fmt: off
LAB_PROFILE = [
    1.5, 1.2, 1.0, 1.0, 1.2, 2.0, 5.0, 12, 12, 9.0, 6.5, 5.5,
    5.0, 5.0, 4.8, 4.5, 4.0, 3.5, 3.2, 3.0, 2.8, 2.5, 2.0, 1.8,
]
# fmt: on


def _erlang_c_by_logs(c: int, a: float) -> float:
    """Erlang C from its textbook sum, evaluated in log space (an independent reference)."""
    rho = a / c
    logs = [k * math.log(a) - math.lgamma(k + 1) for k in range(c)]
    top = c * math.log(a) - math.lgamma(c + 1) - math.log(1.0 - rho)
    peak = max([*logs, top])
    below = sum(math.exp(x - peak) for x in logs)
    waiting = math.exp(top - peak)
    return waiting / (below + waiting)


def _assert_little(m: QueueMetrics) -> None:
    assert m.lq == pytest.approx(m.lam * m.wq, rel=1e-12, abs=1e-15)
    assert m.ls == pytest.approx(m.lam * m.ws, rel=1e-12, abs=1e-15)
    assert m.ws == pytest.approx(m.wq + m.mean_service, rel=1e-12)


class TestErlang:
    def test_erlang_b_two_servers_one_erlang(self) -> None:
        """B(2, 1) = (1²/2!) / (1 + 1 + 1²/2!) = 0.5 / 2.5 = 0.2."""
        assert erlang_b(2, 1.0) == pytest.approx(0.2, rel=1e-15)

    def test_erlang_c_two_servers_one_erlang(self) -> None:
        """C(2, 1) = B / (1 − ρ(1 − B)) = 0.2 / (1 − 0.5·0.8) = 1/3."""
        assert erlang_c(2, 1.0) == pytest.approx(1.0 / 3.0, rel=1e-15)

    def test_erlang_c_three_servers_two_erlangs(self) -> None:
        """C(3, 2): P0 = 1/(1 + 2 + 2 + (8/6)·3) = 1/9, C = (8/6)·3·P0 = 4/9."""
        assert erlang_c(3, 2.0) == pytest.approx(4.0 / 9.0, rel=1e-14)

    def test_erlang_c_one_server_is_rho(self) -> None:
        """With one server the probability of waiting is the utilisation."""
        assert erlang_c(1, 0.7) == pytest.approx(0.7, rel=1e-15)

    def test_zero_load_never_waits(self) -> None:
        """With no traffic nobody waits."""
        assert erlang_b(5, 0.0) == 0.0
        assert erlang_c(5, 0.0) == 0.0

    @pytest.mark.parametrize(("c", "a"), [(50, 45.0), (1000, 950.0), (5000, 4990.0)])
    def test_large_c_matches_log_space_sum(self, c: int, a: float) -> None:
        """For many servers the recursion stays finite and agrees with the textbook sum."""
        value = erlang_c(c, a)
        assert 0.0 < value < 1.0
        assert value == pytest.approx(_erlang_c_by_logs(c, a), rel=1e-9)

    @settings(max_examples=60, deadline=None)
    @given(
        c=st.integers(min_value=1, max_value=200),
        load=st.floats(min_value=0.01, max_value=0.99),
    )
    def test_erlang_c_matches_log_space_sum_everywhere(self, c: int, load: float) -> None:
        """The recursion agrees with the sum for any server count and utilisation below 1."""
        assert erlang_c(c, load * c) == pytest.approx(_erlang_c_by_logs(c, load * c), rel=1e-9)

    def test_erlang_c_grows_with_load(self) -> None:
        """More load on the same servers means a higher probability of waiting."""
        values = [erlang_c(4, a) for a in (0.5, 1.5, 2.5, 3.5, 3.9)]
        assert values == sorted(values)


class TestMMc:
    def test_mm1_textbook_values(self) -> None:
        """M/M/1, λ=0.5, μ=1: ρ=0.5, Wq = ρ/(μ−λ) = 1, Lq = 0.5, Ws = 2, Ls = 1."""
        m = mm1(0.5, 1.0)
        assert (m.rho, m.p_wait) == pytest.approx((0.5, 0.5))
        assert (m.wq, m.lq, m.ws, m.ls) == pytest.approx((1.0, 0.5, 2.0, 1.0), rel=1e-14)
        assert m.servers == 1 and m.exact

    def test_mm2_one_erlang(self) -> None:
        """M/M/2, λ=1, μ=1: C = 1/3, Wq = C/(2μ−λ) = 1/3, Lq = 1/3, Ws = Ls = 4/3."""
        m = mmc(1.0, 1.0, 2)
        assert m.rho == pytest.approx(0.5)
        assert m.p_wait == pytest.approx(1.0 / 3.0)
        assert (m.wq, m.lq, m.ws, m.ls) == pytest.approx((1 / 3, 1 / 3, 4 / 3, 4 / 3), rel=1e-14)

    def test_mm3_two_erlangs(self) -> None:
        """M/M/3, λ=2, μ=1: C = 4/9, Wq = C/(3−2) = 4/9, Lq = 8/9, Ws = 13/9."""
        m = mmc(2.0, 1.0, 3)
        assert (m.wq, m.lq, m.ws) == pytest.approx((4 / 9, 8 / 9, 13 / 9), rel=1e-14)

    def test_mm4_in_seconds(self) -> None:
        """M/M/4, λ=20/s, μ=8/s (125 ms): Wq = 625/23448 s ≈ 26.7 ms."""
        # a = 2.5, ρ = 0.625. Σ_{k<4} a^k/k! = 1 + 5/2 + 25/8 + 125/48 = 443/48;
        # a^4/4!/(1 − ρ) = (625/384)/(3/8) = 625/144; C = (625/144)/(443/48 + 625/144)
        # = 625/1954 ≈ 0.3199; Wq = C/(cμ − λ) = C/12 = 625/23448.
        m = mmc(20.0, 8.0, 4)
        assert m.p_wait == pytest.approx(625 / 1954, rel=1e-14)
        assert m.wq == pytest.approx(625 / 23448, rel=1e-14)

    @pytest.mark.parametrize(("lam", "mu"), [(0.1, 1.0), (0.5, 1.0), (9.0, 10.0), (0.999, 1.0)])
    def test_one_server_equals_mm1_closed_form(self, lam: float, mu: float) -> None:
        """M/M/c with c=1 gives Wq = ρ/(μ−λ) and Ws = 1/(μ−λ)."""
        m = mmc(lam, mu, 1)
        rho = lam / mu
        assert m.wq == pytest.approx(rho / (mu - lam), rel=1e-12)
        assert m.ws == pytest.approx(1.0 / (mu - lam), rel=1e-12)
        assert m == mm1(lam, mu)

    @pytest.mark.parametrize(
        ("lam", "mu", "c"), [(0.5, 1.0, 1), (3.0, 1.0, 4), (30.0, 6.67, 5), (950.0, 1.0, 1000)]
    )
    def test_littles_law(self, lam: float, mu: float, c: int) -> None:
        """L = λW holds for the queue and for the whole station."""
        _assert_little(mmc(lam, mu, c))

    def test_more_servers_at_same_utilisation_wait_less(self) -> None:
        """Pooling: at ρ = 0.8, Wq in units of the service time falls as c grows."""
        waits = [mmc(0.8 * c, 1.0, c).wq for c in (1, 2, 4, 8, 16)]
        assert waits == sorted(waits, reverse=True)

    def test_zero_arrivals(self) -> None:
        """With no arrivals nobody waits and the sojourn is one service time."""
        m = mmc(0.0, 4.0, 3)
        assert (m.p_wait, m.wq, m.lq, m.ls) == (0.0, 0.0, 0.0, 0.0)
        assert m.ws == pytest.approx(0.25)


class TestWaitTail:
    @pytest.mark.parametrize(("lam", "mu", "c"), [(0.5, 1.0, 1), (1.0, 1.0, 2), (18.0, 1.0, 20)])
    def test_tail_at_zero_is_p_wait(self, lam: float, mu: float, c: int) -> None:
        """P(Wq > 0) is the Erlang C probability of waiting."""
        assert mmc_wait_tail(lam, mu, c, 0.0) == pytest.approx(mmc(lam, mu, c).p_wait, rel=1e-15)

    def test_tail_value(self) -> None:
        """M/M/2, λ=μ=1: P(Wq > t) = (1/3)·exp(−(2−1)t), so P(Wq > 1) = e⁻¹/3."""
        assert mmc_wait_tail(1.0, 1.0, 2, 1.0) == pytest.approx(math.exp(-1.0) / 3.0, rel=1e-14)

    def test_tail_integrates_to_mean_wait(self) -> None:
        """∫ P(Wq > t) dt = C/(cμ−λ) = Wq (the mean of a non-negative variable)."""
        lam, mu, c = 3.0, 1.0, 4
        step = 0.001
        area = sum(mmc_wait_tail(lam, mu, c, (k + 0.5) * step) for k in range(20000)) * step
        assert area == pytest.approx(mmc(lam, mu, c).wq, rel=1e-5)

    def test_quantile_inverts_tail(self) -> None:
        """Above the atom at 0, P(Wq > quantile(q)) = 1 − q."""
        t = mmc_wait_quantile(0.5, 1.0, 1, 0.95)  # M/M/1 at ρ=0.5: t = ln(0.5/0.05)/0.5
        assert t == pytest.approx(2.0 * math.log(10.0), rel=1e-14)
        assert mmc_wait_tail(0.5, 1.0, 1, t) == pytest.approx(0.05, rel=1e-12)

    def test_quantile_inside_the_atom_is_zero(self) -> None:
        """M/M/2, λ=μ=1 waits with probability 1/3, so its median wait is 0."""
        assert mmc_wait_quantile(1.0, 1.0, 2, 0.5) == 0.0

    def test_invalid_time_and_level(self) -> None:
        """A negative time or a level outside [0, 1) is refused."""
        with pytest.raises(ValueError, match="t must be a finite number >= 0"):
            mmc_wait_tail(1.0, 2.0, 1, -1.0)
        with pytest.raises(ValueError, match=r"q must be in \[0, 1\)"):
            mmc_wait_quantile(1.0, 2.0, 1, 1.0)


class TestGeneralService:
    def test_pk_with_exponential_service_is_mm1(self) -> None:
        """P–K with scv = 1 gives the M/M/1 figures."""
        for lam in (0.1, 0.5, 0.9):
            assert mg1(lam, 1.0, 1.0).wq == pytest.approx(mm1(lam, 1.0).wq, rel=1e-14)

    def test_pk_deterministic_service(self) -> None:
        """M/D/1, λ=0.5, E[S]=1: Wq = ρ E[S] (1+0)/(2(1−ρ)) = 0.5, half the M/M/1 wait."""
        m = mg1(0.5, 1.0, 0.0)
        assert m.wq == pytest.approx(0.5, rel=1e-15)
        assert m.p_wait == pytest.approx(0.5)
        _assert_little(m)

    def test_pk_lognormal_ack(self) -> None:
        """lognormal(150ms, 80ms) at λ=4/s: ρ=0.6, scv=(0.08/0.15)²=0.28444,
        Wq = 0.6·0.15·1.28444/(2·0.4) = 0.1445 s."""
        m = mg1(4.0, 0.15, (0.08 / 0.15) ** 2)
        assert m.wq == pytest.approx(0.6 * 0.15 * (1 + 0.2844444444) / 0.8, rel=1e-9)
        assert m.wq == pytest.approx(0.1445, rel=1e-4)

    @pytest.mark.parametrize("c", [1, 2, 8, 30])
    def test_allen_cunneen_with_exponential_service_is_mmc(self, c: int) -> None:
        """With scv_s = scv_a = 1 the approximation is M/M/c exactly."""
        approx = mgc_allen_cunneen(0.7 * c * 2.0, 0.5, c, 1.0)
        exact = mmc(0.7 * c * 2.0, 2.0, c)
        assert approx.wq == pytest.approx(exact.wq, rel=1e-14)
        assert approx.p_wait == pytest.approx(exact.p_wait, rel=1e-14)
        assert approx.exact

    @pytest.mark.parametrize("scv", [0.0, 0.28, 1.0, 4.0])
    def test_allen_cunneen_one_server_is_pk(self, scv: float) -> None:
        """With c = 1 and Poisson arrivals Allen–Cunneen reduces to Pollaczek–Khinchine."""
        assert mgc_allen_cunneen(0.6, 1.0, 1, scv).wq == pytest.approx(mg1(0.6, 1.0, scv).wq)
        assert mgc_allen_cunneen(0.6, 1.0, 1, scv).exact

    def test_allen_cunneen_scales_mmc(self) -> None:
        """M/D/2 at λ=μ=1: Wq ≈ (1/3)·(1+0)/2 = 1/6, flagged as approximate."""
        m = mgc_allen_cunneen(1.0, 1.0, 2, 0.0)
        assert m.wq == pytest.approx(1.0 / 6.0, rel=1e-14)
        assert not m.exact
        _assert_little(m)

    def test_allen_cunneen_arrival_variability(self) -> None:
        """Smooth arrivals and service (scv_a = scv_s = 0) give no wait in the approximation."""
        assert mgc_allen_cunneen(1.0, 1.0, 2, 0.0, scv_a=0.0).wq == 0.0


class TestPriority:
    def test_mg1_one_class_is_pk(self) -> None:
        """Cobham with one class is the FCFS Pollaczek–Khinchine wait."""
        (w,) = cobham_mg1_waits([0.6], [1.0], [0.28])
        assert w == pytest.approx(mg1(0.6, 1.0, 0.28).wq, rel=1e-14)

    def test_mg1_two_classes_by_hand(self) -> None:
        """λ=(0.2, 0.3), E[S]=1, scv=1: W0 = Σλ·2/2 = 0.5, σ=(0.2, 0.5),
        W = (0.5/(1·0.8), 0.5/(0.8·0.5)) = (0.625, 1.25)."""
        assert cobham_mg1_waits([0.2, 0.3], 1.0, 1.0) == pytest.approx((0.625, 1.25))

    def test_mg1_kleinrock_conservation(self) -> None:
        """Σ ρ_k W_k = ρ W0 / (1 − ρ) for any service times (Kleinrock's conservation law)."""
        rates, means, scvs = [0.1, 0.2, 0.05], [1.0, 2.0, 3.0], [0.0, 0.5, 2.0]
        waits = cobham_mg1_waits(rates, means, scvs)
        rho = sum(r * s for r, s in zip(rates, means, strict=True))
        w0 = sum(r * s * s * (1 + v) for r, s, v in zip(rates, means, scvs, strict=True)) / 2
        weighted = sum(r * s * w for r, s, w in zip(rates, means, waits, strict=True))
        assert weighted == pytest.approx(rho * w0 / (1 - rho), rel=1e-12)

    def test_mg1_same_service_mean_of_waits_is_fcfs(self) -> None:
        """With one service distribution for all classes the λ-weighted mean wait is FCFS."""
        rates = [0.1, 0.25, 0.3]
        waits = cobham_mg1_waits(rates, 1.0, 0.28)
        mean = sum(r * w for r, w in zip(rates, waits, strict=True)) / sum(rates)
        assert mean == pytest.approx(mg1(0.65, 1.0, 0.28).wq, rel=1e-12)

    def test_mmc_one_class_is_fcfs(self) -> None:
        """Multi-server Cobham with one class is the M/M/c wait."""
        (w,) = cobham_mmc_waits([3.0], 1.0, 4)
        assert w == pytest.approx(mmc(3.0, 1.0, 4).wq, rel=1e-14)

    def test_mmc_two_classes_by_hand(self) -> None:
        """c=2, μ=1, λ=(0.4, 0.6): C(2,1) = 1/3, W0 = C/(cμ) = 1/6, σ=(0.2, 0.5),
        W = ((1/6)/0.8, (1/6)/(0.8·0.5)) = (5/24, 5/12)."""
        assert cobham_mmc_waits([0.4, 0.6], 1.0, 2) == pytest.approx((5 / 24, 5 / 12))

    @pytest.mark.parametrize(
        ("rates", "mu", "c"),
        [([0.4, 0.6], 1.0, 2), ([2.0, 1.0, 12.0], 0.5, 40), ([0.0, 5.0, 1.0], 3.0, 3)],
    )
    def test_mmc_conservation(self, rates: list[float], mu: float, c: int) -> None:
        """The λ-weighted mean of the class waits equals the FCFS M/M/c wait."""
        waits = cobham_mmc_waits(rates, mu, c)
        mean = sum(r * w for r, w in zip(rates, waits, strict=True)) / sum(rates)
        assert mean == pytest.approx(mmc(sum(rates), mu, c).wq, rel=1e-12)

    def test_higher_classes_wait_less(self) -> None:
        """Index 0 is served first, so waits rise with the class index."""
        waits = cobham_mmc_waits([1.0, 1.0, 1.0], 1.0, 4)
        assert waits[0] < waits[1] < waits[2]

    def test_priority_invalid(self) -> None:
        """Mismatched lengths, no classes and overload are refused."""
        with pytest.raises(ValueError, match="mean_services has 1 values but there are 2"):
            cobham_mg1_waits([0.1, 0.2], [1.0], 1.0)
        with pytest.raises(ValueError, match="at least one class"):
            cobham_mmc_waits([], 1.0, 1)
        with pytest.raises(ValueError, match="unstable"):
            cobham_mg1_waits([0.5, 0.6], 1.0, 1.0)
        with pytest.raises(ValueError, match="unstable"):
            cobham_mmc_waits([1.0, 1.0], 1.0, 2)
        with pytest.raises(ValueError, match=r"rates\[1\] must be a finite number >= 0"):
            cobham_mmc_waits([1.0, -1.0], 1.0, 2)


class TestNetworks:
    def test_tandem_totals_are_sums(self) -> None:
        """The path totals are the sums of the stations' figures."""
        net = tandem_mmc(1.0, [10.0, 2.0], [4, 1])
        assert net.wq == pytest.approx(sum(s.wq for s in net.stations))
        assert net.ws == pytest.approx(sum(s.ws for s in net.stations))
        assert net.lq == pytest.approx(sum(s.lq for s in net.stations))
        assert net.ls == pytest.approx(sum(s.ls for s in net.stations))
        assert net.ls == pytest.approx(net.throughput * net.ws)

    def test_tandem_stations_are_mmc(self) -> None:
        """Each station is an M/M/c queue at the external rate (Burke); the M/M/1 at λ=1, μ=2
        has Wq = 0.5/(2−1) = 0.5 and Ws = 1."""
        net = tandem_mmc(1.0, [10.0, 2.0], [4, 1])
        assert net.stations[0] == mmc(1.0, 10.0, 4)
        assert (net.stations[1].wq, net.stations[1].ws) == pytest.approx((0.5, 1.0))

    def test_ehrsim_path(self) -> None:
        """8 cores at 15 ms then 2 connections at 150 ms, 10 msg/s: the channel dominates."""
        net = tandem_mmc(10.0, [1 / 0.015, 1 / 0.15], [8, 2])
        transform, channel = net.stations
        assert transform.rho == pytest.approx(10 * 0.015 / 8)
        assert channel.rho == pytest.approx(0.75)
        # M/M/2 at a = 1.5: B(1) = 1.5/2.5 = 0.6, B(2) = 0.9/2.9 = 9/29,
        # C = B/(1 − 0.75·(1 − B)) = (9/29)/(14/29) = 9/14, Wq = C/(2/0.15 − 10) = 27/140 s.
        assert channel.p_wait == pytest.approx(9 / 14, rel=1e-12)
        assert channel.wq == pytest.approx(27 / 140, rel=1e-12)
        assert net.ws == pytest.approx(transform.ws + channel.ws)

    def test_jackson_of_a_series_is_the_tandem(self) -> None:
        """A routing matrix that sends 0 → 1 → 2 → out gives the tandem figures."""
        routing = [[0, 1, 0], [0, 0, 1], [0, 0, 0]]
        net = jackson_network([2.0, 0.0, 0.0], routing, [5.0, 3.0, 1.0], [1, 1, 3])
        tandem = tandem_mmc(2.0, [5.0, 3.0, 1.0], [1, 1, 3])
        for s, t in zip(net.stations, tandem.stations, strict=True):
            assert s.lam == pytest.approx(2.0)
            assert s.wq == pytest.approx(t.wq, rel=1e-12)
        assert net.ws == pytest.approx(tandem.ws, rel=1e-12)
        assert net.wq == pytest.approx(tandem.wq, rel=1e-12)

    def test_jackson_feedback_by_hand(self) -> None:
        """γ=(1, 0), P=[[0, .5], [.2, 0]]: λ1 = 1 + 0.2λ2, λ2 = 0.5λ1, so λ = (10/9, 5/9)."""
        net = jackson_network([1.0, 0.0], [[0, 0.5], [0.2, 0]], [2.0, 1.0], [1, 1])
        assert [s.lam for s in net.stations] == pytest.approx([10 / 9, 5 / 9], rel=1e-12)
        assert net.throughput == pytest.approx(1.0)
        assert net.ls == pytest.approx(net.throughput * net.ws, rel=1e-12)

    def test_jackson_single_station_feedback(self) -> None:
        """M/M/1 with γ=0.25, μ=1 and return probability 0.5: λ = 0.5, L = 1, W = L/γ = 4."""
        net = jackson_network([0.25], [[0.5]], [1.0], [1])
        assert net.stations[0].lam == pytest.approx(0.5)
        assert net.ws == pytest.approx(4.0, rel=1e-12)

    def test_jackson_engine_with_two_channels(self) -> None:
        """A shared transform station splitting 30/s into channels of 10/s and 20/s."""
        routing: list[list[float]] = [[0, 1 / 3, 2 / 3], [0, 0, 0], [0, 0, 0]]
        net = jackson_network([30.0, 0.0, 0.0], routing, [100.0, 8.0, 6.0], [1, 2, 4])
        assert [s.lam for s in net.stations] == pytest.approx([30.0, 10.0, 20.0])
        assert net.stations[2] == mmc(20.0, 6.0, 4)
        # Each message crosses the transform station and exactly one channel.
        per_message = net.stations[0].ws + (10 * net.stations[1].ws + 20 * net.stations[2].ws) / 30
        assert net.ws == pytest.approx(per_message, rel=1e-12)

    def test_network_invalid(self) -> None:
        """Closed routing, bad rows, shape errors and an overloaded station are refused."""
        with pytest.raises(ValueError, match="never leave"):
            jackson_network([1.0, 0.0], [[0, 1], [1, 0]], [5.0, 5.0], [1, 1])
        with pytest.raises(ValueError, match=r"routing row 0 sums to 1\.5 > 1"):
            jackson_network([1.0, 0.0], [[0.8, 0.7], [0, 0]], [5.0, 5.0], [1, 1])
        with pytest.raises(ValueError, match="2x2 matrix"):
            jackson_network([1.0, 0.0], [[0, 1, 0]], [5.0, 5.0], [1, 1])
        with pytest.raises(ValueError, match="must not all be zero"):
            jackson_network([0.0, 0.0], [[0, 1], [0, 0]], [5.0, 5.0], [1, 1])
        with pytest.raises(ValueError, match="station 1: unstable"):
            tandem_mmc(3.0, [10.0, 2.0], [1, 1])
        with pytest.raises(ValueError, match="mus has 2 stations but servers has 1"):
            tandem_mmc(1.0, [10.0, 2.0], [1])
        with pytest.raises(ValueError, match=r"servers\[0\] must be an integer >= 1"):
            tandem_mmc(1.0, [10.0], [0])


class TestProfile:
    def test_flat_profile_is_the_constant(self) -> None:
        """A flat profile arrives at its mean rate at every hour."""
        p = HourlyProfile(2500 / 3600)
        assert p.rate_at(0.0) == pytest.approx(2500 / 3600)
        assert p.rate_at(13.5 * HOUR) == pytest.approx(2500 / 3600)

    def test_profile_keeps_the_daily_volume(self) -> None:
        """The hourly numbers shape the day but a whole day still brings rate · 86400."""
        p = HourlyProfile(2500 / 3600, LAB_PROFILE)
        assert p.arrivals(0.0, DAY) == pytest.approx(2500 * 24, rel=1e-12)
        assert p.arrivals(7.25 * HOUR, 7.25 * HOUR + DAY) == pytest.approx(2500 * 24, rel=1e-12)

    def test_profile_hour_rate(self) -> None:
        """The lab profile's numbers sum to 100, so 08:00–09:00 runs at 12·24/100 × mean."""
        p = HourlyProfile(1.0, LAB_PROFILE)
        assert sum(LAB_PROFILE) == pytest.approx(100)
        assert p.rate_at(8.5 * HOUR) == pytest.approx(12 * 24 / 100, rel=1e-12)

    def test_week_multipliers(self) -> None:
        """Saturday (day 5) at 0.6 brings 0.6 of a weekday; a whole week brings 5 + 1.2 days."""
        p = HourlyProfile(1.0, LAB_PROFILE, [1, 1, 1, 1, 1, 0.6, 0.6])
        assert p.arrivals(5 * DAY, 6 * DAY) == pytest.approx(0.6 * DAY, rel=1e-12)
        assert p.arrivals(3 * DAY, 3 * DAY + WEEK) == pytest.approx(6.2 * DAY, rel=1e-12)
        assert p.arrivals(0.0, 3 * WEEK + DAY) == pytest.approx(19.6 * DAY, rel=1e-12)

    def test_profile_invalid(self) -> None:
        """Wrong counts, negative numbers and an all-zero day are refused."""
        with pytest.raises(ValueError, match="hourly needs 24 numbers, got 23"):
            HourlyProfile(1.0, [1.0] * 23)
        with pytest.raises(ValueError, match=r"week\[2\] must be a finite number >= 0"):
            HourlyProfile(1.0, [1.0] * 24, [1, 1, -1, 1, 1, 1, 1])
        with pytest.raises(ValueError, match="must not all be zero"):
            HourlyProfile(1.0, [0.0] * 24)
        with pytest.raises(ValueError, match="mean_rate must be a finite number > 0"):
            HourlyProfile(0.0)


class TestStallBacklog:
    def test_constant_rate(self) -> None:
        """A 7 h stall at 2500/h leaves 17 500 messages."""
        assert stall_backlog(2500 / 3600, 9 * HOUR, 7 * HOUR) == pytest.approx(17500.0)

    def test_profile_across_hours(self) -> None:
        """09:30–10:30 under the lab profile: half of hour 9 (9.0) and half of hour 10 (6.5),
        i.e. 0.5·(9.0 + 6.5)·24/100 × mean rate × 3600."""
        p = HourlyProfile(2500 / 3600, LAB_PROFILE)
        expected = 0.5 * (9.0 + 6.5) * 24 / 100 * 2500
        assert stall_backlog(p, 9.5 * HOUR, HOUR) == pytest.approx(expected, rel=1e-12)

    def test_december_stall_under_lab_profile(self) -> None:
        """09:00–16:00 covers hours 9..15: (9+6.5+5.5+5+5+4.8+4.5)·24/100 × 2500."""
        p = HourlyProfile(2500 / 3600, LAB_PROFILE)
        expected = (9.0 + 6.5 + 5.5 + 5.0 + 5.0 + 4.8 + 4.5) * 24 / 100 * 2500
        assert stall_backlog(p, 9 * HOUR, 7 * HOUR) == pytest.approx(expected, rel=1e-12)

    def test_partial_stall_keeps_some_capacity(self) -> None:
        """λ=1/s against half of 1.5/s for 100 s grows the backlog by (1 − 0.75)·100 = 25."""
        assert fluid_backlog(1.0, 0.75, 0.0, 100.0) == pytest.approx(25.0)
        assert fluid_backlog(1.0, 2.0, 0.0, 100.0, backlog=50.0) == 0.0
        assert fluid_backlog(HourlyProfile(1.0), 0.0, 0.0, 100.0) == pytest.approx(100.0)

    def test_stall_invalid(self) -> None:
        """A negative duration or rate is refused."""
        with pytest.raises(ValueError, match="duration must be a finite number >= 0"):
            stall_backlog(1.0, 0.0, -5.0)
        with pytest.raises(ValueError, match="rate must be a finite number >= 0"):
            stall_backlog(-1.0, 0.0, 5.0)


class TestDrain:
    def test_constant_drain(self) -> None:
        """1000 messages, capacity 2/s, arrivals 1/s: 1000/(2−1) = 1000 s."""
        assert drain_time(1000.0, 2.0, 1.0) == pytest.approx(1000.0)
        assert drain_time(0.0, 1.0, 2.0) == 0.0
        assert drain_time(10.0, 1.0, 1.0) == math.inf

    def test_flat_profile_drain_equals_constant(self) -> None:
        """With a flat profile the integrated fluid drains in B/(μ−λ)."""
        p = HourlyProfile(2500 / 3600)
        expected = 17500.0 / (40.0 - 2500 / 3600)
        assert drain_time_varying(17500.0, 40.0, p, 16 * HOUR) == pytest.approx(expected)
        assert drain_time_varying(17500.0, 40.0, 2500 / 3600, 16 * HOUR) == pytest.approx(expected)

    def test_drain_across_day_and_night(self) -> None:
        """Rate 2/s for 12 h then 0; capacity 1.5/s from B=100 at 00:00: the day adds
        0.5·43200 = 21600 (B = 21700), the night drains it in 21700/1.5 s."""
        p = HourlyProfile(1.0, [2.0] * 12 + [0.0] * 12)
        assert drain_time_varying(100.0, 1.5, p, 0.0) == pytest.approx(12 * HOUR + 21700 / 1.5)

    def test_drain_skips_whole_weeks(self) -> None:
        """Weekdays at 2/s and an empty weekend, capacity 1.5/s, B=1e6 on Monday 00:00:
        each week adds 0.5·5 days and removes 1.5·2 days, net −43 200. The backlog first
        empties in week k with 1e6 − 43200k ≤ 43200, k = 23 (B = 6400), on Saturday after
        (6400 + 216000)/1.5 s."""
        p = HourlyProfile(1.0, [1.0] * 24, [2, 2, 2, 2, 2, 0, 0])
        expected = 23 * WEEK + 5 * DAY + 222400 / 1.5
        assert drain_time_varying(1e6, 1.5, p, 0.0) == pytest.approx(expected, rel=1e-12)
        assert drain_time_varying(1e6, 1.5, p, 0.0, horizon=expected - 1.0) is None
        assert drain_time_varying(1e6, 1.5, p, 0.0, horizon=expected + 1.0) == pytest.approx(
            expected, rel=1e-12
        )

    def test_never_drains(self) -> None:
        """Capacity equal to the daily mean never clears a backlog: None, not a loop."""
        p = HourlyProfile(1.0, [2.0] * 12 + [0.0] * 12)
        assert drain_time_varying(100.0, 1.0, p, 0.0) is None
        assert drain_time_varying(100.0, 0.5, 1.0, 0.0) is None

    def test_horizon_cuts_the_search(self) -> None:
        """A drain that needs 1000 s is not found within a 999 s horizon."""
        assert drain_time_varying(1000.0, 2.0, HourlyProfile(1.0), 0.0, horizon=999.0) is None
        assert drain_time_varying(1000.0, 2.0, 1.0, 0.0, horizon=999.0) is None
        assert drain_time_varying(0.0, 2.0, HourlyProfile(1.0), 0.0, horizon=0.0) == 0.0

    def test_outage(self) -> None:
        """Stall of 100 s at 1/s then capacity 2/s: B = 100 drains in 100 s; at severity 0.5
        the remaining 1/s keeps up and nothing builds."""
        assert outage_drain_time(1.0, 2.0, 0.0, 100.0) == pytest.approx(100.0)
        assert outage_drain_time(1.0, 2.0, 0.0, 100.0, severity=0.5) == 0.0

    def test_outage_under_profile_composes(self) -> None:
        """The outage helper is the stall backlog followed by the varying drain."""
        p = HourlyProfile(2500 / 3600, LAB_PROFILE)
        backlog = stall_backlog(p, 9 * HOUR, 7 * HOUR)
        expected = drain_time_varying(backlog, 15.0, p, 16 * HOUR)
        assert expected is not None
        assert outage_drain_time(p, 15.0, 9 * HOUR, 7 * HOUR) == pytest.approx(expected)

    def test_drain_invalid(self) -> None:
        """Negative backlogs, capacities and severities are refused."""
        with pytest.raises(ValueError, match="backlog must be a finite number >= 0"):
            drain_time(-1.0, 2.0, 1.0)
        with pytest.raises(ValueError, match="capacity must be a finite number >= 0"):
            drain_time_varying(1.0, -2.0, HourlyProfile(1.0), 0.0)
        with pytest.raises(ValueError, match=r"severity must be in \[0, 1\]"):
            outage_drain_time(1.0, 2.0, 0.0, 1.0, severity=1.5)


class TestInvalidInputs:
    @pytest.mark.parametrize(
        ("call", "message"),
        [
            (lambda: mmc(2.0, 1.0, 1), r"unstable: utilisation rho = 2 >= 1"),
            (lambda: mmc(2.0, 1.0, 2), r"unstable: utilisation rho = 1 >= 1"),
            (lambda: mm1(1.0, 1.0), "unstable"),
            (lambda: erlang_c(2, 2.0), r"offered_load a = 2 erlangs on c = 2 servers"),
            (lambda: erlang_c(0, 0.5), "c must be an integer >= 1, got 0"),
            (lambda: erlang_b(2.5, 0.5), "c must be an integer >= 1, got 2.5"),  # type: ignore[arg-type]
            (lambda: erlang_b(2, -0.5), "offered_load must be a finite number >= 0"),
            (lambda: mmc(-1.0, 1.0, 1), "lam must be a finite number >= 0, got -1.0"),
            (lambda: mmc(1.0, 0.0, 2), "mu must be a finite number > 0, got 0.0"),
            (lambda: mmc(math.nan, 1.0, 2), "lam must be a finite number >= 0, got nan"),
            (lambda: mg1(1.0, 1.0, 1.0), "unstable"),
            (lambda: mg1(0.5, 1.0, -0.1), "scv must be a finite number >= 0"),
            (lambda: mg1(0.5, -1.0, 1.0), "mean_service must be a finite number > 0"),
            (lambda: mgc_allen_cunneen(4.0, 1.0, 4, 0.5), "unstable"),
            (lambda: mgc_allen_cunneen(1.0, 1.0, 4, 0.5, scv_a=-1.0), "scv_a must be"),
        ],
    )
    def test_refused_with_a_clear_message(self, call: Callable[[], object], message: str) -> None:
        """Unstable and invalid inputs raise ValueError naming the problem."""
        with pytest.raises(ValueError, match=message):
            call()


class TestScenarioHeaderFigures:
    """The closed forms written in the headers of scenarios/theory/*.yaml, recomputed."""

    def test_mm3(self) -> None:
        """mm3.yaml: λ=24/s, μ=10/s, c=3: C = 11.52/17.80 = 0.6472, Wq = C/6 = 0.1079 s."""
        m = mmc(24.0, 10.0, 3)
        assert m.p_wait == pytest.approx(11.52 / 17.80, rel=1e-12)
        assert m.wq == pytest.approx(11.52 / 17.80 / 6.0, rel=1e-12)
        assert m.lq == pytest.approx(2.589, abs=5e-4)

    def test_mg1_constant(self) -> None:
        """mg1-constant.yaml: M/D/1, λ=8/s, S=100 ms: Wq = 0.08/0.4 = 0.2 s, half of M/M/1."""
        assert mg1(8.0, 0.1, 0.0).wq == pytest.approx(0.2, rel=1e-12)
        assert mm1(8.0, 10.0).wq == pytest.approx(0.4, rel=1e-12)

    def test_mg1_lognormal(self) -> None:
        """mg1-lognormal.yaml: λ=7/s, E[S]=100 ms, cv=1.5: Wq = 7·0.0325/0.6 = 0.3792 s."""
        assert mg1(7.0, 0.1, 1.5**2).wq == pytest.approx(7 * 0.0325 / 0.6, rel=1e-12)

    def test_priority(self) -> None:
        """priority.yaml: λ=(1.6, 2.4, 4.0)/s, μ=10/s, c=1: W0 = 0.08 s,
        Wq = (0.08/0.84, 0.08/(0.84·0.6), 0.08/(0.6·0.2)) = (0.0952, 0.1587, 0.6667) s."""
        expected = (0.08 / 0.84, 0.08 / (0.84 * 0.6), 0.08 / (0.6 * 0.2))
        assert cobham_mg1_waits([1.6, 2.4, 4.0], 0.1, 1.0) == pytest.approx(expected)
        assert cobham_mmc_waits([1.6, 2.4, 4.0], 10.0, 1) == pytest.approx(expected)

    def test_tandem(self) -> None:
        """tandem.yaml: λ=10/s through M/M/2 (140 ms) then M/M/2 (160 ms): C = 2ρ²/(1+ρ),
        Wq1 = (0.98/1.7)/(100/7 − 10) = 0.1345 s, Wq2 = (1.28/1.8)/2.5 = 0.2844 s,
        end to end 0.7190 s."""
        net = tandem_mmc(10.0, [1 / 0.14, 1 / 0.16], [2, 2])
        wq1 = (0.98 / 1.7) / (100 / 7 - 10)
        wq2 = (1.28 / 1.8) / 2.5
        assert [s.wq for s in net.stations] == pytest.approx([wq1, wq2], rel=1e-12)
        assert net.ws == pytest.approx(wq1 + 0.14 + wq2 + 0.16, rel=1e-12)
