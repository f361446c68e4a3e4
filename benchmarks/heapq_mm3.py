"""A bare M/M/c simulation: a heapq event list and a deque queue, nothing else.

The benchmark's floor: the fastest honest pure-Python discrete-event loop of the same queue the
engine's M/M/3 world simulates (one station, FIFO, Poisson arrivals, exponential service).  It
keeps only what the comparison needs: customers completed and their mean wait (for customers
that arrived after the warm-up).  Random numbers come from :mod:`random` drawn one at a time,
as the simplest loop would draw them.  It can run in slices (`advance`), so that the benchmark
can interleave it with the other contenders; the loop's state stays in local variables within
a slice.
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


class MmcLoop:
    """An M/M/c FIFO queue simulated by a bare event loop, resumable between slices."""

    def __init__(self, lam: float, mu: float, c: int, warmup: float = 0.0, seed: int = 1):
        """Set up the queue.

        Args:
            lam: Arrival rate (per second).
            mu: Service rate of one server (per second).
            c: Number of servers.
            warmup: Waits of customers arriving before this are not counted (seconds).
            seed: Seed of the loop's own `random.Random`.
        """
        self.lam, self.mu, self.warmup = lam, mu, warmup
        self.expo = random.Random(seed).expovariate
        self.heap: list[tuple[float, int, int]] = [(self.expo(lam), 0, ARRIVAL)]
        self.queue: deque[float] = deque()
        self.idle = c
        self.seq = 0
        self.arrivals = self.completed = self.waited = 0
        self.wait_sum = 0.0

    def advance(self, until: float) -> None:
        """Process every event before `until` (seconds)."""
        lam, mu, warmup, expo = self.lam, self.mu, self.warmup, self.expo
        heap, queue = self.heap, self.queue
        push, pop = heappush, heappop
        idle, seq = self.idle, self.seq
        arrivals, completed, waited = self.arrivals, self.completed, self.waited
        wait_sum = self.wait_sum
        while heap[0][0] < until:
            now, _, kind = pop(heap)
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
        self.idle, self.seq = idle, seq
        self.arrivals, self.completed, self.waited = arrivals, completed, waited
        self.wait_sum = wait_sum

    def result(self) -> LoopResult:
        """The counts and the mean wait so far."""
        mean = self.wait_sum / self.waited if self.waited else 0.0
        return LoopResult(self.completed, self.arrivals, mean, self.waited)


def simulate_mmc(
    lam: float, mu: float, c: int, horizon: float, warmup: float = 0.0, seed: int = 1
) -> LoopResult:
    """Simulate an M/M/c FIFO queue up to `horizon` seconds in one slice.

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
    loop = MmcLoop(lam, mu, c, warmup, seed)
    loop.advance(horizon)
    return loop.result()
