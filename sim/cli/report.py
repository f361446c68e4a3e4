"""``ehrsim report``: the report of a results folder (a run's, a comparison's, a sweep's, a
plan's or a metastability map's), and the ``--report`` options that ``run``, ``compare``,
``sweep``, ``plan`` and ``metastability`` share."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from sim.cli.common import consoles, fail


class ReportFormat(StrEnum):
    """The formats of a report: HTML, Markdown, or both."""

    html = "html"
    md = "md"
    both = "both"


ReportOpt = Annotated[
    bool,
    typer.Option(
        "--report",
        help="Also write the report (report.html; see --report-format) into the results "
        "folder, as 'ehrsim report' would.",
    ),
]
ReportFormatOpt = Annotated[
    ReportFormat | None,
    typer.Option(
        "--report-format",
        help="The report's format: html (report.html), md (report.md and report-figures/) "
        "or both. Implies --report.",
        show_default=False,
    ),
]


def report_format(report: bool, fmt: ReportFormat | None) -> str | None:
    """The format ``--report``/``--report-format`` ask for (``None``: no report)."""
    if fmt is not None:
        return fmt.value
    return ReportFormat.html.value if report else None


def report_flags(fmt: str | None) -> list[str]:
    """The options that ask for ``fmt`` as a user would retype them (for run.json)."""
    if fmt is None:
        return []
    return ["--report"] if fmt == ReportFormat.html.value else ["--report-format", fmt]


def report(
    results_dir: Annotated[
        Path,
        typer.Argument(
            metavar="RESULTS_DIR",
            help="A results folder written by 'ehrsim run', 'compare', 'sweep', 'plan' or "
            "'metastability'.",
            show_default=False,
        ),
    ],
    fmt: Annotated[
        ReportFormat,
        typer.Option(
            "--format",
            help="html: one self-contained report.html (figures inside, printable); md: "
            "report.md with its figures in report-figures/; both.",
        ),
    ] = ReportFormat.html,
) -> None:
    """Write the report of a results folder of run, compare, sweep, plan or metastability.

    A run's report: the headline figures with their 95% intervals, the hypotheses, the
    scenario in words (flows, systems, each channel's effective strategy, faults), the fault
    timeline, the per-destination table, late orders by class, the people's work, the
    figures and the provenance. A comparison's: the ranking with what it ranks by and the
    intervals, the paired differences to the best, the trade-offs, the Pareto front, the
    warnings, every metric per variant, what each variant changes, and the same scenario,
    timeline, figures and provenance. A sweep's: what was swept (parameters, values,
    replications, metrics), the curve per metric in its 95% band (one parameter) or the
    heatmaps (two), the table of the points with their intervals, the scenario and the
    provenance. A plan's: the answer in a sentence, the question and the rule that judged each
    value, the curve with the target line, the values evaluated with their verdicts, the
    scenario and the provenance. A metastability map's: what was mapped (the fault, its
    magnitude and duration axes, the variants, the replications), the phase diagram, per
    variant how many points recover, are recovering at the horizon or stay degraded and what
    those classes mean, the table of the points, the scenario and the provenance. Everything
    comes from the folder alone: nothing is simulated again.

    Writes RESULTS_DIR/report.html and/or RESULTS_DIR/report.md (its figures in
    RESULTS_DIR/report-figures/), replacing a previous report, and prints their paths.

    Exit codes: 0 written; 2 not a results folder of run, compare, sweep, plan or
    metastability, a file it needs missing, or a file in it that does not parse (nothing written).
    """
    from sim.cli.common import installed_version
    from sim.report.folder import ReportError
    from sim.report.publish import write_report

    try:
        written = write_report(results_dir, fmt.value, version=installed_version())
    except ReportError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot write the report into {results_dir}: {exc.strerror or exc}")
    for path in written:
        consoles.out.print(Text(str(path)), soft_wrap=True)
