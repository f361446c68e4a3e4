"""`python -m benchmarks.whatif`: how long one what-if update takes (notebooks/05-what-if).

A slider change calls :func:`sim.teaching.whatif.update` (load the small world with the
settings, run one replication) and then draws :func:`sim.teaching.whatif.what_if_figure` and
renders it to PNG, as the sliders show it. The goal is about two seconds from a change to the
new figure. Each figure is the median over the repetitions, for several settings (a longer
stall and more connections change the work a run does); wall-clock and CPU seconds, since a
person waits on the wall clock but the machine is shared (the load average is printed).

Options: ``--repeats N`` (default 5).
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from benchmarks.common import load_average, median

if TYPE_CHECKING:
    from sim.teaching.whatif import Settings

GOAL_S = 2.0
"""About two seconds from a slider's change to the redrawn figure (issue 14)."""


def _settings() -> list[tuple[str, Settings]]:
    from sim.teaching.whatif import PER_PATIENT, SHARED_STRICT, Settings

    return [
        ("as shipped (2 h stall, strict, 1 connection)", Settings()),
        ("6 h stall", Settings(stall_h=6.0)),
        (
            "per-patient, 8 connections, drain 1/s",
            Settings(connections=8, design=PER_PATIENT, drain_per_s=1.0),
        ),
        ("one shared queue, strict", Settings(design=SHARED_STRICT)),
    ]


def _one(settings: Settings) -> tuple[float, float, float, float]:
    """(update wall, update CPU, update + figure + PNG wall, same CPU) of one change."""
    from sim.teaching.whatif import update, what_if_figure

    wall, cpu = time.perf_counter(), time.process_time()
    result = update(settings)
    update_wall, update_cpu = time.perf_counter() - wall, time.process_time() - cpu
    what_if_figure(result).savefig(io.BytesIO(), format="png", dpi=90)
    return update_wall, update_cpu, time.perf_counter() - wall, time.process_time() - cpu


def measure(repeats: int) -> str:
    """Time each setting ``repeats`` times; return a Markdown table with the conditions."""
    _one(_settings()[0][1])  # imports and the first load, before the clock runs
    load_before = load_average()
    rows = [
        "| setting | update wall s | update CPU s | with figure wall s | with figure CPU s |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    worst = 0.0
    for name, settings in _settings():
        times = [_one(settings) for _ in range(repeats)]
        columns = [median([t[i] for t in times]) for i in range(4)]
        worst = max(worst, columns[2])
        rows.append(f"| {name} | " + " | ".join(f"{c:.2f}" for c in columns) + " |")
    return "\n".join(
        [
            f"One what-if update of small-plug (one replication), median of {repeats}:",
            "",
            *rows,
            "",
            f"Slowest change to a redrawn figure: {worst:.2f} s wall (goal about {GOAL_S:g} s: "
            f"{'met' if worst <= GOAL_S else 'not met'}). Load average before: {load_before}; "
            f"after: {load_average()}.",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.whatif", description=__doc__)
    parser.add_argument("--repeats", type=int, default=5, help="repetitions per setting")
    args = parser.parse_args(argv)
    print(measure(max(1, args.repeats)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
