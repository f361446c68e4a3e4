"""The ``ehrsim`` command: run scenarios, validate them, list what ships, explain the metrics.

Thin by design: each command parses its arguments, calls the public API (:mod:`sim`,
:mod:`sim.scenario`, :mod:`sim.experiments`), and renders the result with rich; the files of
a run are the report layer's job (:mod:`sim.report`). Shared pieces — the scenario argument,
``--set``, ``--replications``, and :func:`load_or_exit` — are defined once so that new commands
(``compare``) take them as they are.

Exit codes (the format's contract): 0 ok; 1 a hypothesis failed; 2 bad input; 3 an invariant
broke or a guard stopped the run; 130 and 143 interrupted by SIGINT and SIGTERM.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from sim.experiments.plan import Plan
    from sim.experiments.run import RunResult
    from sim.report.results import Staging
    from sim.report.tables import Section
    from sim.scenario import Scenario

EXIT_OK = 0
EXIT_HYPOTHESIS = 1
EXIT_INPUT = 2
EXIT_BROKEN = 3

PIPE_WIDTH = 120
"""Width of tables written to a file or pipe (rich would use 80 and wrap the figures)."""


class _Consoles:
    """stdout (tables, the results path) and stderr (problems, warnings, the progress bar).

    Created on first use in each command rather than at import, so that they bind the streams
    of the moment (a test runner swaps them) and a pipe gets a fixed width instead of 80.
    """

    def __init__(self) -> None:
        self._out: Console | None = None
        self._err: Console | None = None
        self._streams: tuple[object, object] | None = None

    def _refresh(self) -> None:
        streams = (sys.stdout, sys.stderr)
        if streams != self._streams:
            self._streams = streams
            self._out = _console(stderr=False)
            self._err = _console(stderr=True)

    @property
    def out(self) -> Console:
        self._refresh()
        assert self._out is not None
        return self._out

    @property
    def err(self) -> Console:
        self._refresh()
        assert self._err is not None
        return self._err


def _console(*, stderr: bool) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() or "COLUMNS" in os.environ else PIPE_WIDTH
    return Console(stderr=stderr, highlight=False, width=width)


_c = _Consoles()

app = typer.Typer(
    name="ehrsim",
    help=(
        "Simulate a hospital EHR, its integration engine and the systems behind it, to replay "
        "integration outages and measure backlogs and recovery. Scenarios are YAML files "
        "(see docs/scenario-format.md); shipped ones run by name (see 'ehrsim list')."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

# -- shared options --------------------------------------------------------------------------

ScenarioArg = Annotated[
    str,
    typer.Argument(
        metavar="FILE|NAME",
        help="A scenario file, or the name of a shipped scenario (e.g. baseline-weekday, "
        "theory/mm3; see 'ehrsim list').",
        show_default=False,
    ),
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="KEY=VALUE",
        help="Override one key of the scenario: a dotted path (list items by index) and a YAML "
        "value, e.g. --set strategy.queues=shared --set faults.0.for=2h. Repeatable; applied "
        "in order.",
        show_default=False,
    ),
]
ReplicationsOpt = Annotated[
    int | None,
    typer.Option(
        "--replications",
        min=1,
        metavar="N",
        help="Independent replications (default: the scenario's 'replications').",
        show_default=False,
    ),
]


def fail(message: str, code: int = EXIT_INPUT) -> NoReturn:
    """Print an error line on stderr and leave with ``code`` (no traceback)."""
    _c.err.print(Text(f"error: {message}"), soft_wrap=True)
    raise typer.Exit(code)


def print_problems(problems: str) -> None:
    """Print a ScenarioError's lines (``file:line: key.path: message``) on stderr, unwrapped."""
    for line in problems.splitlines():
        _c.err.print(Text(line), soft_wrap=True)


def load_or_exit(ref: str, sets: Sequence[str] = ()) -> Scenario:
    """Load a scenario with ``--set`` overlays, or print every problem and exit 2."""
    from sim.scenario import ScenarioError, load_scenario

    try:
        return load_scenario(ref, sets)
    except ScenarioError as exc:
        print_problems(str(exc))
        raise typer.Exit(EXIT_INPUT) from None


def _table(section: Section, *, title: bool = True) -> Table:
    table = Table(title=section.title if title else None, title_justify="left")
    for i, name in enumerate(section.header):
        table.add_column(name, justify="left" if i == 0 else "right", no_wrap=i == 0)
    for row in section.rows:
        table.add_row(*(Text(cell) for cell in row))
    return table


