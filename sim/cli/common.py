"""What every command shares: the app, consoles, options, errors, signals, progress, staging.

Shared pieces — the scenario argument, ``--set``, ``--replications``, ``--seed``, ``--out``,
``--quiet``, :func:`load_or_exit`, :func:`interruptible` and the results folder's staging — are
defined once here so that every command takes them as they are.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated, NoReturn, TypeVar

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
    from sim.experiments.executors import Executor
    from sim.experiments.plan import Plan
    from sim.report.results import Staging
    from sim.report.tables import Section
    from sim.scenario import Scenario

T = TypeVar("T")

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


consoles = _Consoles()
"""``consoles.out`` and ``consoles.err``: the consoles every command prints on."""

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


def installed_version() -> str:
    """ehrsim's version from the installed package's metadata (the source's, if not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ehrsim")
    except PackageNotFoundError:
        import sim

        return sim.__version__


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"ehrsim {installed_version()}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print 'ehrsim X.Y.Z' and exit.",
            callback=_show_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """Options that come before the command."""


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
SeedOpt = Annotated[
    int | None,
    typer.Option(
        "--seed",
        min=0,
        help="Root of every random stream (default: the scenario's 'seed').",
        show_default=False,
    ),
]
QuietOpt = Annotated[
    bool,
    typer.Option("--quiet", "-q", help="Print only the results folder (and errors)."),
]
ForceOpt = Annotated[
    bool,
    typer.Option("--force", help="Let --out replace the results of a previous run in DIR."),
]


def out_option(default_place: str) -> object:
    """The ``--out DIR`` option, naming the folder a command writes without it."""
    return typer.Option(
        "--out",
        metavar="DIR",
        help=f"Write the results exactly here instead of {default_place}. DIR must "
        "not exist or be empty, unless --force.",
        show_default=False,
    )


def fail(message: str, code: int = EXIT_INPUT) -> NoReturn:
    """Print an error line on stderr and leave with ``code`` (no traceback)."""
    consoles.err.print(Text(f"error: {message}"), soft_wrap=True)
    raise typer.Exit(code)


def warn(message: str) -> None:
    """Print a warning line on stderr."""
    consoles.err.print(Text(f"warning: {message}", style="bold yellow"), soft_wrap=True)


def print_problems(problems: str) -> None:
    """Print a ScenarioError's lines (``file:line: key.path: message``) on stderr, unwrapped."""
    for line in problems.splitlines():
        consoles.err.print(Text(line), soft_wrap=True)


def print_warnings(warnings: Iterable[object]) -> None:
    """Print a scenario's warnings (``file:line: key.path: message``) on stderr.

    Shown even with ``--quiet``: a warning says that part of the scenario has no effect, which
    the results alone do not show.
    """
    for warning in warnings:
        warn(str(warning))


def load_or_exit(ref: str, sets: Sequence[str] = (), *, warnings: bool = True) -> Scenario:
    """Load a scenario with ``--set`` overlays, or print every problem and exit 2.

    Its warnings are printed on stderr unless ``warnings`` is false (a load whose scenario is
    not the one that runs).
    """
    from sim.scenario import ScenarioError, load_with_warnings

    try:
        scenario, found = load_with_warnings(ref, sets)
    except ScenarioError as exc:
        print_problems(str(exc))
        raise typer.Exit(EXIT_INPUT) from None
    if warnings:
        print_warnings(found)
    return scenario


def table(section: Section, *, title: bool = True) -> Table:
    """A rich table of a report section: the first column left, the figures right."""
    out = Table(title=section.title if title else None, title_justify="left")
    for i, name in enumerate(section.header):
        out.add_column(name, justify="left" if i == 0 else "right", no_wrap=i == 0)
    for row in section.rows:
        out.add_row(*(Text(cell) for cell in row))
    return out


# -- signals -----------------------------------------------------------------------------------


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
class Signals:
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
def interruptible() -> Iterator[Signals]:
    """Turn SIGINT and SIGTERM into :class:`Interrupted` while the block runs.

    The first signal raises; later ones are ignored, so the cleanup it triggers is not itself
    interrupted. After ``state.deferred = True`` (the results are being renamed into place) a
    signal is only recorded in ``state.pending``. The previous handlers come back at the end.
    """
    state = Signals()

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


JobsOpt = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        min=1,
        metavar="N",
        help="Worker processes that run the replications (default: the machine's cores); "
        "with --dask local, the local cluster's workers.",
        show_default=False,
    ),
]
DaskOpt = Annotated[
    str | None,
    typer.Option(
        "--dask",
        metavar="local|ADDRESS",
        help="Run the replications on Dask: 'local' starts a cluster of --jobs single-threaded "
        "workers on this machine; tls://HOST:PORT (certificates from Dask's configuration, "
        "e.g. DASK_DISTRIBUTED__COMM__TLS__CA_FILE) or tcp://HOST:PORT joins a running "
        "scheduler, whose workers must run this ehrsim version (--jobs is then an error). "
        "See the README, 'Running on a cluster'.",
        show_default=False,
    ),
]


