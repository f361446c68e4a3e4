"""``ehrsim metastability``: which triggers each design survives, as a phase diagram."""

from __future__ import annotations

import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
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
    load_or_exit,
    out_option,
    print_problems,
    print_warnings,
    retyped,
    stage,
    table,
)
from sim.cli.compare import VariantOpt, extra_variants
from sim.cli.report import ReportFormatOpt, ReportOpt, report_flags, report_format
from sim.cli.run import HorizonOpt, fit_warmup, overlays
from sim.cli.sweep import CacheOpt, GridOptions, NoCacheOpt, cache_text, points_progress

if TYPE_CHECKING:
    from sim.experiments.map_axes import MapAxes
    from sim.experiments.metastability import MetastabilityResult
    from sim.experiments.sweep import Point

FaultOpt = Annotated[
    int | None,
    typer.Option(
        "--fault",
        metavar="N",
        help="The fault to vary: its index in the scenario's 'faults' (default: its only fault).",
        show_default=False,
    ),
]
MagnitudeOpt = Annotated[
    str | None,
    typer.Option(
        "--magnitude",
        metavar="LO..HI",
        help="The fault's severity, plain numbers, both ends included, in even steps "
        "(default: a quarter of its severity to all of it; for a factor such as a surge's, "
        "of its excess over 1: 1.4 maps 1.1..1.4).",
        show_default=False,
    ),
]
DurationOpt = Annotated[
    str | None,
    typer.Option(
        "--duration",
        metavar="LO..HI",
        help="The fault's 'for', with units, both ends included, in geometric steps "
        "(default: a quarter to four times its 'for').",
        show_default=False,
    ),
]
StepsOpt = Annotated[
    int,
    typer.Option("--steps", metavar="K", help="Values on each axis (at least 2)."),
]


@dataclass
class _Options(GridOptions):
    """The command line of one ``ehrsim metastability``."""

    ref: str
    fault: int | None
    magnitude: str | None
    duration: str | None
    steps: int
    variants: list[str]
    replications: int | None
    sets: list[str]
    seed: int | None
    horizon: str | None
    report: str | None = None

    def command(self) -> list[str]:
        """The command as a user would retype it (for run.json)."""
        return retyped(
            ["ehrsim", "metastability", self.ref],
            [
                ("--fault", self.fault),
                ("--magnitude", self.magnitude),
                ("--duration", self.duration),
                ("--steps", self.steps),
                ("--variant", self.variants),
                ("--replications", self.replications),
                ("--seed", self.seed),
                ("--horizon", self.horizon),
                *self.placement(),
                ("--set", self.sets),
                *self.switches(),
            ],
        ) + report_flags(self.report)


def metastability(
    scenario: ScenarioArg,
    fault: FaultOpt = None,
    magnitude: MagnitudeOpt = None,
    duration: DurationOpt = None,
    steps: StepsOpt = 6,
    variants: VariantOpt = None,
    replications: ReplicationsOpt = None,
    sets: SetOpt = None,
    seed: SeedOpt = None,
    horizon: HorizonOpt = None,
    jobs: JobsOpt = None,
    dask: DaskOpt = None,
    cache: CacheOpt = None,
    no_cache: NoCacheOpt = False,
    out_dir: Annotated[Path | None, out_option("results/<name>/metastability-<run-id>/")] = None,
    force: ForceOpt = False,
    quiet: QuietOpt = False,
    report: ReportOpt = False,
    report_fmt: ReportFormatOpt = None,
) -> None:
    """Map how strong and how long a trigger each design survives: the metastability map.

    Varies one fault (--fault N, or the scenario's only fault) in strength (its severity:
    --magnitude) and length (its 'for': --duration), --steps values each, on the baseline, on
    each compare variant of the scenario and on each --variant, and sorts every point by what
    its replications did in the last hour of the horizon, with the trigger gone: recovers
    (recovered within the horizon); recovering-at-horizon (not yet, but the backlog is still
    falling); stays-degraded (the backlog is not falling and goodput is below arrivals: its
    own retries, timeouts or backlog keep the system overloaded, a metastable failure). A
    point takes the class of most of its replications, a tie going to the worse.

    E.g. 'ehrsim metastability recovery-surge --jobs 2': immediate retry stays degraded after
    every stall on the map; jittered backoff and the drain limits recover or are recovering.

    Every point runs as an 'ehrsim sweep' point (common random numbers: replication i of
    every point and variant uses the scenario's seed and i; the same cache in
    results/.cache/, so an interrupted map resumes). Prints the classes per variant and
    writes results/<name>/metastability-<run-id>/ (or --out DIR): scenario.yaml,
    metastability.csv (variant, magnitude, duration_s, class, recovery_time_s,
    recovered_share, goodput_share: the last three as summary.json defines them),
    metastability.json, metastability.png (a panel per variant, the boundary drawn) and
    run.json; report.html with --report.

    Exit codes: 0 ok; 2 bad input (nothing run, nothing written); 3 an invariant broke
    (nothing written) or a guard stopped a point (results written, "complete": false);
    130/143 interrupted (no results folder; finished replications stay in the cache).
    """
    options = _Options(
        jobs=jobs, dask=dask, cache=cache, no_cache=no_cache, out_dir=out_dir, force=force,
        quiet=quiet, ref=scenario, fault=fault, magnitude=magnitude, duration=duration,
        steps=steps, variants=list(variants or ()), replications=replications,
        sets=list(sets or ()), seed=seed, horizon=horizon,
        report=report_format(report, report_fmt),
    )  # fmt: skip
    with interruptible() as signals, ExitStack() as stack:
        _metastability(signals, stack, options)