# -- run ---------------------------------------------------------------------------------------


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM arrived during a run; ``code`` is the exit code (128 + signal).

    Its only argument is the signal number, because SimPy re-raises an exception that escapes
    a process as ``type(exc)(*exc.args)``: the copy must be the same interruption.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
        self.code = 128 + signum

    def __str__(self) -> str:
        return signal.Signals(self.signum).name


@dataclass
class _Signals:
    """What :func:`interruptible` has seen: the signal that fired, or one deferred."""

    fired: int = 0
    deferred: bool = False
    pending: int = 0

    def resume(self) -> None:
        """End a deferral; raise :class:`Interrupted` for a signal that arrived during it."""
        self.deferred = False
        if self.pending and not self.fired:
            self.fired, self.pending = self.pending, 0
            raise Interrupted(self.fired)


@contextmanager
def interruptible() -> Iterator[_Signals]:
    """Turn SIGINT and SIGTERM into :class:`Interrupted` while the block runs.

    The first signal raises; later ones are ignored, so the cleanup it triggers is not itself
    interrupted. After ``state.deferred = True`` (the results are being renamed into place) a
    signal is only recorded in ``state.pending``. The previous handlers come back at the end.
    """
    state = _Signals()

    def handler(signum: int, _frame: FrameType | None) -> None:
        if state.deferred:
            state.pending = state.pending or signum
            return
        if state.fired:
            return
        state.fired = signum
        raise Interrupted(signum)

    previous: dict[signal.Signals, signal._HANDLER] = {}
    try:
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, handler)
    except ValueError:  # not the main thread (embedding); signals keep their handlers
        pass
    try:
        yield state
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


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
    return cmd


def _overlays(
    sets: Sequence[str], seed: int | None, replications: int | None, horizon: str | None
) -> list[str]:
    """``--set`` assignments followed by those of ``--seed``, ``--replications``, ``--horizon``.

    The explicit flags become overlays (applied last, so they win over a ``--set`` of the same
    key) so that scenario.yaml in the results says exactly what ran and reruns it unchanged.
    """
    from sim.scenario.units import UnitError, format_duration, parse_duration

    overlays = list(sets)
    if horizon is not None:
        try:
            seconds = parse_duration(horizon)
        except UnitError as exc:
            fail(f"--horizon: {exc}")
        overlays.append(f"horizon={format_duration(seconds)}")
    if seed is not None:
        overlays.append(f"seed={seed}")
    if replications is not None:
        overlays.append(f"replications={replications}")
    return overlays


def _check_runnable(scenario: Scenario) -> Plan:
    """The scenario's plan; exit 2 if it cannot run (no horizon, more messages than its limit)."""
    from sim.experiments.plan import plan

    if scenario.horizon is None:
        fail(f"scenario {scenario.name!r} has no horizon; add 'horizon: 24h' or use --horizon")
    p = plan(scenario)
    expected = p.messages
    limit = scenario.limits.messages
    if expected > limit:
        suggestion = _round_up(expected * 1.2)
        fail(
            f"scenario {scenario.name!r} is expected to create about {expected:,.0f} messages "
            f"per replication, above limits.messages = {limit:,}; shorten it (--horizon) or "
            f"raise the limit with --set limits.messages={suggestion}"
        )
    return p


