"""``ehrsim validate``, ``schema``, ``list``, ``metrics`` and ``theory``: the quick commands.

None of them writes files; ``theory`` alone runs replications.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from sim.cli.common import (
    EXIT_INPUT,
    EXIT_OK,
    Interrupted,
    ScenarioArg,
    SetOpt,
    consoles,
    fail,
    interruptible,
    load_or_exit,
    print_problems,
    print_warnings,
    replication_progress,
    table,
)


def validate(
    files: Annotated[
        list[str],
        typer.Argument(
            metavar="FILE...",
            help="Scenario files (or names of shipped scenarios) to check.",
            show_default=False,
        ),
    ],
) -> None:
    """Check scenario files without running them.

    Prints "OK" for each valid file and every problem of the others as file:line: key.path:
    message (on stderr). A complete scenario is checked with its compare variants; a partial
    one (partial: true, meant to be extended) for its keys and values only. Warnings (valid
    keys that have no effect, such as a fault at or after the horizon) are printed on stderr
    the same way and do not fail the file. Exit code 2 if any file has a problem, else 0.
    """
    from sim.scenario import validate_files

    bad = 0
    for name, result in zip(files, validate_files(files), strict=True):
        if result.error is None:
            consoles.out.print(Text(f"OK  {name}"), soft_wrap=True)
            print_warnings(result.warnings)
        else:
            bad += 1
            print_problems(str(result.error))
    if bad:
        consoles.err.print(f"{bad} of {len(files)} file(s) have problems")
        raise typer.Exit(EXIT_INPUT)


def schema() -> None:
    """Print the JSON Schema of scenario files.

    For editors (completion and checks while typing a scenario) and external tools that write
    scenarios; on stdout.
    """
    from sim.scenario import json_schema

    typer.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False))


def list_scenarios() -> None:
    """List the shipped scenarios by name and title.

    Stories first, then topologies/ (partial worlds to extend) and theory/ (examples checked
    against queueing theory). Run one with 'ehrsim run NAME'.
    """
    from sim.scenario import list_shipped

    table = Table(title="Shipped scenarios", title_justify="left")
    table.add_column("name")
    table.add_column("title")
    for name, title, _path in list_shipped():
        table.add_row(Text(name), Text(title))
    consoles.out.print(table)


def metrics() -> None:
    """List the metrics: path in summary.json, unit, meaning.

    These are the names hypotheses and 'compare --metric' use. <system> and <flow>/<class>
    stand for the scenario's destination systems, flows and priority classes (e.g.
    queues.labka.peak_backlog).
    """
    from sim.report.tables import metric_rows

    table = Table(title="Metrics (paths in summary.json)", title_justify="left")
    table.add_column("name", no_wrap=True)
    table.add_column("unit", no_wrap=True)
    table.add_column("description")
    for name, unit, description in metric_rows():
        table.add_row(Text(name), Text(unit), Text(description))
    consoles.out.print(table)


def theory(
    scenario: ScenarioArg,
    replications: Annotated[
        int | None,
        typer.Option(
            "--replications",
            min=1,
            metavar="N",
            help="Replications to run (default: the scenario's, at least 5 for a usable "
            "confidence interval).",
            show_default=False,
        ),
    ] = None,
    sets: SetOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Compare a scenario's simulated figures with queueing theory.

    For a scenario whose channels are M/G/c queues (Poisson flows at a flat rate, no faults,
    no filing capacity, timeouts far above the ACK times) this predicts each channel's mean
    wait, its p95 where known, queue lengths and flow latencies (Erlang C, Pollaczek-Khinchine,
    Cobham, Allen-Cunneen), runs replications, and shows each prediction beside the simulated
    mean, its 95% confidence interval and the relative error. For any other scenario it lists
    the reasons there is no closed form (exit code 0). Nothing is written to disk.
    """
    from sim.experiments.theory import MIN_REPLICATIONS, predict, theory_report
    from sim.report.tables import THEORY_HEADER, Section, theory_rows

    loaded = load_or_exit(scenario, list(sets or ()))
    if loaded.horizon is None:
        fail(f"scenario {loaded.name!r} has no horizon; add one, or --set horizon=3h")
    if not predict(loaded).closed_form:
        report = theory_report(loaded, replications)
    else:
        n = replications or max(loaded.replications, MIN_REPLICATIONS)
        bar, update = replication_progress(loaded, quiet, n)
        with interruptible(), bar:
            try:
                report = theory_report(loaded, n, progress=update)
            except Interrupted as exc:
                consoles.err.print("interrupted")
                raise typer.Exit(exc.code) from None
    consoles.out.print(Text(f"{report.title} ({report.scenario})", style="bold"))
    if not report.closed_form:
        consoles.out.print("No closed form for this scenario:")
        for reason in report.reasons:
            consoles.out.print(Text(f"  - {reason}"), soft_wrap=True)
        raise typer.Exit(EXIT_OK)
    for line in report.model:
        consoles.out.print(Text(f"  {line}"), soft_wrap=True)
    section = Section(
        f"Theory against {report.replications} replication(s)", THEORY_HEADER, theory_rows(report)
    )
    consoles.out.print(table(section))
    for note in report.notes:
        consoles.out.print(Text(f"note: {note}"), soft_wrap=True)
