"""The results folder of a run: where it goes, its run id, and writing it atomically.

A run writes ``results/<name>/<run-id>/`` (or exactly ``--out DIR``). Everything is written into
a hidden temporary sibling (``.<run-id>.partial``) that is renamed into place only once whole,
so an interrupted or crashed run never leaves a folder that looks like a finished one, and
concurrent runs never write into each other's folders: a run id is *reserved* by creating its
temporary folder atomically (``mkdir`` fails if it exists) and taking the next suffix
(``-2``, ``-3``, …) on a collision.
"""

from __future__ import annotations

import errno
import hashlib
import json
import multiprocessing
import os
import platform
import secrets
import shlex
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sim.experiments.run import RunResult
    from sim.scenario.schema import Scenario

__all__ = [
    "FILES",
    "PARTIAL",
    "ResultsError",
    "Staging",
    "check_out",
    "dump_json",
    "make_run_id",
    "reserve",
    "run_record",
    "staff_sizes",
    "stage_out",
    "write_results",
    "write_scenario",
]

FILES = (
    "scenario.yaml", "summary.json", "run.json", "timeseries.csv", "latency.csv", "events.csv",
    "backlog.png", "people.png", "clinical.png", "latency.png",
)  # fmt: skip
"""The files every results folder holds; ``replications.csv`` (more than one replication) and
``trace.csv`` (``--trace``) join them when they apply."""

PARTIAL = ".partial"
"""Suffix of a temporary results folder (hidden: its name also starts with a dot)."""

_MARKERS = ("run.json", "summary.json")
"""Files whose presence makes a folder a previous run's results (which ``--force`` may replace)."""

_MAX_SUFFIX = 10_000


class ResultsError(Exception):
    """The results folder cannot be created where asked (bad input: the CLI exits 2)."""


def make_run_id(started: datetime, seed: int) -> str:
    """The run id: local start time to the second and the seed, e.g. ``20261125-223015-s1``.

    Sorting run ids sorts runs by start time, and the seed tells replays apart at a glance.
    """
    return f"{started:%Y%m%d-%H%M%S}-s{seed}"


def dump_json(data: Any) -> str:
    """JSON text as every results file writes it: indent 2, key order kept, trailing newline.

    ``allow_nan=False`` because the format promises plain numbers or null: a NaN reaching this
    point is a bug that must not slip into a file other tools parse.
    """
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


@dataclass
class Staging:
    """A results folder being written: the temporary folder and where it will land.

    Attributes:
        tmp: The hidden temporary folder that receives every file.
        final: The folder the results will have once whole.
        replace: Whether ``final`` may hold a previous run's results (``--force``) that the
            commit replaces.
    """

    tmp: Path
    final: Path
    replace: bool = False

    @property
    def run_id(self) -> str:
        """The final folder's name."""
        return self.final.name

    def commit(self) -> Path:
        """Rename the whole temporary folder into place; return the final folder.

        A reserved run id is renamed straight into place (an empty folder of that name, if one
        appeared meanwhile, is replaced; a non-empty one makes the run take the next suffix).
        With ``--force`` a previous run's folder is first moved aside and removed only once the
        new results are in place.
        """
        if self.replace and _non_empty(self.final):
            aside = Path(tempfile.mkdtemp(prefix=f".{self.final.name}.old-", dir=self.final.parent))
            os.rename(self.final, aside / "old")
            os.rename(self.tmp, self.final)
            shutil.rmtree(aside, ignore_errors=True)
            return self.final
        try:
            os.rename(self.tmp, self.final)
        except OSError as exc:
            if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST) or self.replace:
                raise
            self.final = _free_name(self.final)
            os.rename(self.tmp, self.final)
        return self.final

    def discard(self) -> None:
        """Remove the temporary folder and everything in it (nothing is left behind)."""
        shutil.rmtree(self.tmp, ignore_errors=True)


def _non_empty(path: Path) -> bool:
    return path.is_dir() and any(path.iterdir())


def _free_name(final: Path) -> Path:
    for n in range(2, _MAX_SUFFIX):
        candidate = final.with_name(f"{final.name}-{n}")
        if not candidate.exists():
            return candidate
    raise ResultsError(f"no free results folder name next to {final}")


def reserve(base: Path, run_id: str) -> Staging:
    """Reserve ``base/<run_id>`` (or ``<run_id>-2``, …) and create its temporary folder.

    The temporary folder ``base/.<id>.partial`` is created with ``mkdir``, which is atomic: of
    two runs that want the same id, exactly one succeeds and the other moves on to the next
    suffix. The check that no finished folder of that name exists comes *after* the
    ``mkdir``, so a run that finishes (renames its temporary folder away) in between is seen.

    Args:
        base: ``results/<name>``, created if missing.
        run_id: The preferred id, from :func:`make_run_id`.

    Raises:
        ResultsError: When the folder cannot be created (permissions, a file in the way).
    """
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ResultsError(f"cannot create the results folder {base}: {exc.strerror}") from None
    for n in range(1, _MAX_SUFFIX):
        name = run_id if n == 1 else f"{run_id}-{n}"
        tmp = base / f".{name}{PARTIAL}"
        try:
            tmp.mkdir()
        except FileExistsError:
            continue
        except OSError as exc:
            raise ResultsError(f"cannot write in {base}: {exc.strerror}") from None
        final = base / name
        if final.exists():
            tmp.rmdir()
            continue
        return Staging(tmp, final)
    raise ResultsError(f"no free run id for {run_id} in {base}")


