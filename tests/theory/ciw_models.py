"""Ciw models of the networks the validation suite runs in ehrsim: the independent simulator.

Each function builds one Ciw network for the same queueing model as a scenario file of
`scenarios/theory/` (or the stall world of the suite), runs it once with its own seed and
returns the figures the suite compares: mean waits of customers that arrived after the
warm-up, or the number in the system sampled on a grid.  Ciw (Palmer, Knight, Harper & Tuson,
2019) shares no code with ehrsim: its own event list, its own random numbers (the `random`
module seeded through `ciw.seed`), its own queue disciplines and server schedules.

Mapping of an ehrsim channel to Ciw: a connection is a server, one `ack` draw is one service
time, the channel's queue is the node's queue; the transform station is a node of its own
(`cores` servers). Where the transform is a constant 1 ms on many cores (never a queue), it is
left out: a constant delay of a Poisson stream is the same Poisson stream, so it changes no
wait. A stall (`engine-stall` with `mode: hold`) is a server schedule with no server for its
window and no pre-emption: the sends under way finish, no new one starts, as in the engine.

Units: rates per second, times in seconds. Ciw's global seed makes these functions unsafe to
call from several threads at once; the suite runs them one after another.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import ciw
import numpy as np

CLASSES = ("stat", "urgent", "routine")
"""ehrsim's priority classes, highest first (Ciw priority 0 is served first)."""


@dataclass(frozen=True)
class Waits:
    """Waits in one queue of one Ciw run, customers arriving at or after the warm-up.

    Attributes:
        mean: Mean wait before service (seconds).
        p95: 95th percentile of the wait (seconds).
        count: Customers counted (served before the horizon).
    """

    mean: float
    p95: float
    count: int


def _waits(values: Sequence[float]) -> Waits:
    array = np.asarray(values, dtype=float)
    return Waits(float(array.mean()), float(np.quantile(array, 0.95)), int(array.size))


def _simulate(network: ciw.Network, horizon: float, seed: int) -> ciw.Simulation:
    ciw.seed(seed)
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(horizon)
    return sim


def mmc_waits(
    lam: float, mean_service: float, servers: int, horizon: float, warmup: float, seed: int
) -> Waits:
    """One run of the M/M/c queue (a channel with `servers` connections, exponential ack).

    Args:
        lam: Poisson arrival rate (per second).
        mean_service: Mean of the exponential service time (seconds).
        servers: Number of servers.
        horizon: Simulated time (seconds).
        warmup: Customers arriving before this are left out (seconds).
        seed: Ciw's seed for this run.

    Returns:
        The waits of the customers that arrived after the warm-up and were served.
    """
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(lam)],
        service_distributions=[ciw.dists.Exponential(1.0 / mean_service)],
        number_of_servers=[servers],
    )
    records = _simulate(network, horizon, seed).get_all_records()
    return _waits([r.waiting_time for r in records if r.arrival_date >= warmup])


def priority_waits(
    rates: Sequence[float],
    mean_service: float,
    servers: int,
    horizon: float,
    warmup: float,
    seed: int,
) -> tuple[Waits, ...]:
    """One run of the non-preemptive priority M/M/c queue, classes stat, urgent, routine.

    Args:
        rates: Poisson arrival rate of each class, highest priority first (per second).
        mean_service: Mean of the exponential service time, the same for every class (s).
        servers: Number of servers.
        horizon: Simulated time (seconds).
        warmup: Customers arriving before this are left out (seconds).
        seed: Ciw's seed for this run.

    Returns:
        The waits of each class, in the order of `rates`.
    """
    names = CLASSES[: len(rates)]
    network = ciw.create_network(
        arrival_distributions={
            n: [ciw.dists.Exponential(r)] for n, r in zip(names, rates, strict=True)
        },
        service_distributions={n: [ciw.dists.Exponential(1.0 / mean_service)] for n in names},
        number_of_servers=[servers],
        priority_classes={n: k for k, n in enumerate(names)},  # a dict: no pre-emption
    )
    records = _simulate(network, horizon, seed).get_all_records()
    return tuple(
        _waits(
            [r.waiting_time for r in records if r.customer_class == n and r.arrival_date >= warmup]
        )
        for n in names
    )