def _map(options: _Options, flags: Sequence[str]) -> tuple[MapAxes, list[Point]]:
    """The map's axes and points, built and validated; exit 2 naming what cannot be."""
    from sim.experiments.map_axes import MapError
    from sim.experiments.metastability import load_map
    from sim.experiments.sweep import PointsError
    from sim.scenario import ScenarioError

    options.check_cache()
    extra = extra_variants(options.variants)
    try:
        axes, points, warnings = load_map(
            options.ref,
            fault=options.fault,
            magnitude=options.magnitude,
            duration=options.duration,
            steps=options.steps,
            variants=extra,
            sets=options.sets,
            flags=flags,
        )
    except MapError as exc:
        fail(str(exc))
    except ScenarioError as exc:
        print_problems(str(exc))
        raise typer.Exit(EXIT_INPUT) from None
    except PointsError as exc:
        print_problems("\n".join(f"error: {line}" for line in exc.lines))
        raise typer.Exit(EXIT_INPUT) from None
    print_warnings(warnings)
    for point in points:
        check_runnable(point.scenario, point.label)
    return axes, points


def _metastability(signals: Signals, stack: ExitStack, options: _Options) -> None:
    """The command, with the executor held open on ``stack`` until the results are written."""
    import sim
    from sim.experiments.last_hour import CACHE_KIND
    from sim.experiments.metastability import run_map
    from sim.experiments.sweep_cache import ReplicationCache
    from sim.report.metastability import metastability_record, write_metastability
    from sim.report.results import dump_json, write_scenario
    from sim.scenario import dump_yaml

    try:
        flags = overlays([], options.seed, options.replications, options.horizon)
        if options.horizon is not None:
            flags = fit_warmup(options.ref, options.sets, flags)
        axes, points = _map(options, flags)
        base = load_or_exit(options.ref, [*options.sets, *flags], warnings=False)
        if options.out_dir is not None:
            check_out_or_exit(options.out_dir, options.force)
        executor = stack.enter_context(executor_or_exit(options.jobs, options.dask))
        started = datetime.now()
        clock0 = time.monotonic()
        signals.deferred = True  # a signal now must not leave the new folder behind
        staging = stage(base, started, options.out_dir, options.force, prefix="metastability-")
    except Interrupted as exc:
        consoles.err.print("interrupted")
        raise typer.Exit(exc.code) from None
    n = base.replications
    folder = options.cache_folder()
    cache = ReplicationCache(folder, sim.__version__, CACHE_KIND) if folder is not None else None
    bar, update = points_progress(points, n, options.quiet, "mapping")

    def work() -> MetastabilityResult:
        sha = write_scenario(staging.tmp, dump_yaml(base))
        with bar:
            result = run_map(axes, points, executor=executor, cache=cache, progress=update)
        write_metastability(staging.tmp, result, title=base.title or base.name)
        record = metastability_record(
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
    stopped = [p.stop_reason for p in result.points if p.stop_reason]
    finish(final, stopped, signals, quiet=options.quiet)


def _show(result: MetastabilityResult) -> None:
    """The map in a sentence and a table: per variant, how many points fall in each class."""
    from sim.experiments.recovery_class import CLASSES
    from sim.report.tables import Section

    axes = result.axes
    n = result.replications
    size = len(axes.magnitude.values) * len(axes.duration.values)
    consoles.out.print(
        Text(
            f"{result.scenario}: faults.{axes.index} ({axes.kind} '{axes.label}') at "
            f"{size} points ({axes.magnitude.key} {axes.magnitude.text} x {axes.duration.key} "
            f"{axes.duration.text}), {n} replication{'s' if n > 1 else ''} each from seed "
            f"{result.seed}"
        ),
        soft_wrap=True,
    )
    rows = [
        (variant, *(str(count) for count in result.counts(variant).values()))
        for variant in result.variants
    ]
    consoles.out.print(table(Section("", ("variant", *CLASSES), rows), title=False))