def _round_up(value: float) -> int:
    """``value`` rounded up to two significant digits (a readable limit to suggest)."""
    digits = max(len(str(int(value))) - 2, 0)
    step = 10**digits
    return int(-(-value // step) * step)


def _show_plan(scenario: Scenario, p: Plan) -> None:
    from sim.report.tables import PLAN_HEADER, Section, overload_warnings, plan_rows

    section = Section(
        f"{scenario.title}: expected load ({p.messages:,.0f} messages per replication)",
        PLAN_HEADER,
        plan_rows(p),
    )
    _c.out.print(_table(section))
    for warning in overload_warnings(p):
        _c.err.print(Text(f"warning: {warning}", style="bold yellow"), soft_wrap=True)


def _progress(
    scenario: Scenario, quiet: bool, replications: int | None = None
) -> tuple[Progress, Callable[[int, float], None]]:
    """A progress bar in simulated time across the replications, with the clock time.

    Returns the bar (a context manager that shows it) and the ``progress(replication,
    seconds)`` callback the API calls as the simulation advances.
    """
    horizon = float(scenario.horizon or 0.0)
    n = scenario.replications if replications is None else replications
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[clock]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=_c.err,
        disable=quiet,
    )
    task = bar.add_task("simulating", total=max(horizon * n, 1e-9), clock="")

    def update(replication: int, seconds: float) -> None:
        moment = scenario.start + timedelta(seconds=seconds)
        bar.update(
            task,
            completed=replication * horizon + seconds,
            clock=f"replication {replication + 1}/{n}  {moment:%a %d %b %H:%M}",
        )

    return bar, update


def _show_summary(result: RunResult) -> None:
    from sim.report.tables import hypothesis_rows, summary_sections

    summary = result.summary
    n = len(result.replications)
    if n > 1:
        _c.out.print(f"Figures are means over {n} replications (CI95 in summary.json).")
    for section in summary_sections(summary, result.scenario.start, result.horizon):
        _c.out.print(_table(section))
    rows = hypothesis_rows(summary)
    if rows:
        table = Table(title="Hypotheses", title_justify="left")
        for name in ("metric", "expected", "value", "result"):
            table.add_column(name, justify="left" if name == "metric" else "right")
        for metric, condition, value, passed in rows:
            verdict = Text("PASS", style="bold green") if passed else Text("FAIL", style="bold red")
            table.add_row(Text(metric), Text(condition), Text(value), verdict)
        _c.out.print(table)


def _stage(scenario: Scenario, started: datetime, out_dir: Path | None, force: bool) -> Staging:
    from sim.report.results import ResultsError, make_run_id, reserve, stage_out

    try:
        if out_dir is not None:
            return stage_out(out_dir, force)
        base = Path("results") / scenario.name
        return reserve(base, make_run_id(started, scenario.seed))
    except ResultsError as exc:
        fail(str(exc))


@app.command()
def run(
    scenario: ScenarioArg,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed",
            min=0,
            help="Root of every random stream (default: the scenario's 'seed').",
            show_default=False,
        ),
    ] = None,
    replications: ReplicationsOpt = None,
    horizon: Annotated[
        str | None,
        typer.Option(
            "--horizon",
            metavar="DURATION",
            help="Simulated time instead of the scenario's 'horizon', e.g. 6h, 90min, 2d.",
            show_default=False,
        ),
    ] = None,
    sets: SetOpt = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="DIR",
            help="Write the results exactly here instead of results/<name>/<run-id>/. DIR must "
            "not exist or be empty, unless --force.",
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Let --out replace the results of a previous run in DIR."),
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", help="Print only the results folder (and errors)."),
    ] = False,
    trace: Annotated[
        bool,
        typer.Option(
            "--trace", help="Also write trace.csv: every move of every message (small runs)."
        ),
    ] = False,
) -> None:
    """Run a scenario and write its results folder.

    Prints the expected load of each channel, a progress bar in simulated time, and after the
    run the summary (messages, backlogs, waits, recovery, late orders, hypotheses) and the
    results folder: results/<name>/<run-id>/ under the current directory, or --out DIR. It
    holds scenario.yaml, summary.json, run.json, timeseries.csv, latency.csv, events.csv,
    backlog.png and latency.png (replications.csv with several replications, trace.csv with
    --trace); see results/README.md.

    Exit codes: 0 ok; 1 a hypothesis failed; 2 bad input (nothing written); 3 an invariant
    broke (nothing written) or a guard stopped the run (results written, "complete": false);
    130/143 interrupted (nothing written).
    """
    with interruptible() as signals:
        _run(
            signals, scenario, seed, replications, horizon, list(sets or ()), out_dir, force,
            quiet, trace,
        )  # fmt: skip


