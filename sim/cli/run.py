"""``ehrsim run``: run a scenario and write its results folder."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from sim.cli.common import (
    EXIT_BROKEN,
    EXIT_HYPOTHESIS,
    EXIT_OK,
    DaskOpt,
    ForceOpt,
    Interrupted,
    JobsOpt,
    QuietOpt,
    ReplicationsOpt,
    ScenarioArg,
    SeedOpt,
    SetOpt,
    Signals,
    check_out_or_exit,
    check_runnable,
    consoles,
    executor_or_exit,
    fail,
    interruptible,
    land,
    leave,
    load_or_exit,
    out_option,
    replication_progress,
    stage,
    table,
    warn,
)
from sim.cli.report import ReportFormatOpt, ReportOpt, report_flags, report_format

if TYPE_CHECKING:
    from sim.experiments.plan import Plan
    from sim.experiments.run import RunResult
    from sim.scenario import Scenario


def _command(
    scenario: str,
    seed: int | None,
    replications: int | None,
    horizon: str | None,
    sets: Sequence[str],
    out_dir: Path | None,
    force: bool,
    quiet: bool,
    trace: bool,
    jobs: int | None = None,
    plot_replication: int | None = None,
    report: str | None = None,
    dask: str | None = None,
) -> list[str]:
    """The command as a user would retype it (for run.json)."""
    cmd = ["ehrsim", "run", scenario]
    if seed is not None:
        cmd += ["--seed", str(seed)]
    if replications is not None:
        cmd += ["--replications", str(replications)]
    if horizon is not None:
        cmd += ["--horizon", horizon]
    for assignment in sets:
        cmd += ["--set", assignment]
    if out_dir is not None:
        cmd += ["--out", str(out_dir)]
    cmd += [flag for flag, on in (("--force", force), ("--quiet", quiet), ("--trace", trace)) if on]
    if jobs is not None:
        cmd += ["--jobs", str(jobs)]
    if dask is not None:
        cmd += ["--dask", dask]
    if plot_replication is not None:
        cmd += ["--plot-replication", str(plot_replication)]
    return cmd + report_flags(report)


HorizonOpt = Annotated[
    str | None,
    typer.Option(
        "--horizon",
        metavar="DURATION",
        help="Simulated time instead of the scenario's 'horizon', e.g. 6h, 90min, 2d.",
        show_default=False,
    ),
]


def _replications(n: int) -> str:
    return f"{n} replication" if n == 1 else f"{n} replications"


def overlays(
    sets: Sequence[str], seed: int | None, replications: int | None, horizon: str | None
) -> list[str]:
    """``--set`` assignments followed by those of ``--seed``, ``--replications``, ``--horizon``.

    The explicit flags become overlays (applied last, so they win over a ``--set`` of the same
    key) so that scenario.yaml in the results says exactly what ran and reruns it unchanged.
    """
    from sim.scenario.units import UnitError, format_duration, parse_duration

    out = list(sets)
    if horizon is not None:
        try:
            seconds = parse_duration(horizon)
        except UnitError as exc:
            fail(f"--horizon: {exc}")
        out.append(f"horizon={format_duration(seconds)}")
    if seed is not None:
        out.append(f"seed={seed}")
    if replications is not None:
        out.append(f"replications={replications}")
    return out


def fit_warmup(ref: str, sets: Sequence[str], given: list[str]) -> list[str]:
    """`--horizon` may shorten any scenario: a warm-up it cuts into is dropped, with a warning.

    Latency and wait statistics then include the cold start of the shortened run.
    """
    base = load_or_exit(ref, sets, warnings=False)
    from sim.scenario.units import format_duration, parse_duration

    horizon = parse_duration(next(a for a in reversed(given) if a.startswith("horizon="))[8:])
    if base.warmup and base.warmup >= horizon:
        warn(
            f"--horizon {format_duration(horizon)} ends before the warm-up "
            f"({format_duration(base.warmup)}): the warm-up is dropped, so the statistics "
            "include the start of the run"
        )
        return [*given, "warmup=0s"]
    return given


def _show_plan(scenario: Scenario, p: Plan) -> None:
    from sim.report.tables import PLAN_HEADER, Section, overload_warnings, plan_rows

    section = Section(
        f"{scenario.title}: expected load ({p.messages:,.0f} messages per replication)",
        PLAN_HEADER,
        plan_rows(p),
    )
    consoles.out.print(table(section))
    for warning in overload_warnings(p):
        warn(warning)


def _show_summary(result: RunResult) -> None:
    from sim.report.tables import hypothesis_rows, summary_sections

    summary = result.summary
    n = len(result.replications)
    if n > 1:
        consoles.out.print(f"Figures are means over {n} replications (CI95 in summary.json).")
    for section in summary_sections(summary, result.scenario.start, result.horizon):
        consoles.out.print(table(section))
    rows = hypothesis_rows(summary)
    if rows:
        out = Table(title="Hypotheses", title_justify="left")
        for name in ("metric", "expected", "value", "result"):
            out.add_column(name, justify="left" if name == "metric" else "right")
        for metric, condition, value, passed in rows:
            verdict = Text("PASS", style="bold green") if passed else Text("FAIL", style="bold red")
            out.add_row(Text(metric), Text(condition), Text(value), verdict)
        consoles.out.print(out)


def run(
    scenario: ScenarioArg,
    seed: SeedOpt = None,
    replications: ReplicationsOpt = None,
    horizon: HorizonOpt = None,
    sets: SetOpt = None,
    out_dir: Annotated[Path | None, out_option("results/<name>/<run-id>/")] = None,
    force: ForceOpt = False,
    quiet: QuietOpt = False,
    trace: Annotated[
        bool,
        typer.Option(
            "--trace",
            help="Also write trace.csv: every step of every message (its creation, each "
            "attempt to deliver it and the answer, its exit; small runs), which 'ehrsim log' "
            "writes as an engine's log.",
        ),
    ] = False,
    jobs: JobsOpt = None,
    dask: DaskOpt = None,
    plot_replication: Annotated[
        int | None,
        typer.Option(
            "--plot-replication",
            min=1,
            metavar="N",
            help="Plot replication N (1 = the first) as it was sampled, instead of the mean "
            "over the replications with its 5th-95th percentile band (backlog.png, "
            "people.png, clinical.png).",
            show_default=False,
        ),
    ] = None,
    report: ReportOpt = False,
    report_fmt: ReportFormatOpt = None,
) -> None:
    """Run a scenario and write its results folder.

    Prints the expected load of each channel, a progress bar in simulated time, and after the
    run the summary (messages, backlogs, waits, recovery, late orders, hypotheses) and the
    results folder: results/<name>/<run-id>/ under the current directory, or --out DIR. It
    holds scenario.yaml, summary.json, run.json, timeseries.csv, latency.csv, events.csv,
    backlog.png, people.png, clinical.png and latency.png (replications.csv with several
    replications, trace.csv with --trace, report.html with --report); see results/README.md.

    Replications run on --jobs local processes, or on a Dask cluster with --dask; the
    figures are the same either way (run.json records which ran them).

    Exit codes: 0 ok; 1 a hypothesis failed; 2 bad input or an unusable --dask cluster
    (nothing written); 3 an invariant broke (nothing written) or a guard stopped the run
    (results written, "complete": false); 130/143 interrupted (nothing written).
    """
    with interruptible() as signals, ExitStack() as stack:
        _run(
            signals, stack, scenario, seed, replications, horizon, list(sets or ()), out_dir,
            force, quiet, trace, jobs, dask, plot_replication, report_format(report, report_fmt),
        )  # fmt: skip


def _run(
    signals: Signals,
    stack: ExitStack,
    ref: str,
    seed: int | None,
    replications: int | None,
    horizon: str | None,
    sets: list[str],
    out_dir: Path | None,
    force: bool,
    quiet: bool,
    trace: bool,
    jobs: int | None,
    dask: str | None,
    plot_replication: int | None,
    report: str | None,
) -> None:
    """The command, with the executor held open on ``stack`` until the results are written."""
    from sim.experiments.executors import default_jobs, runs_here
    from sim.experiments.run import run as run_scenario
    from sim.report.results import (
        dump_json,
        run_record,
        stop_reason,
        write_results,
        write_scenario,
    )
    from sim.scenario import dump_yaml

    try:
        given = overlays(sets, seed, replications, horizon)
        if horizon is not None:
            given = fit_warmup(ref, sets, given)
        scenario = load_or_exit(ref, given)
        if plot_replication is not None and plot_replication > scenario.replications:
            fail(
                f"--plot-replication {plot_replication}: the run has "
                f"{_replications(scenario.replications)}; choose 1 to {scenario.replications}"
            )
        p = check_runnable(scenario)
        if out_dir is not None:
            check_out_or_exit(out_dir, force)
        if not quiet:
            _show_plan(scenario, p)
        executor = stack.enter_context(executor_or_exit(jobs, dask))
        started = datetime.now()
        clock0 = time.monotonic()
        signals.deferred = True  # a signal now must not leave the new folder behind
        staging = stage(scenario, started, out_dir, force)
    except Interrupted as exc:
        consoles.err.print("interrupted")
        raise typer.Exit(exc.code) from None
    bar, update = replication_progress(scenario, quiet)
    workers = executor.workers
    progress: Callable[[int, float], None] = update
    if not runs_here(executor, scenario.replications):
        finished = [0]  # workers report whole replications, in any order

        def each_done(_replication: int, seconds: float) -> None:
            update(finished[0], seconds)
            finished[0] += 1

        progress = each_done

    def work() -> RunResult:
        sha = write_scenario(staging.tmp, dump_yaml(scenario))
        with bar:
            result = run_scenario(scenario, trace=trace, progress=progress, executor=executor)
        chosen = plot_replication - 1 if plot_replication is not None else None
        write_results(
            staging.tmp,
            result,
            trace=trace,
            jobs=min(workers, default_jobs()),
            plot_replication=chosen,
        )
        record = run_record(
            result,
            run_id=staging.run_id,
            command=_command(
                ref,
                seed,
                replications,
                horizon,
                sets,
                out_dir,
                force,
                quiet,
                trace,
                jobs,
                plot_replication,
                report,
                dask,
            ),
            scenario_sha256=sha,
            started=started,
            wall_s=time.monotonic() - clock0,
            executor=executor.describe(),
        )
        (staging.tmp / "run.json").write_text(dump_json(record), encoding="utf-8")
        if report is not None:
            from sim.cli.common import installed_version
            from sim.report.publish import write_report

            write_report(staging.tmp, report, version=installed_version())
        return result

    result, final = land(staging, signals, work)

    if not quiet:
        _show_summary(result)
    code = EXIT_OK
    if not result.complete:
        consoles.err.print(
            Text(f"stopped at a guard: {stop_reason(result)} (results marked incomplete)"),
            style="bold red",
            soft_wrap=True,
        )
        code = EXIT_BROKEN
    elif result.failed_hypotheses:
        names = ", ".join(h["metric"] for h in result.failed_hypotheses)
        consoles.err.print(Text(f"hypothesis failed: {names}"), style="bold red", soft_wrap=True)
        code = EXIT_HYPOTHESIS
    leave(final, code, signals, quiet=quiet)
