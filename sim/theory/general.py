"""Queues with general service times: M/G/1 (exact) and M/G/c (approximate).

ehrsim's channel is an M/G/c queue whose service time is one ``ack`` draw (see the scenario
format, "Traffic and the path of a message"), so these are the formulas its checks use when the
ack distribution is not exponential. Units: rates per second, times in seconds. Variability is
given as a squared coefficient of variation, scv = Var[S] / E[S]² (1 for exponential, 0 for
constant, (sd/mean)² for lognormal(mean, sd), cv² for gamma(mean, cv)).
"""

from __future__ import annotations

from sim.theory import _checks
from sim.theory.markov import QueueMetrics, mmc


def mg1(lam: float, mean_service: float, scv: float) -> QueueMetrics:
    """Steady state of the M/G/1 FCFS queue by the Pollaczek–Khinchine mean-value formula.

    Source: Pollaczek–Khinchine formula (Gross, Shortle, Thompson & Harris, Fundamentals of
    Queueing Theory, 4th ed., ch. 5, M/G/1): Wq = λ E[S²] / (2(1 − ρ)) = ρ E[S] (1 + scv) /
    (2(1 − ρ)) with ρ = λ E[S]. With scv = 1 it is the M/M/1 result, with scv = 0 the M/D/1 one.
    The probability of waiting is ρ (the server is busy a share ρ of the time, and Poisson
    arrivals see time averages).

    Args:
        lam: Arrival rate λ (per second, ≥ 0).
        mean_service: Mean service time E[S] (seconds, > 0).
        scv: Squared coefficient of variation of the service time (≥ 0).

    Returns:
        The station's figures (exact).

    Raises:
        ValueError: On negative or non-finite inputs or ρ ≥ 1.
    """
    lam = _checks.nonnegative("lam", lam)
    s = _checks.positive("mean_service", mean_service)
    scv = _checks.nonnegative("scv", scv)
    rho = lam * s
    _checks.stable(rho, f"lam = {lam:.6g}/s, mean_service = {s:.6g}s")
    wq = rho * s * (1.0 + scv) / (2.0 * (1.0 - rho))
    return QueueMetrics.from_wait(lam, s, 1, rho, wq)


def mgc_allen_cunneen(
    lam: float, mean_service: float, c: int, scv_s: float, *, scv_a: float = 1.0
) -> QueueMetrics:
    """Approximate steady state of a GI/G/c FCFS queue (Allen–Cunneen approximation).

    Source: the Allen–Cunneen approximation (A. O. Allen, Probability, Statistics, and
    Queueing Theory with Computer Science Applications, 2nd ed., 1990, GI/G/c approximations):
    Wq ≈ Wq(M/M/c) · (scv_a + scv_s) / 2, with the M/M/c value taken at the same λ, mean service
    and c. This is an APPROXIMATION: it is exact for M/M/c (both scv = 1) and for M/G/1
    (c = 1, scv_a = 1, where it reduces to Pollaczek–Khinchine); otherwise it is a heavy-traffic
    style estimate, good at moderate to high load and weakest at light load with many servers. The
    probability of waiting is approximated by the Erlang C value.

    Args:
        lam: Arrival rate λ (per second, ≥ 0).
        mean_service: Mean service time E[S] (seconds, > 0).
        c: Number of servers (integer ≥ 1).
        scv_s: Squared coefficient of variation of the service time (≥ 0).
        scv_a: Squared coefficient of variation of the inter-arrival time (≥ 0); 1 for Poisson
            arrivals (the default, i.e. M/G/c).

    Returns:
        The station's figures; ``exact`` is True only in the cases where the formula is exact.

    Raises:
        ValueError: On invalid inputs or ρ = λ E[S] / c ≥ 1.
    """
    s = _checks.positive("mean_service", mean_service)
    scv_s = _checks.nonnegative("scv_s", scv_s)
    scv_a = _checks.nonnegative("scv_a", scv_a)
    base = mmc(lam, 1.0 / s, c)
    factor = (scv_a + scv_s) / 2.0
    exact = scv_a == 1.0 and (scv_s == 1.0 or base.servers == 1)
    return QueueMetrics.from_wait(
        base.lam, s, base.servers, base.p_wait, base.wq * factor, exact=exact
    )