def tandem_waits(
    lam: float,
    mean_services: Sequence[float],
    servers: Sequence[int],
    horizon: float,
    warmup: float,
    seed: int,
) -> tuple[Waits, ...]:
    """One run of M/M/c stations in series (the transform station, then the channel).

    Args:
        lam: Poisson arrival rate into the first station (per second).
        mean_services: Mean exponential service time at each station, in path order (s).
        servers: Number of servers at each station, in path order.
        horizon: Simulated time (seconds).
        warmup: A visit that arrives at its station before this is left out (seconds).
        seed: Ciw's seed for this run.

    Returns:
        The waits at each station, in path order.
    """
    n = len(mean_services)
    routing = [[1.0 if j == i + 1 else 0.0 for j in range(n)] for i in range(n)]
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(lam)] + [None] * (n - 1),
        service_distributions=[ciw.dists.Exponential(1.0 / s) for s in mean_services],
        number_of_servers=list(servers),
        routing=routing,
    )
    records = _simulate(network, horizon, seed).get_all_records()
    return tuple(
        _waits([r.waiting_time for r in records if r.node == i + 1 and r.arrival_date >= warmup])
        for i in range(n)
    )


def outage_backlog(
    lam: float,
    mean_service: float,
    servers: int,
    stall_at: float,
    stall_for: float,
    horizon: float,
    step: float,
    seed: int,
) -> np.ndarray:
    """One run of an M/M/c queue whose servers are all off duty for a window.

    The schedule has `servers` servers, then none from `stall_at` for `stall_for`, then
    `servers` again; a customer in service when the window opens is served to the end.

    Args:
        lam: Poisson arrival rate (per second).
        mean_service: Mean of the exponential service time (seconds).
        servers: Number of servers outside the window.
        stall_at: Start of the window (seconds).
        stall_for: Length of the window (seconds).
        horizon: Simulated time (seconds).
        step: Sampling step of the backlog (seconds).
        seed: Ciw's seed for this run.

    Returns:
        The number of customers in the system (waiting or in service) at 0, step, 2 step, ...
        up to the horizon.
    """
    schedule = ciw.Schedule(
        numbers_of_servers=[servers, 0, servers],
        shift_end_dates=[stall_at, stall_at + stall_for, 2.0 * horizon],
        preemption=False,
    )
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(lam)],
        service_distributions=[ciw.dists.Exponential(1.0 / mean_service)],
        number_of_servers=[schedule],
    )
    sim = _simulate(network, horizon, seed)
    records = sim.get_all_records()
    waiting = [ind.arrival_date for node in sim.nodes[1:-1] for ind in node.all_individuals]
    arrivals = np.sort(np.array([r.arrival_date for r in records] + waiting))
    exits = np.sort(np.array([r.exit_date for r in records]))
    grid = np.arange(0.0, horizon + step / 2, step)
    inside = np.searchsorted(arrivals, grid, side="right") - np.searchsorted(
        exits, grid, side="right"
    )
    return inside.astype(float)


def normal_level(times: np.ndarray, backlog: np.ndarray, start: float, end: float) -> float:
    """A backlog's normal level: max(p99 of its samples in [start, end), 5), as recovery uses.

    Args:
        times: Sampling times (seconds).
        backlog: The samples.
        start: Start of the normal period (the warm-up's end).
        end: End of the normal period (the fault's start).

    Returns:
        The level a drained backlog returns to.
    """
    before = backlog[(times >= start) & (times < end)]
    return max(float(np.quantile(before, 0.99)), 5.0) if before.size else 5.0


def drain_time(times: np.ndarray, backlog: np.ndarray, stall_end: float, level: float) -> float:
    """Time from the end of a stall to the first sample at or below `level` (seconds).

    Works on ehrsim's `queue.<system>` samples and on :func:`outage_backlog` alike.

    Args:
        times: Sampling times (seconds).
        backlog: The samples.
        stall_end: When the stall ended (seconds).
        level: The normal level (see :func:`normal_level`).

    Returns:
        The drain time, or infinity when the backlog never gets back to `level`.
    """
    back = np.nonzero((times >= stall_end) & (backlog <= level))[0]
    return float(times[back[0]] - stall_end) if back.size else math.inf


def sample_at(times: np.ndarray, backlog: np.ndarray, t: float) -> float:
    """The sample taken at time `t` (the last one at or before it)."""
    return float(backlog[np.searchsorted(times, t + 1e-9) - 1])
