"""Non-preemptive priority classes: Cobham's mean waits for M/G/1 and M/M/c.

Class order: index 0 is served first (ehrsim's ``stat``, ``urgent``, ``routine``). Within a
class the order is FCFS, and a message in service is never interrupted. Units: rates per
second, times in seconds; scv is the squared coefficient of variation of the service time.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from sim.theory import _checks
from sim.theory.markov import erlang_c


def _rates(rates: Sequence[float]) -> list[float]:
    if len(rates) == 0:
        raise ValueError("rates must name at least one class")
    return [_checks.nonnegative(f"rates[{k}]", r) for k, r in enumerate(rates)]


def _per_class(name: str, values: float | Sequence[float], n: int) -> list[float]:
    if isinstance(values, float | int):
        return [float(values)] * n
    if len(values) != n:
        raise ValueError(f"{name} has {len(values)} values but there are {n} classes")
    return [float(v) for v in values]


def _class_waits(w0: float, loads: list[float]) -> tuple[float, ...]:
    """W_k = W0 / ((1 − σ_{k−1})(1 − σ_k)), σ_k the cumulative load of classes 0..k."""
    sigma = [0.0, *itertools.accumulate(loads)]
    _checks.stable(sigma[-1], "total load of all priority classes")
    return tuple(w0 / ((1.0 - sigma[k]) * (1.0 - sigma[k + 1])) for k in range(len(loads)))


def cobham_mg1_waits(
    rates: Sequence[float],
    mean_services: float | Sequence[float],
    scvs: float | Sequence[float],
) -> tuple[float, ...]:
    """Mean wait in queue of each class of a non-preemptive priority M/G/1 queue.

    Source: Cobham (1954), "Priority assignment in waiting line problems", J. Oper. Res. Soc.
    America 2(1):70–76; also Larson & Odoni, Urban Operations Research (1981), §4.9:
    W_k = W0 / ((1 − σ_{k−1})(1 − σ_k)), with the mean residual work found in service
    W0 = Σ_i λ_i E[S_i²] / 2, E[S_i²] = E[S_i]² (1 + scv_i), and σ_k = Σ_{i≤k} λ_i E[S_i].
    With one class it is Pollaczek–Khinchine; the waits obey Kleinrock's conservation law
    Σ_k ρ_k W_k = ρ W0 / (1 − ρ).

    Args:
        rates: Arrival rate λ_k of each class (per second, ≥ 0), highest priority first.
        mean_services: Mean service time E[S_k] of each class (seconds, > 0), or one value
            for all classes.
        scvs: Squared coefficient of variation of each class's service time (≥ 0), or one
            value for all classes.

    Returns:
        The mean wait in queue W_k of each class (seconds), in the order of ``rates``.

    Raises:
        ValueError: On invalid inputs or a total load ρ = Σ λ_k E[S_k] ≥ 1.
    """
    lams = _rates(rates)
    n = len(lams)
    means = [
        _checks.positive(f"mean_services[{k}]", s)
        for k, s in enumerate(_per_class("mean_services", mean_services, n))
    ]
    cvs = [_checks.nonnegative(f"scvs[{k}]", v) for k, v in enumerate(_per_class("scvs", scvs, n))]
    loads = [lam * s for lam, s in zip(lams, means, strict=True)]
    w0 = sum(lam * s * s * (1.0 + v) for lam, s, v in zip(lams, means, cvs, strict=True)) / 2.0
    return _class_waits(w0, loads)


def cobham_mmc_waits(rates: Sequence[float], mu: float, c: int) -> tuple[float, ...]:
    """Mean wait in queue of each class of a non-preemptive priority M/M/c queue.

    Source: the multi-server form of Cobham's formula for a common exponential service rate
    (Larson & Odoni, Urban Operations Research (1981), §4.9.3): W_k = W0 / ((1 − σ_{k−1})
    (1 − σ_k)), where W0 = C(c, a) / (cμ) is the mean time until some server frees up
    (Erlang C times the mean of the minimum of c busy exponential servers), a = Σ λ_i / μ and
    σ_k = Σ_{i≤k} λ_i / (cμ). Exact only because every class has the same exponential service
    rate; the λ-weighted mean of the W_k equals the FCFS M/M/c wait.

    Args:
        rates: Arrival rate λ_k of each class (per second, ≥ 0), highest priority first.
        mu: Service rate of one server, common to all classes (per second, > 0).
        c: Number of servers (integer ≥ 1).

    Returns:
        The mean wait in queue W_k of each class (seconds), in the order of ``rates``.

    Raises:
        ValueError: On invalid inputs or a total load Σ λ_k / (cμ) ≥ 1.
    """
    lams = _rates(rates)
    mu = _checks.positive("mu", mu)
    c = _checks.servers("c", c)
    loads = [lam / (c * mu) for lam in lams]
    _checks.stable(sum(loads), f"total rate {sum(lams):.6g}/s, mu = {mu:.6g}/s, c = {c}")
    w0 = erlang_c(c, sum(lams) / mu) / (c * mu)
    return _class_waits(w0, loads)