@contextmanager
def executor_or_exit(jobs: int | None, dask: str | None) -> Iterator[Executor]:
    """The executor of ``--jobs`` / ``--dask`` for the block, its warnings printed.

    Exit 2 with the reason when it cannot be opened (a malformed or unreachable address,
    workers running another ehrsim, ``--jobs`` with an address) or fails that way during the
    block; the local cluster or the connection is closed at the end.
    """
    from sim.experiments.executors import ExecutorError, open_executor

    try:
        with open_executor(jobs, dask) as executor:
            for note in getattr(executor, "notes", ()):
                warn(note)
            yield executor
    except ExecutorError as exc:
        fail(str(exc))


# -- before a run: checks, progress, the results folder ----------------------------------------


def check_runnable(scenario: Scenario, label: str | None = None) -> Plan:
    """The scenario's plan; exit 2 if it cannot run (no horizon, more messages than its limit).

    Args:
        scenario: The scenario to check.
        label: How messages name it (default ``scenario '<name>'``), e.g. ``variant 'x'``.
    """
    from sim.experiments.plan import plan

    what = label or f"scenario {scenario.name!r}"
    if scenario.horizon is None:
        fail(f"{what} has no horizon; add 'horizon: 24h' or use --horizon")
    p = plan(scenario)
    expected = p.messages
    limit = scenario.limits.messages
    if expected > limit:
        suggestion = _round_up(expected * 1.2)
        fail(
            f"{what} is expected to create about {expected:,.0f} messages "
            f"per replication, above limits.messages = {limit:,}; shorten it (--horizon) or "
            f"raise the limit with --set limits.messages={suggestion}"
        )
    return p


