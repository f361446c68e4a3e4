"""``ehrsim sweep``: a scenario at every point of a grid of keys, and its results folder."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

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
    finish,
    interruptible,
    land,
    out_option,
    print_problems,
    print_warnings,
    progress_bar,
    retyped,
    stage,
)
from sim.cli.compare import render, split_columns
from sim.cli.report import ReportFormatOpt, ReportOpt, report_flags, report_format
from sim.cli.run import HorizonOpt, fit_warmup, overlays

if TYPE_CHECKING:
    from sim.experiments.grid import Param
    from sim.experiments.sweep import Point, SweepResult
    from sim.report.tables import Section

ParamOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--param",
        metavar="KEY=VALUES",
        help="A key to vary, as --set takes it, and its values: a list (1,2,4), a range of "
        "whole numbers with both ends included (1..8) or values with units (1h,3h,6h). "
        "Repeatable: several make the full grid, the first outermost.",
        show_default=False,
    ),
]
MetricOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--metric",
        metavar="M",
        help="A metric to tabulate at each point (a path in summary.json; see 'ehrsim "
        "metrics'). Repeatable; replaces the default set (that of 'ehrsim compare').",
        show_default=False,
    ),
]
CacheOpt = Annotated[
    Path | None,
    typer.Option(
        "--cache",
        metavar="DIR",
        help="Keep finished replications in DIR instead of results/.cache/ (a rerun of an "
        "interrupted sweep reuses them).",
        show_default=False,
    ),
]
NoCacheOpt = Annotated[
    bool,
    typer.Option("--no-cache", help="Neither reuse nor keep finished replications."),
]


@dataclass
class GridOptions:
    """What the commands of grids (``sweep``, ``plan``, ``metastability``) share on their
    command line: where the replications run, the cache, and the results folder."""

    jobs: int | None
    dask: str | None
    cache: Path | None
    no_cache: bool
    out_dir: Path | None
    force: bool
    quiet: bool

    def placement(self) -> list[tuple[str, object]]:
        """``--jobs``, ``--dask``, ``--cache`` and ``--out`` as :func:`retyped` takes them."""
        return [
            ("--jobs", self.jobs),
            ("--dask", self.dask),
            ("--cache", self.cache),
            ("--out", self.out_dir),
        ]

    def switches(self) -> list[tuple[str, object]]:
        """``--no-cache``, ``--force`` and ``--quiet`` as :func:`retyped` takes them."""
        return [("--no-cache", self.no_cache), ("--force", self.force), ("--quiet", self.quiet)]

    def check_cache(self) -> None:
        """Exit 2 when both ``--cache`` and ``--no-cache`` are given."""
        if self.cache is not None and self.no_cache:
            fail("--cache and --no-cache: give one of them")

    def cache_folder(self) -> Path | None:
        """Where finished replications are kept: ``--cache DIR``, ``results/.cache/``, or
        nowhere with ``--no-cache``."""
        from sim.experiments.sweep_cache import DEFAULT_CACHE

        return None if self.no_cache else (self.cache or DEFAULT_CACHE)


@dataclass
class _Options(GridOptions):
    """The command line of one ``ehrsim sweep``."""

    ref: str
    params: list[str]
    metrics: list[str]
    replications: int | None
    sets: list[str]
    seed: int | None
    horizon: str | None
    report: str | None = None

    def command(self) -> list[str]:
        """The command as a user would retype it (for run.json)."""
        return retyped(
            ["ehrsim", "sweep", self.ref],
            [
                ("--param", self.params),
                ("--metric", self.metrics),
                ("--replications", self.replications),
                ("--seed", self.seed),
                ("--horizon", self.horizon),
                *self.placement(),
                ("--set", self.sets),
                *self.switches(),
            ],
        ) + report_flags(self.report)


def sweep(
    scenario: ScenarioArg,
    params: ParamOpt = None,
    metrics: MetricOpt = None,
    replications: ReplicationsOpt = None,
    sets: SetOpt = None,
    seed: SeedOpt = None,
    horizon: HorizonOpt = None,
    jobs: JobsOpt = None,
    dask: DaskOpt = None,
    cache: CacheOpt = None,
    no_cache: NoCacheOpt = False,
    out_dir: Annotated[Path | None, out_option("results/<name>/sweep-<run-id>/")] = None,
    force: ForceOpt = False,
    quiet: QuietOpt = False,
    report: ReportOpt = False,
    report_fmt: ReportFormatOpt = None,
) -> None:
    """Run a scenario at every point of a grid of keys and tabulate each point's figures.

    Each --param names a key (as --set takes it) and its values; several make the full grid,
    the first outermost. Every point is validated before anything runs. Replication i of
    every point uses the scenario's seed and i exactly as 'ehrsim run' does (common random
    numbers), so a point's figures equal those of 'ehrsim run FILE --set KEY=V
    --replications N'. Prints a table of the points (each metric's mean and 95% interval) and
    writes results/<name>/sweep-<run-id>/ (or --out DIR): scenario.yaml, sweep.csv,
    sweep.json, run.json and sweep.png (a line with its 95% band per metric for one
    parameter, a heatmap per metric for two); report.html with --report.

    Finished replications are kept in results/.cache/ (or --cache DIR), keyed by the resolved
    scenario, the replication and the ehrsim version: a sweep interrupted and run again
    reuses every replication already finished, and says how many.

    --jobs N runs the replications on N local processes; --dask local on a Dask
    LocalCluster, --dask tcp://HOST:8786 (or tls://) on a running Dask cluster. Each task is
    one replication of one point and carries its resolved scenario; the results are the same
    whatever ran them.

    Default metrics: those of 'ehrsim compare' (recovery_time_s, peak_backlog, late.stat,
    order_to_result_all_s.stat.p95, retry_amplification, messages.lost,
    messages.duplicates, messages.dead_lettered, messages.shed, messages.expired,
    order_violations).

    Exit codes: 0 ok; 2 bad input (nothing run, nothing written); 3 an invariant broke
    (nothing written) or a guard stopped a point (results written, "complete": false);
    130/143 interrupted (no results folder; finished replications stay in the cache).
    """
    options = _Options(
        jobs=jobs, dask=dask, cache=cache, no_cache=no_cache, out_dir=out_dir, force=force,
        quiet=quiet, ref=scenario, params=list(params or ()), metrics=list(metrics or ()),
        replications=replications, sets=list(sets or ()), seed=seed, horizon=horizon,
        report=report_format(report, report_fmt),
    )  # fmt: skip
    with interruptible() as signals, ExitStack() as stack:
        _sweep(signals, stack, options)


def _params(options: _Options, flags: Sequence[str]) -> list[Param]:
    """The ``--param`` options read and checked; exit 2 naming the problem."""
    from sim.experiments.grid import GridError, parse_params

    options.check_cache()
    try:
        return parse_params(options.params, [*options.sets, *flags])
    except GridError as exc:
        fail(str(exc))


def _points(options: _Options, params: Sequence[Param], flags: Sequence[str]) -> list[Point]:
    """Every point built and validated; exit 2 naming each point that cannot run."""
    from sim.experiments.compare import check_metrics
    from sim.experiments.sweep import PointsError, load_points
    from sim.scenario import ScenarioError

    try:
        points, warnings = load_points(options.ref, params, options.sets, flags)
    except ScenarioError as exc:
        print_problems(str(exc))
        raise typer.Exit(EXIT_INPUT) from None
    except PointsError as exc:
        print_problems("\n".join(f"error: {line}" for line in exc.lines))
        raise typer.Exit(EXIT_INPUT) from None
    print_warnings(warnings)
    metrics = options.metrics or _default_metrics()
    problems = check_metrics(metrics, [p.scenario for p in points])
    if problems:
        print_problems("\n".join(f"error: --metric: {p}" for p in problems))
        raise typer.Exit(EXIT_INPUT)
    for point in points:
        check_runnable(point.scenario, point.label)
    return points


def _default_metrics() -> list[str]:
    from sim.experiments.compare import DEFAULT_METRICS

    return list(DEFAULT_METRICS)


def points_progress(
    points: Sequence[Point], n: int, quiet: bool, what: str = "sweeping"
) -> tuple[Progress, Callable[[int, int, bool], None]]:
    """A progress bar over every replication of every point (reused ones count at once)."""
    bar = progress_bar(quiet)
    task = bar.add_task(what, total=len(points) * n, clock="")
    finished = [0]

    def update(point: int, replication: int, _reused: bool) -> None:
        finished[0] += 1
        bar.update(
            task,
            completed=finished[0],
            clock=f"{points[point].label} replication {replication + 1}/{n}",
        )

    return bar, update


def _sweep(signals: Signals, stack: ExitStack, options: _Options) -> None:
    """The command, with the executor held open on ``stack`` until the results are written."""
    import sim
    from sim.experiments.sweep import run_points
    from sim.experiments.sweep_cache import ReplicationCache
    from sim.report.results import dump_json, write_scenario
    from sim.report.sweep import sweep_record, write_sweep
    from sim.scenario import dump_yaml

    metrics = options.metrics or _default_metrics()
    try:
        flags = overlays([], options.seed, options.replications, options.horizon)
        if options.horizon is not None:
            flags = fit_warmup(options.ref, options.sets, flags)
        params = _params(options, flags)
        points = _points(options, params, flags)
        base = _base(options, flags)
        if options.out_dir is not None:
            check_out_or_exit(options.out_dir, options.force)
        executor = stack.enter_context(executor_or_exit(options.jobs, options.dask))
        started = datetime.now()
        clock0 = time.monotonic()
        signals.deferred = True  # a signal now must not leave the new folder behind
        staging = stage(base, started, options.out_dir, options.force, prefix="sweep-")
    except Interrupted as exc:
        consoles.err.print("interrupted")
        raise typer.Exit(exc.code) from None
    n = base.replications
    folder = options.cache_folder()
    # keyed by the version of the code that runs (as the API keys it and Dask checks workers)
    cache = ReplicationCache(folder, sim.__version__) if folder is not None else None
    bar, update = points_progress(points, n, options.quiet)

    def work() -> SweepResult:
        sha = write_scenario(staging.tmp, dump_yaml(base))
        with bar:
            result = run_points(
                points, params, metrics, executor=executor, cache=cache, progress=update
            )
        write_sweep(staging.tmp, result, title=base.title or base.name)
        record = sweep_record(
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
        _show(result)
        if cache is not None:
            consoles.err.print(Text(cache_text(result.reused, result.ran, folder)), soft_wrap=True)
        if len(params) > 2:
            consoles.err.print(
                Text(f"no sweep.png: a grid of {len(params)} parameters has no plot (one or two)")
            )
    stopped = [p.stop_reason for p in result.points if not p.complete]
    finish(final, stopped, signals, quiet=options.quiet)


def cache_text(reused: int, ran: int, folder: Path | None) -> str:
    """What the cache gave: ``reused 12 of 16 replications from the cache (DIR); ran 4``."""
    return f"reused {reused} of {reused + ran} replications from the cache ({folder}); ran {ran}"


def _base(options: _Options, flags: Sequence[str]) -> Any:
    """The scenario every point starts from (for scenario.yaml and the folder's name)."""
    from sim.cli.common import load_or_exit

    return load_or_exit(options.ref, [*options.sets, *flags], warnings=False)


def _section(result: SweepResult) -> Section:
    """The table of the points: each value, then each metric as ``compare`` writes a figure
    (the mean ± half its 95 % interval, and why values are missing)."""
    from sim.report.compare_text import label
    from sim.report.comparison import figure_text
    from sim.report.tables import Section

    header = (*(p.key for p in result.params), *(label(m) for m in result.metrics))
    rows = [
        (
            *(value for _key, value in point.point.settings),
            *(figure_text(point.figures[m]) for m in result.metrics),
        )
        for point in result.points
    ]
    return Section("", header, rows)


def _show(result: SweepResult) -> None:
    n = result.replications
    consoles.out.print(
        Text(
            f"{result.scenario}: {len(result.points)} points, {n} replication"
            f"{'s' if n > 1 else ''} each from seed {result.seed}; each figure is the mean "
            "± half its 95% interval"
        ),
        soft_wrap=True,
    )
    section = _section(result)
    for part in split_columns(section, consoles.out.width, keep=len(result.params)):
        consoles.out.print(render(part))
