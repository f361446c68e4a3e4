"""Markovian single-station queues: Erlang B and C, M/M/c and M/M/1.

Units: rates are per second and times are in seconds (any consistent pair of units works, since
every formula here is homogeneous in time).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sim.theory import _checks


@dataclass(frozen=True)
class QueueMetrics:
    """Steady-state figures of one queueing station with Poisson arrivals.

    The field names follow the textbook symbols (Wq, Lq, Ws, Ls). Every instance satisfies
    Little's law: ``lq == lam * wq`` and ``ls == lam * ws``.

    Attributes:
        lam: Arrival rate λ (per second).
        mean_service: Mean service time E[S] = 1/μ (seconds).
        servers: Number of parallel servers c.
        rho: Utilisation of each server, ρ = λ E[S] / c (dimensionless, < 1).
        p_wait: Probability that an arrival has to wait, P(Wq > 0).
        wq: Mean wait in queue before service starts, Wq (seconds).
        lq: Mean number waiting, Lq = λ Wq.
        ws: Mean sojourn (wait plus service), Ws = Wq + E[S] (seconds).
        ls: Mean number in the station, Ls = λ Ws.
        exact: False when the figures come from an approximation (e.g. Allen–Cunneen).
    """

    lam: float
    mean_service: float
    servers: int
    rho: float
    p_wait: float
    wq: float
    lq: float
    ws: float
    ls: float
    exact: bool = True

    @classmethod
    def from_wait(
        cls,
        lam: float,
        mean_service: float,
        servers: int,
        p_wait: float,
        wq: float,
        *,
        exact: bool = True,
    ) -> QueueMetrics:
        """Builds the figures from the mean wait, deriving the rest by Little's law.

        Little's law (L = λW; Little 1961) gives Lq and Ls, and Ws = Wq + E[S] holds for any
        work-conserving station, so only Wq and P(wait) differ between models.

        Args:
            lam: Arrival rate (per second).
            mean_service: Mean service time (seconds).
            servers: Number of servers.
            p_wait: Probability of waiting.
            wq: Mean wait in queue (seconds).
            exact: Whether ``wq`` is exact for the model it came from.

        Returns:
            The complete set of figures.
        """
        ws = wq + mean_service
        return cls(
            lam=lam,
            mean_service=mean_service,
            servers=servers,
            rho=lam * mean_service / servers,
            p_wait=p_wait,
            wq=wq,
            lq=lam * wq,
            ws=ws,
            ls=lam * ws,
            exact=exact,
        )


def erlang_b(c: int, offered_load: float) -> float:
    """Erlang B blocking probability of an M/M/c/c loss system.

    Source: Erlang's loss formula for M/M/c/c (Gross, Shortle, Thompson & Harris, Fundamentals
    of Queueing Theory, 4th ed., ch. 2), computed with the standard recursion B(0, a) = 1,
    B(k, a) = a·B(k−1, a) / (k + a·B(k−1, a)). The recursion only adds and divides positive
    numbers, so it neither overflows (no a^c or c!) nor cancels, for any c.

    Args:
        c: Number of servers (integer ≥ 1).
        offered_load: Offered load a = λ/μ in erlangs (≥ 0).

    Returns:
        The probability that all c servers are busy in the loss system.

    Raises:
        ValueError: If c < 1 or the load is negative or not finite.
    """
    c = _checks.servers("c", c)
    a = _checks.nonnegative("offered_load", offered_load)
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(c: int, offered_load: float) -> float:
    """Erlang C probability of waiting in an M/M/c queue.

    Source: Erlang's delay formula (Gross, Shortle, Thompson & Harris, Fundamentals of
    Queueing Theory, 4th ed., ch. 2, M/M/c), obtained from Erlang B as
    C(c, a) = B / (1 − ρ(1 − B)) with ρ = a/c, which inherits the stability of the B recursion.

    Args:
        c: Number of servers (integer ≥ 1).
        offered_load: Offered load a = λ/μ in erlangs (0 ≤ a < c).

    Returns:
        P(an arrival waits) = P(all servers busy), by PASTA.

    Raises:
        ValueError: If c < 1, the load is negative, or a ≥ c (no steady state).
    """
    c = _checks.servers("c", c)
    a = _checks.nonnegative("offered_load", offered_load)
    rho = a / c
    _checks.stable(rho, f"offered_load a = {a:.6g} erlangs on c = {c} servers")
    b = erlang_b(c, a)
    return b / (1.0 - rho * (1.0 - b))


def mmc(lam: float, mu: float, c: int) -> QueueMetrics:
    """Steady state of the M/M/c queue (FCFS, unlimited waiting room).

    Source: Gross, Shortle, Thompson & Harris, Fundamentals of Queueing Theory, 4th ed.,
    ch. 2 (M/M/c): Wq = C(c, a) / (cμ − λ) with a = λ/μ, then Lq, Ws, Ls by Little's law.

    Args:
        lam: Arrival rate λ (per second, ≥ 0).
        mu: Service rate μ of one server (per second, > 0).
        c: Number of servers (integer ≥ 1).

    Returns:
        The station's figures.

    Raises:
        ValueError: On a negative or non-finite rate, c < 1, or ρ = λ/(cμ) ≥ 1.
    """
    lam = _checks.nonnegative("lam", lam)
    mu = _checks.positive("mu", mu)
    c = _checks.servers("c", c)
    _checks.stable(lam / (c * mu), f"lam = {lam:.6g}/s, mu = {mu:.6g}/s, c = {c}")
    p_wait = erlang_c(c, lam / mu)
    return QueueMetrics.from_wait(lam, 1.0 / mu, c, p_wait, p_wait / (c * mu - lam))


def mm1(lam: float, mu: float) -> QueueMetrics:
    """Steady state of the M/M/1 queue: the M/M/c queue with c = 1.

    Source: Gross, Shortle, Thompson & Harris, 4th ed., ch. 2 (M/M/1): P(wait) = ρ,
    Wq = ρ / (μ − λ), Ws = 1 / (μ − λ).

    Args:
        lam: Arrival rate λ (per second, ≥ 0).
        mu: Service rate μ (per second, > 0).

    Returns:
        The station's figures.

    Raises:
        ValueError: On a negative or non-finite rate or ρ = λ/μ ≥ 1.
    """
    return mmc(lam, mu, 1)


def mmc_wait_tail(lam: float, mu: float, c: int, t: float) -> float:
    """Probability that an arrival to an M/M/c FCFS queue waits longer than ``t``.

    Source: Gross, Shortle, Thompson & Harris, 4th ed., ch. 2 (M/M/c waiting-time distribution):
    P(Wq > t) = C(c, a) · exp(−(cμ − λ) t) for t ≥ 0. At t = 0 this is the Erlang C value.

    Args:
        lam: Arrival rate λ (per second, ≥ 0).
        mu: Service rate μ of one server (per second, > 0).
        c: Number of servers (integer ≥ 1).
        t: Time (seconds, ≥ 0).

    Returns:
        P(Wq > t).

    Raises:
        ValueError: On invalid or unstable inputs, or a negative ``t``.
    """
    t = _checks.nonnegative("t", t)
    m = mmc(lam, mu, c)
    return m.p_wait * math.exp(-(c * mu - lam) * t)


def mmc_wait_quantile(lam: float, mu: float, c: int, q: float) -> float:
    """The ``q``-quantile of the wait in queue of an M/M/c FCFS queue.

    Inverts :func:`mmc_wait_tail`: the wait is 0 with probability 1 − C(c, a), so the quantile is
    0 when q ≤ 1 − C, and ln(C / (1 − q)) / (cμ − λ) otherwise. Useful to compare with the
    simulator's p95 of ``wait_s``.

    Args:
        lam: Arrival rate λ (per second, ≥ 0).
        mu: Service rate μ of one server (per second, > 0).
        c: Number of servers (integer ≥ 1).
        q: Probability level, 0 ≤ q < 1 (e.g. 0.95).

    Returns:
        The smallest t (seconds) with P(Wq ≤ t) ≥ q.

    Raises:
        ValueError: On invalid or unstable inputs, or q outside [0, 1).
    """
    if not 0.0 <= q < 1.0:
        raise ValueError(f"q must be in [0, 1), got {q!r}")
    m = mmc(lam, mu, c)
    if m.p_wait <= 1.0 - q:
        return 0.0
    return math.log(m.p_wait / (1.0 - q)) / (c * mu - lam)
