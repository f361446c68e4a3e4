"""A bare M/M/c simulation: a heapq event list and a deque queue, nothing else.

The benchmark's floor: the fastest honest pure-Python discrete-event loop of the same queue the
engine's M/M/3 world simulates (one station, FIFO, Poisson arrivals, exponential service).  It
keeps only what the comparison needs: customers completed and their mean wait (for customers
that arrived after the warm-up).  Random numbers come from :mod:`random` drawn one at a time,
as the simplest loop would draw them.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass
from heapq import heappop, heappush

ARRIVAL = 0
DEPARTURE = 1


@dataclass(frozen=True)
class LoopResult:
    """What one run of the bare loop leaves.

    Attributes:
        completed: Customers whose service ended before the horizon.
        arrivals: Customers that arrived before the horizon.
        mean_wait: Mean wait before service of customers that arrived after the warm-up and
            started service (seconds; 0 when there were none).
        waited: How many waits the mean is taken over.
    """

    completed: int
    arrivals: int
    mean_wait: float
    waited: int


def simulate_mmc(
    lam: float, mu: float, c: int, horizon: float, warmup: float = 0.0, seed: int = 1
) -> LoopResult:
    """Simulate an M/M/c FIFO queue up to `horizon` seconds.

    Args:
        lam: Arrival rate (per second).
        mu: Service rate of one server (per second).
        c: Number of servers.
        horizon: Simulated seconds.
        warmup: Waits of customers arriving before this are not counted (seconds).
        seed: Seed of the loop's own `random.Random`.

    Returns:
        The counts and the mean wait.
    """
    rng = random.Random(seed)
    expo = rng.expovariate
    heap: list[tuple[float, int, int]] = []
    queue: deque[float] = deque()
    push, pop = heappush, heappop
    idle = c
    seq = 0
    arrivals = completed = waited = 0
    wait_sum = 0.0
    push(heap, (expo(lam), seq, ARRIVAL))
    while heap:
        now, _, kind = pop(heap)
        if now >= horizon:
            break
        seq += 1
        if kind == ARRIVAL:
            arrivals += 1
            push(heap, (now + expo(lam), seq, ARRIVAL))
            if idle:
                idle -= 1
                if now >= warmup:
                    waited += 1
                seq += 1
                push(heap, (now + expo(mu), seq, DEPARTURE))
            else:
                queue.append(now)
        else:
            completed += 1
            if queue:
                arrived = queue.popleft()
                if arrived >= warmup:
                    wait_sum += now - arrived
                    waited += 1
                push(heap, (now + expo(mu), seq, DEPARTURE))
            else:
                idle += 1
    return LoopResult(completed, arrivals, wait_sum / waited if waited else 0.0, waited)
