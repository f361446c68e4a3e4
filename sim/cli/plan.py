"""``ehrsim plan``: the smallest value of one knob for which a target holds."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import Progress
from rich.text import Text

from sim.cli.common import (
    EXIT_INPUT,
    DaskOpt,
    ForceOpt,
    Interrupted,
    JobsOpt,
    QuietOpt,
    ScenarioArg,
    SetOpt,
    Signals,
    check_out_or_exit,
    check_runnable,
    consoles,
    executor_or_exit,
    fail,
    finish,
    interruptible,
    land,
    load_or_exit,
    out_option,
    print_problems,
    print_warnings,
    progress_bar,
    retyped,
    stage,
)
from sim.cli.report import ReportFormatOpt, ReportOpt, report_flags, report_format
from sim.cli.sweep import CacheOpt, GridOptions, NoCacheOpt

if TYPE_CHECKING:
    from sim.experiments.capacity import CapacityResult, Knob, Target
    from sim.experiments.sweep import Point

VaryOpt = Annotated[
    str,
    typer.Option(
        "--vary",
        metavar="KEY=LO..HI",
        help="The knob to size, as --set takes it, and its range, both ends included: whole "
        "numbers (1..8), or durations or rates with --step (10/s..40/s --step 5/s).",
        show_default=False,
    ),
]
StepOpt = Annotated[
    str | None,
    typer.Option(
        "--step",
        metavar="S",
        help="The grid's step, in the range's kind (default 1 for whole numbers).",
        show_default=False,
    ),
]
TargetOpt = Annotated[
    str,
    typer.Option(
        "--target",
        metavar="'METRIC OP VALUE'",
        help="What must hold, e.g. 'recovery_time_s < 30min': a metric of summary.json (see "
        "'ehrsim metrics'), OP one of <, <=, >, >=, and a value in the metric's unit or with "
        "units (30min, 95%).",
        show_default=False,
    ),
]
ConfidenceOpt = Annotated[
    float,
    typer.Option(
        "--confidence",
        metavar="C",
        help="One-sided confidence of each verdict: M < V holds when the upper bound of M's "
        "mean at C is below V.",
    ),
]
ReplicationsMaxOpt = Annotated[
    int,
    typer.Option(
        "--replications-max",
        min=1,
        metavar="N",
        help="The most replications a value gets while its interval still straddles the "
        "target (it starts at the scenario's 'replications').",
    ),
]


@dataclass
class _Options(GridOptions):
    """The command line of one ``ehrsim plan``."""

    ref: str
    vary: str
    step: str | None
    target: str
    confidence: float
    replications_max: int
    sets: list[str]
    report: str | None = None

    def command(self) -> list[str]:
        """The command as a user would retype it (for run.json)."""
        return retyped(
            ["ehrsim", "plan", self.ref],
            [
                ("--vary", self.vary),
                ("--step", self.step),
                ("--target", self.target),
                ("--confidence", self.confidence),
                ("--replications-max", self.replications_max),
                *self.placement(),
                ("--set", self.sets),
                *self.switches(),
            ],
        ) + report_flags(self.report)


def plan(
    scenario: ScenarioArg,
    vary: VaryOpt,
    target: TargetOpt,
    step: StepOpt = None,
    confidence: ConfidenceOpt = 0.95,
    replications_max: ReplicationsMaxOpt = 20,
    sets: SetOpt = None,
    jobs: JobsOpt = None,
    dask: DaskOpt = None,
    cache: CacheOpt = None,
    no_cache: NoCacheOpt = False,
    out_dir: Annotated[Path | None, out_option("results/<name>/plan-<run-id>/")] = None,
    force: ForceOpt = False,
    quiet: QuietOpt = False,
    report: ReportOpt = False,
    report_fmt: ReportFormatOpt = None,
) -> None:
    """Find the smallest value of one knob for which a target holds.

    E.g. 'ehrsim plan theory/stall --vary systems.server.connections=2..8 --target
    "recovery_time_s < 15min"' (answer: 3). A value meets 'M < V' when the one-sided upper bound
    of M's mean over the replications at --confidence is below V ('>' mirrors it); a replication
    in which M is null (never recovered) fails the target. The search assumes the metric is
    monotone in the knob (once met, the target stays met for larger values): it evaluates the
    top of the range, then bisects, so it simulates a few values, not all. Each value starts
    with the scenario's replications; where its interval still straddles the target it gets more
    (doubling, up to --replications-max); still straddling there, it is undecided and counts as
    not met. Values are evaluated exactly as 'ehrsim sweep' evaluates points (same replications,
    same cache).

    Prints the answer in a sentence and writes results/<name>/plan-<run-id>/ (or --out DIR):
    scenario.yaml, plan.json (answer, reason, runs, points), plan.png (the curve it saw, with
    intervals and the target) and run.json; report.html with --report.

    Exit codes: 0 ok (also when nothing in the range meets the target: plan.json says why);
    2 bad input (nothing run, nothing written); 3 an invariant broke or a guard stopped a
    replication; 130/143 interrupted (no results folder; finished replications stay in the
    cache).
    """
    options = _Options(
        jobs=jobs, dask=dask, cache=cache, no_cache=no_cache, out_dir=out_dir, force=force,
        quiet=quiet, ref=scenario, vary=vary, step=step, target=target, confidence=confidence,
        replications_max=replications_max, sets=list(sets or ()),
        report=report_format(report, report_fmt),
    )  # fmt: skip
    with interruptible() as signals, ExitStack() as stack:
        _plan(signals, stack, options)


def _question(options: _Options) -> tuple[Knob, Target]:
    """``--vary``, ``--step``, ``--target`` and ``--confidence`` read; exit 2 naming the one
    that cannot be."""
    from sim.experiments.capacity import CapacityError, check_confidence, parse_target, parse_vary

    options.check_cache()
    try:
        check_confidence(options.confidence)
        return parse_vary(options.vary, options.step), parse_target(options.target)
    except CapacityError as exc:
        fail(str(exc))


def _points(options: _Options, knob: Knob, target: Target) -> list[Point]:
    """One point per value, built and validated; exit 2 naming each that cannot run."""
    from sim.experiments.compare import check_metrics
    from sim.experiments.grid import GridError, Param, parse_params
    from sim.experiments.sweep import PointsError, load_points
    from sim.scenario import ScenarioError

    param = Param(knob.key, knob.values)
    try:
        parse_params([param], options.sets)
        points, warnings = load_points(options.ref, [param], options.sets)
    except GridError as exc:
        fail(str(exc).replace("--param", "--vary"))
    except ScenarioError as exc:
        print_problems(str(exc))
        raise typer.Exit(EXIT_INPUT) from None
    except PointsError as exc:
        lines = (line.replace("--param", "--vary") for line in exc.lines)
        print_problems("\n".join(f"error: {line}" for line in lines))
        raise typer.Exit(EXIT_INPUT) from None
    print_warnings(warnings)
    problems = check_metrics([target.metric], [p.scenario for p in points])
    if problems:
        print_problems("\n".join(f"error: --target: {p}" for p in problems))
        raise typer.Exit(EXIT_INPUT)
    start = points[0].scenario.replications
    if options.replications_max < start:
        fail(
            f"--replications-max {options.replications_max} is below the scenario's "
            f"replications ({start}); raise it or lower replications with --set replications=N"
        )
    for point in points:
        check_runnable(point.scenario, point.label)
    return points


def _progress(quiet: bool, key: str) -> tuple[Progress, Callable[[str, int, int], None]]:
    """A bar over the replications of the value being evaluated."""
    bar = progress_bar(quiet)
    task = bar.add_task("planning", total=None, clock="")
    done = [0]

    def update(value: str, replication: int, wanted: int) -> None:
        done[0] += 1
        bar.update(
            task, completed=done[0], clock=f"{key}={value} replication {replication}/{wanted}"
        )

    return bar, update


def _plan(signals: Signals, stack: ExitStack, options: _Options) -> None:
    """The command, with the executor held open on ``stack`` until the results are written."""
    import sim
    from sim.experiments.capacity import search
    from sim.experiments.sweep_cache import ReplicationCache
    from sim.report.plan import plan_record, plan_sentence, write_plan
    from sim.report.results import dump_json, write_scenario
    from sim.scenario import dump_yaml

    try:
        knob, target = _question(options)
        points = _points(options, knob, target)
        base = load_or_exit(options.ref, options.sets, warnings=False)
        if options.out_dir is not None:
            check_out_or_exit(options.out_dir, options.force)
        executor = stack.enter_context(executor_or_exit(options.jobs, options.dask))
        started = datetime.now()
        clock0 = time.monotonic()
        signals.deferred = True  # a signal now must not leave the new folder behind
        staging = stage(base, started, options.out_dir, options.force, prefix="plan-")
    except Interrupted as exc:
        consoles.err.print("interrupted")
        raise typer.Exit(exc.code) from None
    folder = options.cache_folder()
    cache = ReplicationCache(folder, sim.__version__) if folder is not None else None
    bar, update = _progress(options.quiet, knob.key)

    def work() -> CapacityResult:
        sha = write_scenario(staging.tmp, dump_yaml(base))
        with bar:
            result = search(
                points,
                knob,
                target,
                confidence=options.confidence,
                replications_max=options.replications_max,
                executor=executor,
                cache=cache,
                progress=update,
            )
        write_plan(staging.tmp, result, title=base.title or base.name)
        record = plan_record(
            result,
            run_id=staging.run_id,
            command=options.command(),
            scenario_sha256=sha,
            started=started,
            wall_s=time.monotonic() - clock0,
            executor=executor.describe(),
            cache=str(folder) if folder is not None else None,
        )
        (staging.tmp / "run.json").write_text(dump_json(record), encoding="utf-8")
        if options.report is not None:
            from sim.cli.common import installed_version
            from sim.report.publish import write_report

            write_report(staging.tmp, options.report, version=installed_version())
        return result

    result, final = land(staging, signals, work)
    if not options.quiet:
        consoles.out.print(Text(plan_sentence(result)), soft_wrap=True)
        consoles.err.print(Text(_cost_text(result)), soft_wrap=True)
    stopped = [p.stop_reason for p in result.points if p.stop_reason]
    finish(final, stopped, signals, quiet=options.quiet)


def _cost_text(result: CapacityResult) -> str:
    """What the answer cost, and what it assumed."""
    from sim.experiments.capacity import ASSUMPTION

    return (
        f"{result.runs} replications at {len(result.points)} of {len(result.knob.values)} "
        f"values (a full grid: {result.grid_runs}; {result.reused} reused from the cache); "
        f"the search {ASSUMPTION}"
    )