def _round_up(value: float) -> int:
    """``value`` rounded up to two significant digits (a readable limit to suggest)."""
    digits = max(len(str(int(value))) - 2, 0)
    step = 10**digits
    return int(-(-value // step) * step)


def progress_bar(quiet: bool) -> Progress:
    """A progress bar on stderr: description, bar, percent, ``clock`` field, elapsed, left.

    Each task needs a ``clock`` field (the text shown after the percentage).
    """
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[clock]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=consoles.err,
        disable=quiet,
    )


def check_out_or_exit(out_dir: Path, force: bool) -> None:
    """Exit 2 before anything runs when ``--out DIR`` may not receive results."""
    from sim.report.results import ResultsError, check_out

    try:
        check_out(out_dir, force)
    except ResultsError as exc:
        fail(str(exc))


def land(staging: Staging, signals: Signals, work: Callable[[], T]) -> tuple[T, Path]:
    """Run `work` (which writes into the staging folder), then move the folder into place.

    The folder lands whole or not at all: on any failure it is removed, and an interrupt, a
    broken invariant or a write failure becomes its exit code (130/143, 3, 2).
    """
    from sim.model.records import InvariantBroken
    from sim.report.results import ResultsError

    try:
        signals.resume()
        value = work()
        signals.deferred = True  # from here on a signal waits until the folder is in place
        return value, staging.commit()
    except BaseException as exc:
        signals.deferred = True  # the cleanup must not be interrupted
        staging.discard()
        if isinstance(exc, Interrupted):
            consoles.err.print("interrupted")
            raise typer.Exit(exc.code) from None
        if isinstance(exc, InvariantBroken):
            fail(f"invariant broken: {exc} (a bug in the model; no results written)", EXIT_BROKEN)
        if isinstance(exc, OSError | ResultsError):
            fail(f"cannot write the results folder {staging.final}: {exc}")
        raise


def stage(
    scenario: Scenario,
    started: datetime,
    out_dir: Path | None,
    force: bool,
    prefix: str = "",
) -> Staging:
    """Reserve the results folder (``results/<name>/<prefix><run-id>/`` or ``--out DIR``).

    Exit 2 when it cannot be created.
    """
    from sim.report.results import ResultsError, make_run_id, reserve, stage_out

    try:
        if out_dir is not None:
            return stage_out(out_dir, force)
        base = Path("results") / scenario.name
        return reserve(base, prefix + make_run_id(started, scenario.seed))
    except ResultsError as exc:
        fail(str(exc))


def retyped(head: Sequence[str], options: Sequence[tuple[str, object]]) -> list[str]:
    """A command as a user would retype it (for run.json): ``head``, then each option in
    order: a value after its flag (``None`` left out), a list as the flag once per item, a
    switch (``True``) as its flag alone (``False`` left out)."""
    cmd = list(head)
    for flag, value in options:
        if value is None or value is False:
            continue
        if value is True:
            cmd.append(flag)
        elif isinstance(value, list | tuple):
            for item in value:
                cmd += [flag, str(item)]
        else:
            cmd += [flag, str(value)]
    return cmd


def finish(final: Path, stopped: Sequence[str], signals: Signals, *, quiet: bool) -> NoReturn:
    """End a command whose results folder is in place: name the replications a guard stopped
    (exit 3), then :func:`leave`."""
    code = EXIT_OK
    if stopped:
        consoles.err.print(
            Text(f"stopped at a guard: {'; '.join(stopped)} (results marked incomplete)"),
            style="bold red",
            soft_wrap=True,
        )
        code = EXIT_BROKEN
    leave(final, code, signals, quiet=quiet)


def leave(final: Path, code: int, signals: Signals, *, quiet: bool) -> NoReturn:
    """Print the results folder (alone with ``--quiet``) and exit with ``code``; a signal that
    arrived while the folder was landing makes it 128 + its number."""
    if quiet:
        consoles.out.print(Text(str(final)), soft_wrap=True)
    else:
        consoles.out.print(Text(f"results: {final}"), soft_wrap=True)
    if signals.pending:
        consoles.err.print("interrupted (after the results were complete)")
        code = 128 + signals.pending
    raise typer.Exit(code)


def replication_progress(
    scenario: Scenario, quiet: bool, replications: int | None = None
) -> tuple[Progress, Callable[[int, float], None]]:
    """A progress bar in simulated time across the replications, with the clock time.

    Returns the bar (a context manager that shows it) and the ``progress(replication,
    seconds)`` callback the API calls as the simulation advances.
    """
    horizon = float(scenario.horizon or 0.0)
    n = scenario.replications if replications is None else replications
    bar = progress_bar(quiet)
    task = bar.add_task("simulating", total=max(horizon * n, 1e-9), clock="")

    def update(replication: int, seconds: float) -> None:
        moment = scenario.start + timedelta(seconds=seconds)
        bar.update(
            task,
            completed=replication * horizon + seconds,
            clock=f"replication {replication + 1}/{n}  {moment:%a %d %b %H:%M}",
        )

    return bar, update
