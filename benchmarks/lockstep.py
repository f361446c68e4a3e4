"""Contenders that take turns, each in its own process: fair ratios on a shared machine.

The machine the benchmark runs on is shared, and its load changes within seconds; run one after
the other, two contenders would be timed under different loads.  Here each contender runs in a
process of its own and they take turns: one does a step (a slice of its simulated time), then
passes the turn on and waits for it to come back.  So every contender is timed across the same
stretches of wall-clock time, each in its own process (its own heap and garbage collector, so
nobody pays for another's objects), and its CPU time (`time.process_time`, which blocking on a
semaphore does not consume) is its own.

A contender is a picklable callable taking a `turn` function, which it calls after each step,
and returning its result; it times itself (so that its imports and loading stay out of the
figure).  Turns pass round a ring of semaphores, skipping the
contenders that have finished; the done flags are written only by the contender that holds the
turn, so there is no race.
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Callable, Sequence
from multiprocessing.synchronize import Semaphore
from typing import Any

Turn = Callable[[], None]
"""Pass the turn on and wait for it to come back."""
Contender = Callable[[Turn], Any]


def _worker(
    k: int,
    fn: Contender,
    sems: Sequence[Semaphore],
    done: Any,
    conn: Any,
) -> None:
    n = len(sems)

    def pass_turn() -> bool:
        for step in range(1, n):
            j = (k + step) % n
            if not done[j]:
                sems[j].release()
                return True
        return False

    def turn() -> None:
        if pass_turn():
            sems[k].acquire()

    sems[k].acquire()
    try:
        message: tuple[str, Any] = ("ok", fn(turn))
    except BaseException:  # reported to the parent, which raises it
        message = ("error", traceback.format_exc())
    done[k] = True  # finished: hand the turn on before a send that could block
    pass_turn()
    conn.send(message)
    conn.close()


def run_lockstep(contenders: Sequence[Contender], timeout: float = 7200.0) -> list[Any]:
    """Run the contenders in turns, each in its own process; the result of each, in order.

    Raises:
        RuntimeError: When a contender raised (with its traceback) or did not finish.
    """
    ctx = multiprocessing.get_context("spawn")
    n = len(contenders)
    sems = [ctx.Semaphore(0) for _ in range(n)]
    done = ctx.Array("b", n, lock=False)
    pipes = [ctx.Pipe(duplex=False) for _ in range(n)]
    procs = [
        ctx.Process(target=_worker, args=(k, fn, sems, done, pipes[k][1]), daemon=True)
        for k, fn in enumerate(contenders)
    ]
    for proc in procs:
        proc.start()
    for _, send in pipes:
        send.close()
    sems[0].release()
    out: list[Any] = []
    try:
        for k, (recv, _) in enumerate(pipes):
            if not recv.poll(timeout):
                raise RuntimeError(f"contender {k} did not finish within {timeout:.0f} s")
            status, payload = recv.recv()
            if status != "ok":
                raise RuntimeError(f"contender {k} failed:\n{payload}")
            out.append(payload)
    finally:
        for proc in procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.terminate()
    return out
