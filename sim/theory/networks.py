"""Open Jackson networks of M/M/c stations, and the tandem path of an ehrsim message.

Every message in ehrsim crosses two stations: the engine's transform station (``engine.cores``
servers) and then its destination's channel (``connections`` servers). When both service times
are exponential and arrivals are Poisson, these form an open Jackson network, whose stations
behave in steady state as independent M/M/c queues at the rates given by the traffic equations.
With other service distributions the departures are no longer Poisson and these results are
only an approximation. Units: rates per second, times in seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sim.theory import _checks
from sim.theory.markov import QueueMetrics, mmc

_ROW_SUM_TOLERANCE = 1e-9
_SPECTRAL_TOLERANCE = 1e-9


@dataclass(frozen=True)
class NetworkMetrics:
    """Steady-state figures of an open network, per station and per message.

    Attributes:
        stations: Each station's M/M/c figures, at its total arrival rate (``stations[i].lam``).
        throughput: Total external arrival rate, which equals the rate of leaving (per second).
        wq: Mean total time one message waits in queues over its whole path (seconds).
        ws: Mean total time one message spends in the network (seconds).
        lq: Mean number of messages waiting in all queues together.
        ls: Mean number of messages in the network; ``ls == throughput * ws`` (Little's law).
    """

    stations: tuple[QueueMetrics, ...]
    throughput: float
    wq: float
    ws: float
    lq: float
    ls: float


def _station_specs(mus: Sequence[float], servers: Sequence[int]) -> list[tuple[float, int]]:
    if len(mus) == 0:
        raise ValueError("a network needs at least one station")
    if len(mus) != len(servers):
        raise ValueError(f"mus has {len(mus)} stations but servers has {len(servers)}")
    return [
        (_checks.positive(f"mus[{i}]", mu), _checks.servers(f"servers[{i}]", c))
        for i, (mu, c) in enumerate(zip(mus, servers, strict=True))
    ]


def _station(i: int, lam: float, mu: float, c: int) -> QueueMetrics:
    try:
        return mmc(lam, mu, c)
    except ValueError as err:
        raise ValueError(f"station {i}: {err}") from None


def tandem_mmc(lam: float, mus: Sequence[float], servers: Sequence[int]) -> NetworkMetrics:
    """A series of M/M/c stations that every message crosses in order, fed by Poisson λ.

    Source: Burke's theorem (Burke 1956: the departures of a stable M/M/c queue form a Poisson
    process of rate λ), hence each station of the series is an M/M/c queue at rate λ and the
    stations are independent in steady state (Gross, Shortle, Thompson & Harris, Fundamentals of
    Queueing Theory, 4th ed., ch. 4, series queues). The per-message totals are the sums of the
    stations' figures.

    In ehrsim the path is ``tandem_mmc(lam, [1 / transform_mean, 1 / ack_mean],
    [cores, connections])``, which holds when the scenario has a single flow (the transform
    station is shared by every flow: use :func:`jackson_network` when there are several) and
    both the transform and the ack times are exponential.

    Args:
        lam: External Poisson arrival rate (per second, ≥ 0).
        mus: Service rate of one server at each station, in path order (per second, > 0).
        servers: Number of servers at each station, in path order (integers ≥ 1).

    Returns:
        Each station's figures and the totals along the path.

    Raises:
        ValueError: On invalid inputs, or if any station has ρ ≥ 1 (the message names it).
    """
    lam = _checks.nonnegative("lam", lam)
    stations = tuple(
        _station(i, lam, mu, c) for i, (mu, c) in enumerate(_station_specs(mus, servers))
    )
    return NetworkMetrics(
        stations=stations,
        throughput=lam,
        wq=sum(s.wq for s in stations),
        ws=sum(s.ws for s in stations),
        lq=sum(s.lq for s in stations),
        ls=sum(s.ls for s in stations),
    )


def jackson_network(
    external_rates: Sequence[float],
    routing: Sequence[Sequence[float]] | npt.NDArray[np.float64],
    mus: Sequence[float],
    servers: Sequence[int],
) -> NetworkMetrics:
    """Steady state of an open Jackson network of M/M/c stations.

    Source: Jackson (1957), "Networks of waiting lines", Operations Research 5(4):518–521;
    Gross, Shortle, Thompson & Harris, 4th ed., ch. 4 (open Jackson networks). The traffic
    equations λ = γ + Pᵀλ are solved as (I − Pᵀ)λ = γ; each station is then an independent
    M/M/c queue at its rate λ_i (product form). Per-message totals come from Little's law on
    the whole network: Ws = Σ_i L_i / Σ_i γ_i, and likewise Wq.

    For ehrsim with several flows: station 0 is the transform station (fed by every flow) and
    station j ≥ 1 is a channel, with ``routing[0][j]`` the share of the engine's traffic bound
    to that channel and rows j ≥ 1 all zero (a message leaves after its ACK).

    Args:
        external_rates: Poisson arrival rate γ_i from outside into each station (per second,
            ≥ 0, not all zero).
        routing: Square matrix P with P[i][j] the probability that a message leaving station
            i goes next to station j; each row sums to at most 1, the rest leaves the network.
        mus: Service rate of one server at each station (per second, > 0).
        servers: Number of servers at each station (integers ≥ 1).

    Returns:
        Each station's figures (``stations[i].lam`` is the solved λ_i) and the per-message
        totals.

    Raises:
        ValueError: On invalid inputs, a routing matrix from which some messages never leave,
            or a station with ρ ≥ 1 (the message names it).
    """
    specs = _station_specs(mus, servers)
    n = len(specs)
    if len(external_rates) != n:
        raise ValueError(f"external_rates has {len(external_rates)} stations, expected {n}")
    gamma = np.array(
        [_checks.nonnegative(f"external_rates[{i}]", g) for i, g in enumerate(external_rates)]
    )
    throughput = float(gamma.sum())
    if throughput <= 0.0:
        raise ValueError("external_rates must not all be zero")
    p = np.asarray(routing, dtype=float)
    if p.shape != (n, n):
        raise ValueError(f"routing must be a {n}x{n} matrix, got shape {p.shape}")
    if not np.all(np.isfinite(p)) or np.any(p < 0.0) or np.any(p > 1.0):
        raise ValueError("routing probabilities must be finite numbers in [0, 1]")
    row_sums = p.sum(axis=1)
    if np.any(row_sums > 1.0 + _ROW_SUM_TOLERANCE):
        bad = int(np.argmax(row_sums))
        raise ValueError(f"routing row {bad} sums to {row_sums[bad]:.6g} > 1")
    if float(np.max(np.abs(np.linalg.eigvals(p)))) >= 1.0 - _SPECTRAL_TOLERANCE:
        raise ValueError(
            "routing is not open: some messages never leave the network (a set of stations "
            "routes all of its output back into itself)"
        )
    lam = np.linalg.solve(np.eye(n) - p.T, gamma)
    lam = np.clip(lam, 0.0, None)
    stations = tuple(_station(i, float(lam[i]), mu, c) for i, (mu, c) in enumerate(specs))
    lq = sum(s.lq for s in stations)
    ls = sum(s.ls for s in stations)
    return NetworkMetrics(
        stations=stations,
        throughput=throughput,
        wq=lq / throughput,
        ws=ls / throughput,
        lq=lq,
        ls=ls,
    )
