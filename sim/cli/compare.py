"""``ehrsim compare``: a scenario's variants on common random numbers, ranked, with intervals."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import Progress
from rich.table import Table
from rich.text import Text

from sim.cli.common import (
    EXIT_BROKEN,
    EXIT_INPUT,
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
    out_option,
    print_problems,
    print_warnings,
    progress_bar,
    stage,
    warn,
)
from sim.cli.report import ReportFormatOpt, ReportOpt, report_flags, report_format
from sim.cli.run import overlays

if TYPE_CHECKING:
    from sim.experiments.compare import Comparison
    from sim.report.tables import Section
    from sim.scenario import Scenario

VariantOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--variant",
        metavar="'NAME: {OVERLAY}'",
        help="One more variant, written like a compare entry of the scenario as a YAML flow "
        "mapping, e.g. --variant 'shared: {strategy: {queues: shared}}'. Repeatable; one with "
        "the name of a variant of the file replaces it.",
        show_default=False,
    ),
]
MetricOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--metric",
        metavar="M",
        help="A metric to compare (a path in summary.json; see 'ehrsim metrics'). Repeatable; "
        "replaces the default set. The first ranks the variants, the next break ties.",
        show_default=False,
    ),
]


@dataclass
class _Options:
    """The command line of one ``ehrsim compare``."""

    ref: str
    variants: list[str]
    metrics: list[str]
    seed: int | None
    replications: int | None
    sets: list[str]
    jobs: int | None
    out_dir: Path | None
    force: bool
    quiet: bool
    report: str | None = None
    dask: str | None = None

    def command(self) -> list[str]:
        """The command as a user would retype it (for run.json)."""
        cmd = ["ehrsim", "compare", self.ref]
        for text in self.variants:
            cmd += ["--variant", text]
        for metric in self.metrics:
            cmd += ["--metric", metric]
        for flag, value in (
            ("--seed", self.seed),
            ("--replications", self.replications),
            ("--jobs", self.jobs),
            ("--dask", self.dask),
        ):
            if value is not None:
                cmd += [flag, str(value)]
        for assignment in self.sets:
            cmd += ["--set", assignment]
        if self.out_dir is not None:
            cmd += ["--out", str(self.out_dir)]
        flags = [f for f, on in (("--force", self.force), ("--quiet", self.quiet)) if on]
        return cmd + flags + report_flags(self.report)


def compare(
    scenario: ScenarioArg,
    variants: VariantOpt = None,
    metrics: MetricOpt = None,
    seed: SeedOpt = None,
    replications: ReplicationsOpt = None,
    sets: SetOpt = None,
    jobs: JobsOpt = None,
    dask: DaskOpt = None,
    out_dir: Annotated[Path | None, out_option("results/<name>/compare-<run-id>/")] = None,
    force: ForceOpt = False,
    quiet: QuietOpt = False,
    report: ReportOpt = False,
    report_fmt: ReportFormatOpt = None,
) -> None:
    """Run a scenario's compare variants on common random numbers and rank them.

    Every variant (the scenario itself as 'baseline', its compare entries, then each
    --variant) runs the same replications from the same seed, so all of them see the same
    arrivals, patients, priorities and fault times. Prints the variants ranked by the first
    metric (lower is better, except goodput_share, recovered_share and messages.delivered;
    ties broken by the next) and every metric's mean with its 95% confidence interval; for
    each variant the paired per-replication difference to the best with its 95% interval (not
    distinguishable when it includes 0), whether it is on the Pareto front of the metrics,
    what it gives up (expired, shed, dead-lettered, lost, duplicated, on paper) to beat the
    baseline, the recovered share and the hypotheses it fails. Warns of fewer than 5
    replications and of a variant whose scenario equals another's. Writes
    results/<name>/compare-<run-id>/ (or --out DIR): scenario.yaml, summary.json,
    comparison.csv, run.json, each variant's variants/<name>/timeseries.csv and events.csv,
    backlog.png and metrics.png (report.html with --report).

    Default metrics: recovery_time_s, peak_backlog, late.stat, order_to_result_all_s.stat.p95,
    retry_amplification, messages.lost, messages.duplicates, messages.dead_lettered,
    messages.shed, messages.expired, order_violations.

    Every replication of every variant is one task for --jobs local processes or, with
    --dask, a Dask cluster; the figures are the same either way.

    Exit codes: 0 ok, also when a variant fails a hypothesis (compare reports, it does not
    judge); 2 bad input or an unusable --dask cluster (nothing written); 3 an invariant
    broke (nothing written) or a guard stopped a variant (results written, "complete":
    false); 130/143 interrupted (nothing written).
    """
    options = _Options(
        scenario, list(variants or ()), list(metrics or ()), seed, replications,
        list(sets or ()), jobs, out_dir, force, quiet, report_format(report, report_fmt), dask,
    )  # fmt: skip
    with interruptible() as signals, ExitStack() as stack:
        _compare(signals, stack, options)


def extra_variants(texts: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The ``--variant`` overlays by name; exit 2 naming the variant and the problem."""
    from pathlib import Path

    from sim.experiments.compare import parse_variant
    from sim.scenario import ScenarioError
    from sim.scenario.tree import absolute_paths

    extra: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    for text in texts:
        try:
            name, overlay = parse_variant(text)
        except ScenarioError as exc:
            problems.append(str(exc))
            continue
        if name in extra:
            problems.append(f"--variant {name}: named twice; give each variant its own name")
            continue
        extra[name] = absolute_paths(overlay, (), Path.cwd())
    if problems:
        print_problems("\n".join(problems))
        raise typer.Exit(EXIT_INPUT)
    return extra