def check_out(out: Path, force: bool) -> None:
    """Refuse an ``--out`` folder that may not receive results; called before the run starts.

    ``--out DIR`` must not exist or be empty. ``--force`` lets it replace a previous run's
    results (a folder holding ``run.json`` or ``summary.json``); a non-empty folder that is not
    a results folder is never deleted, ``--force`` or not, so a mistyped ``--out`` cannot wipe
    a user's files.

    Raises:
        ResultsError: Naming the folder and what to do instead.
    """
    if out.exists() and not out.is_dir():
        raise ResultsError(f"--out {out}: is a file, not a folder")
    if not _non_empty(out):
        return
    if not force:
        raise ResultsError(
            f"--out {out}: the folder is not empty; choose a new folder, or add --force to "
            "replace the results it holds"
        )
    if not any((out / marker).is_file() for marker in _MARKERS):
        raise ResultsError(
            f"--out {out}: the folder is not empty and holds no ehrsim results "
            "(no run.json or summary.json); --force only replaces a previous run's results"
        )


def stage_out(out: Path, force: bool) -> Staging:
    """Create the temporary folder for exactly ``--out DIR`` (a hidden sibling of it).

    Raises:
        ResultsError: When ``out`` may not receive results (see :func:`check_out`) or its
            parent cannot be created.
    """
    check_out(out, force)
    parent = out.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        for _ in range(_MAX_SUFFIX):
            # mkdir (not mkdtemp) so the folder gets the user's umask, as the results should
            tmp = parent / f".{out.name}.{secrets.token_hex(4)}{PARTIAL}"
            try:
                tmp.mkdir()
            except FileExistsError:
                continue
            return Staging(tmp, out, replace=force)
    except OSError as exc:
        raise ResultsError(f"--out {out}: cannot create it: {exc.strerror}") from None
    raise ResultsError(f"--out {out}: no free name for a temporary folder beside it")


def write_scenario(folder: Path, text: str) -> str:
    """Write ``scenario.yaml`` (the resolved scenario's text); return its sha256 (hex).

    Written first, before the run starts, so the temporary folder already says what is running.
    """
    data = text.encode("utf-8")
    (folder / "scenario.yaml").write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def write_results(
    folder: Path,
    result: RunResult,
    *,
    trace: bool = False,
    jobs: int = 1,
    plot_replication: int | None = None,
) -> None:
    """Write summary.json, the CSV files and the plots of a finished run into ``folder``.

    ``summary.json`` holds only ``result.summary``, which depends on the scenario and seed
    alone, so it is byte-identical between runs; anything that varies goes into run.json.
    With ``jobs`` above 1 the slow parts (the figures, timeseries.csv) are written side by
    side in forked processes. The plots over time (backlog, people, clinical) draw the mean
    over the replications with a 5th-95th percentile band, or only replication
    ``plot_replication`` (0-based) as it was sampled.
    """
    from sim.report import csvs, plots

    scenario = result.scenario
    start = scenario.start
    reps = result.replications
    (folder / "summary.json").write_text(dump_json(result.summary), encoding="utf-8")
    csvs.write_latency(folder / "latency.csv", reps)
    csvs.write_events(folder / "events.csv", reps, start)
    if len(reps) > 1:
        csvs.write_replications(folder / "replications.csv", reps)
    if trace:
        csvs.write_trace(folder / "trace.csv", reps, start)
    labels = plots.destination_labels({fid: flow.to for fid, flow in scenario.flows.items()})
    horizon, title, chosen = result.horizon, scenario.title, plot_replication

    def backlog_and_timeseries() -> None:
        plots.backlog_png(
            folder / "backlog.png",
            reps,
            start=start,
            horizon=horizon,
            title=title,
            labels=labels,
            chosen=chosen,
        )
        csvs.write_timeseries(folder / "timeseries.csv", reps, start)

    def people_and_clinical() -> None:
        plots.people_png(
            folder / "people.png",
            reps,
            start=start,
            horizon=horizon,
            title=title,
            staff=staff_sizes(scenario),
            chosen=chosen,
        )
        plots.clinical_png(
            folder / "clinical.png", reps, start=start, horizon=horizon, title=title, chosen=chosen
        )

    side_by_side(
        [
            lambda: plots.latency_png(
                folder / "latency.png", result.summary.get("latency_s", {}), title=scenario.title
            ),
            backlog_and_timeseries,
            people_and_clinical,
        ],
        jobs,
    )


