"""Closed-form queueing theory that the simulation is checked against.

Pure functions: no I/O, no simpy, no scipy. Rates are per second and times in seconds
throughout. Every function raises ValueError with a message naming the bad argument on invalid
input (negative rates, fewer than one server) and on unstable input (utilisation ρ ≥ 1).

- :mod:`sim.theory.markov`: Erlang B and C, M/M/c, M/M/1, the M/M/c wait distribution.
- :mod:`sim.theory.general`: M/G/1 (Pollaczek–Khinchine), M/G/c (Allen–Cunneen, approximate).
- :mod:`sim.theory.priority`: non-preemptive priority classes (Cobham), M/G/1 and M/M/c.
- :mod:`sim.theory.networks`: tandem M/M/c stations and open Jackson networks.
- :mod:`sim.theory.fluid`: the fluid model of an outage (backlog built, time to drain).
"""

from sim.theory.fluid import (
    DAY,
    HOUR,
    WEEK,
    HourlyProfile,
    Rate,
    drain_time,
    drain_time_varying,
    fluid_backlog,
    outage_drain_time,
    stall_backlog,
)
from sim.theory.general import mg1, mgc_allen_cunneen
from sim.theory.markov import (
    QueueMetrics,
    erlang_b,
    erlang_c,
    mm1,
    mmc,
    mmc_wait_quantile,
    mmc_wait_tail,
)
from sim.theory.networks import NetworkMetrics, jackson_network, tandem_mmc
from sim.theory.priority import cobham_mg1_waits, cobham_mmc_waits

__all__ = [
    "DAY",
    "HOUR",
    "WEEK",
    "HourlyProfile",
    "NetworkMetrics",
    "QueueMetrics",
    "Rate",
    "cobham_mg1_waits",
    "cobham_mmc_waits",
    "drain_time",
    "drain_time_varying",
    "erlang_b",
    "erlang_c",
    "fluid_backlog",
    "jackson_network",
    "mg1",
    "mgc_allen_cunneen",
    "mm1",
    "mmc",
    "mmc_wait_quantile",
    "mmc_wait_tail",
    "outage_drain_time",
    "stall_backlog",
    "tandem_mmc",
]
