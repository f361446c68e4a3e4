"""The ``ehrsim`` command: run, compare and sweep scenarios, plan capacity, map metastability,
report on their results, import an engine's configuration, validate them, list what ships,
explain the metrics.

Thin by design: each command parses its arguments, calls the public API (:mod:`sim`,
:mod:`sim.scenario`, :mod:`sim.experiments`), and renders the result with rich; the files of
a run are the report layer's job (:mod:`sim.report`). One module per command group:

- :mod:`sim.cli.common`: the app, consoles, shared options, :func:`load_or_exit`, signals,
  progress bars and the results folder's staging;
- :mod:`sim.cli.run`: ``run``;
- :mod:`sim.cli.compare`: ``compare``;
- :mod:`sim.cli.sweep`: ``sweep``;
- :mod:`sim.cli.plan`: ``plan``;
- :mod:`sim.cli.metastability`: ``metastability``;
- :mod:`sim.cli.calibrate`: ``calibrate``;
- :mod:`sim.cli.report`: ``report``, and the ``--report`` options of ``run``, ``compare``,
  ``sweep`` and ``plan``;
- :mod:`sim.cli.log`: ``log`` (a traced run written as an engine's message log);
- :mod:`sim.cli.imports`: ``import mirth`` (an engine's configuration as a topology);
- :mod:`sim.cli.info`: ``validate``, ``schema``, ``list``, ``metrics``, ``theory``.

Exit codes (the format's contract): 0 ok; 1 a hypothesis failed (``run`` only: ``compare``
reports and exits 0); 2 bad input; 3 an invariant broke or a guard stopped the run; 130 and 143
interrupted by SIGINT and SIGTERM.
"""

from __future__ import annotations

from sim.cli import calibrate, compare, imports, info, log, metastability, plan, report, run, sweep
from sim.cli.common import (
    EXIT_BROKEN,
    EXIT_HYPOTHESIS,
    EXIT_INPUT,
    EXIT_OK,
    Interrupted,
    app,
    fail,
    interruptible,
    load_or_exit,
)

# Registered here, in the order 'ehrsim --help' lists them.
app.command()(run.run)
app.command()(compare.compare)
app.command()(sweep.sweep)
app.command()(plan.plan)
app.command()(metastability.metastability)
app.command()(calibrate.calibrate)
app.command()(report.report)
app.command()(log.log)
app.add_typer(imports.app, name="import")
app.command()(info.validate)
app.command()(info.schema)
app.command("list")(info.list_scenarios)
app.command()(info.metrics)
app.command()(info.theory)

__all__ = [
    "EXIT_BROKEN",
    "EXIT_HYPOTHESIS",
    "EXIT_INPUT",
    "EXIT_OK",
    "Interrupted",
    "app",
    "fail",
    "interruptible",
    "load_or_exit",
    "main",
]


def main() -> None:
    """Entry point of the ``ehrsim`` console script and ``python -m sim``."""
    app(prog_name="ehrsim")