def staff_sizes(scenario: Scenario) -> dict[str, int]:
    """Team name -> its number of people (``clerks``, ``analysts``), for people.png."""
    staff = scenario.staff
    if staff is None:
        return {}
    teams = {"analysts": staff.analysts, "clerks": staff.clerks}
    return {name: team.count for name, team in teams.items() if team is not None}


def side_by_side(tasks: list[Callable[[], None]], jobs: int) -> None:
    """Run tasks (about a second each), the first here and the next ``jobs - 1`` in forked
    children, the rest here; a task that fails in a child fails the whole call."""
    if jobs <= 1 or len(tasks) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        for task in tasks:
            task()
        return
    ctx = multiprocessing.get_context("fork")
    children = [ctx.Process(target=task) for task in tasks[1:jobs]]
    for child in children:
        child.start()
    try:
        tasks[0]()
        for task in tasks[1 + len(children) :]:
            task()
    finally:
        for child in children:
            child.join()
    failed = [child.exitcode for child in children if child.exitcode != 0]
    if failed:
        raise RuntimeError(f"writing results failed in a child process (exit {failed[0]})")


def stop_reason(result: RunResult) -> str:
    """Why the run stopped early (``""`` when every replication reached its horizon)."""
    for rep in result.replications:
        if not rep.complete:
            return f"replication {rep.index}: {rep.stop_reason}"
    return ""


def run_record(
    result: RunResult,
    *,
    run_id: str,
    command: list[str],
    scenario_sha256: str,
    started: datetime,
    wall_s: float,
    executor: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """run.json's content: what varies between identical runs, and the versions that ran.

    Args:
        result: The finished run.
        run_id: The results folder's name.
        command: The command as the user would retype it (``["ehrsim", "run", ...]``).
        scenario_sha256: The hash of scenario.yaml's bytes.
        started: The local time the run started (with its UTC offset in the file).
        wall_s: Seconds from the start to the end of writing the results.
        executor: What ran the replications (``Executor.describe()``); null in run.json
            when not given.
    """
    return run_json(
        kind="run",
        run_id=run_id,
        command=command,
        scenario=result.scenario.name,
        scenario_sha256=scenario_sha256,
        started=started,
        wall_s=wall_s,
        middle={
            "seed": result.seed,
            "replications": len(result.replications),
            "horizon_s": result.horizon,
            "executor": executor,
        },
        end={
            "complete": result.complete,
            "stop_reason": stop_reason(result),
            "hypotheses_failed": len(result.failed_hypotheses),
        },
    )


class GridResult(Protocol):
    """What run.json reads off a sweep's, a plan's or a map's result."""

    @property
    def scenario(self) -> str: ...
    @property
    def seed(self) -> int: ...
    @property
    def reused(self) -> int: ...
    @property
    def ran(self) -> int: ...


def grid_run_json(
    kind: str,
    result: GridResult,
    fields: dict[str, Any],
    *,
    points: int,
    stopped: Sequence[str],
    run_id: str,
    command: Sequence[str],
    scenario_sha256: str,
    started: datetime,
    wall_s: float,
    executor: dict[str, Any],
    cache: str | None,
) -> dict[str, Any]:
    """run.json of a command over many points (``sweep``, ``plan``, ``metastability``): the
    seed, the command's own `fields`, the points, where the replications ran and how many the
    cache gave; incomplete when a guard stopped a point (`stopped`: its reasons)."""
    return run_json(
        kind=kind,
        run_id=run_id,
        command=command,
        scenario=result.scenario,
        scenario_sha256=scenario_sha256,
        started=started,
        wall_s=wall_s,
        middle={
            "seed": result.seed,
            **fields,
            "points": points,
            "executor": executor,
            "cache": cache,
            "reused": result.reused,
            "ran": result.ran,
        },
        end={"complete": not stopped, "stop_reason": "; ".join(stopped)},
    )


def run_json(
    *,
    kind: str,
    run_id: str,
    command: Sequence[str],
    scenario: str,
    scenario_sha256: str,
    started: datetime,
    wall_s: float,
    middle: dict[str, Any],
    end: dict[str, Any],
) -> dict[str, Any]:
    """run.json: who ran what, when and with which versions, around a command's own figures
    (`middle` after the scenario's hash, `end` after the versions).

    ``kind`` names the command that wrote the folder (``run``, ``compare``): ``ehrsim report``
    reads it to know what the folder holds.
    """
    import numpy
    import simpy

    import sim

    return {
        "tool": "ehrsim",
        "version": sim.__version__,
        "kind": kind,
        "run_id": run_id,
        "command": shlex.join(command),
        "argv": list(sys.argv),
        "cwd": str(Path.cwd()),
        "scenario": scenario,
        "scenario_sha256": scenario_sha256,
        **middle,
        "started": started.astimezone().isoformat(timespec="seconds"),
        "wall_s": round(wall_s, 3),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "simpy": simpy.__version__,
        "platform": platform.platform(),
        **end,
    }