def _load(options: _Options) -> tuple[dict[str, Scenario], dict[str, dict[str, Any]]]:
    """Every variant's scenario (base first) and every overlay; exit 2 on any problem."""
    from sim.scenario import ScenarioError, load_variants_with_warnings

    extra = extra_variants(options.variants)
    sets = overlays(options.sets, options.seed, options.replications, None)
    try:
        scenarios, warnings = load_variants_with_warnings(options.ref, sets, extra)
    except ScenarioError as exc:
        print_problems(str(exc))
        raise typer.Exit(EXIT_INPUT) from None
    print_warnings(warnings)
    base = next(iter(scenarios.values()))
    if len(scenarios) < 2:
        fail(
            f"scenario {base.name!r} has no compare variants; add a 'compare' section to it, "
            "or give variants with --variant 'NAME: {overlay}'"
        )
    return scenarios, {**base.compare, **extra}


def _check(scenarios: Mapping[str, Scenario], metrics: Sequence[str]) -> None:
    """Exit 2 for unknown metrics or a variant that cannot run; warn of ignored keys, of too
    few replications and of variants that repeat another's scenario."""
    from sim.experiments.compare import check_metrics
    from sim.experiments.verdicts import identical_variants, scenario_key, warnings_for

    problems = check_metrics(metrics, scenarios.values())
    if problems:
        print_problems("\n".join(f"error: --metric: {p}" for p in problems))
        raise typer.Exit(EXIT_INPUT)
    names = list(scenarios)
    base = scenarios[names[0]]
    for k, (name, scenario) in enumerate(scenarios.items()):
        check_runnable(scenario, None if k == 0 else f"variant {name!r}")
        ignored = [
            key for key in ("seed", "replications") if getattr(scenario, key) != getattr(base, key)
        ]
        if ignored:
            warn(
                f"variant {name!r} sets {' and '.join(ignored)}, which compare ignores: every "
                f"variant runs {base.replications} replication(s) from seed {base.seed} "
                "(common random numbers)"
            )
    keys = {name: scenario_key(scenario) for name, scenario in scenarios.items()}
    for message in warnings_for(base.replications, identical_variants(keys)):
        warn(message)


def _progress(
    scenarios: Mapping[str, Scenario], n: int, quiet: bool
) -> tuple[Progress, Callable[[str, int, float], None]]:
    """A progress bar in simulated time over every replication of every variant."""
    horizons = {name: float(s.horizon or 0.0) for name, s in scenarios.items()}
    place = {name: k + 1 for k, name in enumerate(scenarios)}
    start = next(iter(scenarios.values())).start
    bar = progress_bar(quiet)
    total = sum(horizons.values()) * n
    task = bar.add_task("simulating", total=max(total, 1e-9), clock="")
    reached: dict[tuple[str, int], float] = {}

    def update(variant: str, replication: int, seconds: float) -> None:
        reached[(variant, replication)] = seconds
        moment = start + timedelta(seconds=seconds)
        bar.update(
            task,
            completed=sum(reached.values()),
            clock=f"{variant} ({place[variant]}/{len(place)}) replication {replication + 1}/{n}"
            f"  {moment:%a %d %b %H:%M}",
        )

    return bar, update