def _run(
    signals: _Signals,
    ref: str,
    seed: int | None,
    replications: int | None,
    horizon: str | None,
    sets: list[str],
    out_dir: Path | None,
    force: bool,
    quiet: bool,
    trace: bool,
) -> None:
    from sim.experiments.run import run as run_scenario
    from sim.model.world import InvariantBroken
    from sim.report.results import (
        ResultsError,
        dump_json,
        run_record,
        write_results,
        write_scenario,
    )
    from sim.scenario import dump_yaml

    try:
        scenario = load_or_exit(ref, _overlays(sets, seed, replications, horizon))
        p = _check_runnable(scenario)
        if out_dir is not None:
            _check_out(out_dir, force)
        if not quiet:
            _show_plan(scenario, p)
        started = datetime.now()
        clock0 = time.monotonic()
        signals.deferred = True  # a signal now must not leave the new folder behind
        staging = _stage(scenario, started, out_dir, force)
    except Interrupted as exc:
        _c.err.print("interrupted")
        raise typer.Exit(exc.code) from None
    bar, update = _progress(scenario, quiet)
    try:
        signals.resume()
        sha = write_scenario(staging.tmp, dump_yaml(scenario))
        with bar:
            result = run_scenario(scenario, trace=trace, progress=update)
        write_results(staging.tmp, result, trace=trace)
        record = run_record(
            result,
            run_id=staging.run_id,
            command=_command(ref, seed, replications, horizon, sets, out_dir, force, quiet, trace),
            scenario_sha256=sha,
            started=started,
            wall_s=time.monotonic() - clock0,
        )
        (staging.tmp / "run.json").write_text(dump_json(record), encoding="utf-8")
        signals.deferred = True  # from here on a signal waits until the folder is in place
        final = staging.commit()
    except BaseException as exc:
        signals.deferred = True  # the cleanup must not be interrupted
        staging.discard()
        if isinstance(exc, Interrupted):
            _c.err.print("interrupted")
            raise typer.Exit(exc.code) from None
        if isinstance(exc, InvariantBroken):
            fail(f"invariant broken: {exc} (a bug in the model; no results written)", EXIT_BROKEN)
        if isinstance(exc, OSError | ResultsError):
            fail(f"cannot write the results folder {staging.final}: {exc}")
        raise

    if not quiet:
        _show_summary(result)
    code = EXIT_OK
    if not result.complete:
        _c.err.print(
            Text(f"stopped at a guard: {_stop_reason(result)} (results marked incomplete)"),
            style="bold red",
            soft_wrap=True,
        )
        code = EXIT_BROKEN
    elif result.failed_hypotheses:
        names = ", ".join(h["metric"] for h in result.failed_hypotheses)
        _c.err.print(Text(f"hypothesis failed: {names}"), style="bold red", soft_wrap=True)
        code = EXIT_HYPOTHESIS
    if quiet:
        _c.out.print(Text(str(final)), soft_wrap=True)
    else:
        _c.out.print(Text(f"results: {final}"), soft_wrap=True)
    if signals.pending:
        _c.err.print("interrupted (after the results were complete)")
        code = 128 + signals.pending
    raise typer.Exit(code)


def _check_out(out_dir: Path, force: bool) -> None:
    from sim.report.results import ResultsError, check_out

    try:
        check_out(out_dir, force)
    except ResultsError as exc:
        fail(str(exc))


def _stop_reason(result: RunResult) -> str:
    from sim.report.results import stop_reason

    return stop_reason(result)


# -- other commands ---------------------------------------------------------------------------


@app.command()
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
    one (partial: true, meant to be extended) for its keys and values only. Exit code 2 if any
    file has a problem, else 0.
    """
    from sim.scenario import validate_paths

    bad = 0
    for name, problem in zip(files, validate_paths(files), strict=True):
        if problem is None:
            _c.out.print(Text(f"OK  {name}"), soft_wrap=True)
        else:
            bad += 1
            print_problems(str(problem))
    if bad:
        _c.err.print(f"{bad} of {len(files)} file(s) have problems")
        raise typer.Exit(EXIT_INPUT)


@app.command()
def schema() -> None:
    """Print the JSON Schema of scenario files.

    For editors (completion and checks while typing a scenario) and external tools that write
    scenarios; on stdout.
    """
    from sim.scenario import json_schema

    typer.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False))


@app.command("list")
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
    _c.out.print(table)


@app.command()
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
    _c.out.print(table)


@app.command()
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
        bar, update = _progress(loaded, quiet, n)
        with interruptible() as _signals, bar:
            try:
                report = theory_report(loaded, n, progress=update)
            except Interrupted as exc:
                _c.err.print("interrupted")
                raise typer.Exit(exc.code) from None
    _c.out.print(Text(f"{report.title} ({report.scenario})", style="bold"))
    if not report.closed_form:
        _c.out.print("No closed form for this scenario:")
        for reason in report.reasons:
            _c.out.print(Text(f"  - {reason}"), soft_wrap=True)
        raise typer.Exit(EXIT_OK)
    for line in report.model:
        _c.out.print(Text(f"  {line}"), soft_wrap=True)
    section = Section(
        f"Theory against {report.replications} replication(s)", THEORY_HEADER, theory_rows(report)
    )
    _c.out.print(_table(section))
    for note in report.notes:
        _c.out.print(Text(f"note: {note}"), soft_wrap=True)


def main() -> None:
    """Entry point of the ``ehrsim`` console script and ``python -m sim``."""
    app(prog_name="ehrsim")
