"""`python -m benchmarks`: measure the engine and write benchmarks/RESULTS.md.

Runs, in this order: a cProfile of the M/M/3 world and of one December replication; the M/M/3
channel in the engine, in Ciw and in a bare heapq loop (asserting the engine's Erlang C wait);
messages per CPU-second on the baseline and the December replay at a million messages each;
the backlog drain against the same world without its stall; peak memory at 1, 7 and 30 days;
replications on 1 and 2 workers and the December replay's 20 replications as a subprocess;
the imports, loading and plotting left out of all of these; and reading an engine's message
log of 300,000 HL7 messages, and the same as CSV (`sim.logs`).

Options: `--quick` for a smoke run on tiny sizes (seconds; its figures mean nothing),
`--repeats N` repetitions per figure (default 3), `--out FILE` (default
benchmarks/RESULTS.md).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from benchmarks.common import HERE, Sizes, head_commit, load_average, machine

T = TypeVar("T")


def _step(name: str, fn: Callable[[], T]) -> T:
    print(f"[benchmarks] {name} ...", file=sys.stderr, flush=True)
    start = time.perf_counter()
    result = fn()
    print(
        f"[benchmarks] {name}: done in {time.perf_counter() - start:.0f} s",
        file=sys.stderr,
        flush=True,
    )
    return result


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command's options."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description="Measure the engine; write RESULTS.md."
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run on tiny sizes")
    parser.add_argument("--repeats", type=int, default=3, help="repetitions per figure")
    parser.add_argument(
        "--out", type=Path, default=HERE / "RESULTS.md", help="where to write the results"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run every measurement and write the results file; return the exit code."""
    from benchmarks import backlog, logs, memory, mm3, overheads, parallel, profiling, throughput
    from benchmarks.analysis import NOTES
    from benchmarks.report import Results, render

    args = parse(argv)
    sizes = Sizes.quick() if args.quick else Sizes.full(max(1, args.repeats))
    command = "python -m benchmarks" + (" --quick" if args.quick else "")
    if not args.quick and args.repeats != 3:
        command += f" --repeats {args.repeats}"
    start = time.perf_counter()
    box = machine()
    profiles = _step("profile", lambda: profiling.measure(sizes))
    mm3_result = _step("M/M/3: engine, Ciw, heapq loop", lambda: mm3.measure(sizes))
    tput = _step("throughput: baseline, December", lambda: throughput.measure(sizes))
    drain = _step("backlog drain", lambda: backlog.measure(sizes))
    mem = _step("peak memory", lambda: memory.measure(sizes))
    par = _step("parallel replications", lambda: parallel.measure(sizes))
    over = _step("imports, loading, plotting", lambda: overheads.measure(sizes))
    read = _step("message logs: HL7, CSV", lambda: logs.measure(sizes))
    box.load_end = load_average()
    box.commit_end = head_commit()
    results = Results(
        machine=box,
        sizes=sizes,
        command=command,
        elapsed_s=time.perf_counter() - start,
        profiles=profiles,
        mm3=mm3_result,
        throughput=tput,
        backlog=drain,
        memory=mem,
        parallel=par,
        overheads=over,
        logs=read,
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(results, NOTES), encoding="utf-8")
    print(args.out, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