def _compare(signals: Signals, stack: ExitStack, options: _Options) -> None:
    """The command, with the executor held open on ``stack`` until the results are written."""
    from sim.experiments.compare import DEFAULT_METRICS
    from sim.experiments.compare import compare as run_comparison
    from sim.report.comparison import compare_record, write_comparison
    from sim.report.results import dump_json, write_scenario
    from sim.scenario import dump_yaml

    metrics = options.metrics or list(DEFAULT_METRICS)
    try:
        scenarios, given = _load(options)
        base = next(iter(scenarios.values()))
        _check(scenarios, metrics)
        if options.out_dir is not None:
            check_out_or_exit(options.out_dir, options.force)
        executor = stack.enter_context(executor_or_exit(options.jobs, options.dask))
        started = datetime.now()
        clock0 = time.monotonic()
        signals.deferred = True  # a signal now must not leave the new folder behind
        staging = stage(base, started, options.out_dir, options.force, prefix="compare-")
    except Interrupted as exc:
        consoles.err.print("interrupted")
        raise typer.Exit(exc.code) from None
    n = base.replications
    bar, update = _progress(scenarios, n, options.quiet)

    def work() -> Comparison:
        written = base.model_copy(update={"compare": given})
        sha = write_scenario(staging.tmp, dump_yaml(written))
        with bar:
            comparison = run_comparison(
                scenarios,
                metrics,
                progress=update,
                overlays=given,
                executor=executor,
            )
        write_comparison(staging.tmp, comparison)
        record = compare_record(
            comparison,
            run_id=staging.run_id,
            command=options.command(),
            scenario_sha256=sha,
            started=started,
            wall_s=time.monotonic() - clock0,
            executor=executor.describe(),
        )
        (staging.tmp / "run.json").write_text(dump_json(record), encoding="utf-8")
        if options.report is not None:
            from sim.cli.common import installed_version
            from sim.report.publish import write_report

            write_report(staging.tmp, options.report, version=installed_version())
        return comparison

    comparison, final = land(staging, signals, work)

    if not options.quiet:
        _show(comparison)
    leave(final, _verdict(comparison), signals, quiet=options.quiet)


def _verdict(comparison: Comparison) -> int:
    """Exit 3 when a guard stopped a variant; otherwise 0, failed hypotheses only noted."""
    failing = [name for name, v in comparison.variants.items() if v.failed_hypotheses]
    if failing:
        consoles.err.print(
            Text(f"hypotheses failed in: {', '.join(failing)} (compare reports them; exit 0)"),
            style="yellow",
            soft_wrap=True,
        )
    stopped = [
        f"{name}: {v.result.stop_reason}"
        for name, v in comparison.variants.items()
        if not v.complete
    ]
    if stopped:
        consoles.err.print(
            Text(f"stopped at a guard: {'; '.join(stopped)} (results marked incomplete)"),
            style="bold red",
            soft_wrap=True,
        )
        return EXIT_BROKEN
    return EXIT_OK


_TEXT_COLUMNS = ("variant", "failed hypotheses", "wins by giving up")
"""Columns of text (left-aligned); the others hold figures (right-aligned)."""


def _width(section: Section, i: int) -> int:
    """Characters column ``i`` needs on screen, its padding and border included."""
    cells = [section.header[i], *(row[i] for row in section.rows)]
    return 3 + max(len(line) for cell in cells for line in cell.split("\n"))


def split_columns(section: Section, width: int, keep: int = 1) -> list[Section]:
    """The section cut by columns into tables that each fit ``width`` characters.

    The first ``keep`` columns (the variant) start every part; a column wider than the
    screen gets a part of its own (rich wraps it).
    """
    from sim.report.tables import Section

    widths = [_width(section, i) for i in range(len(section.header))]
    fixed = 1 + sum(widths[:keep])
    parts: list[list[int]] = []
    used = width
    for i in range(keep, len(widths)):
        if not parts or used + widths[i] > width:
            parts.append([])
            used = fixed
        parts[-1].append(i)
        used += widths[i]
    out = []
    for k, columns in enumerate(parts or [[]]):
        chosen = [*range(keep), *columns]
        title = section.title if k == 0 else f"(continued {k + 1}/{len(parts)})"
        out.append(
            Section(
                title,
                tuple(section.header[i] for i in chosen),
                [tuple(row[i] for i in chosen) for row in section.rows],
            )
        )
    return out


def render(section: Section) -> Table:
    """A rich table: text columns left-aligned, figures right-aligned."""
    lines = any("\n" in cell for row in section.rows for cell in row)
    out = Table(title=section.title, title_justify="left", show_lines=lines)
    for i, name in enumerate(section.header):
        text = name in _TEXT_COLUMNS
        out.add_column(name, justify="left" if text else "right", no_wrap=i == 0)
    for row in section.rows:
        out.add_row(*(Text(cell) for cell in row))
    return out


def _show(comparison: Comparison) -> None:
    from sim.report.comparison import ranked_section, trade_off_lines

    consoles.out.print(
        Text(
            f"{comparison.scenario}: {len(comparison.variants)} variants, "
            f"{comparison.replications} replication(s) each from seed {comparison.seed}"
        ),
        soft_wrap=True,
    )
    for part in split_columns(ranked_section(comparison), consoles.out.width):
        consoles.out.print(render(part))
    for line in trade_off_lines(comparison):
        consoles.out.print(Text(f"trade-off: {line}", style="yellow"), soft_wrap=True)
