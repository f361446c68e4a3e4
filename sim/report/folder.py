"""A results folder read back for a report: its kind, its files and the figures it holds.

``ehrsim report`` never simulates: everything it says comes from the folder a ``run``, a
``compare``, a ``sweep``, a ``plan`` or a ``metastability`` map wrote (run.json, the command's
figures in summary.json, sweep.json, plan.json or metastability.json, scenario.yaml loaded
with the scenario loader, events.csv and the PNG figures). A folder of another kind, or a
folder that is not a results folder, is refused with a :class:`ReportError` that names the
folder or file and says what was found or is missing.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

__all__ = [
    "DATA_FILES",
    "FIGURES",
    "KINDS",
    "Event",
    "FigureFile",
    "ReportError",
    "ResultsFolder",
    "read_events",
    "read_folder",
    "required_files",
]

KINDS = ("run", "compare", "sweep", "plan", "metastability")
"""The kinds of results folder a report can be written for (run.json's ``kind``)."""

DATA_FILES = {
    "run": "summary.json",
    "compare": "summary.json",
    "sweep": "sweep.json",
    "plan": "plan.json",
    "metastability": "metastability.json",
}
"""The file holding each kind's figures (:attr:`ResultsFolder.summary`)."""

_SHAPES = {
    "run": ("messages",),
    "compare": ("ranking", "variants"),
    "sweep": ("params", "metrics", "points"),
    "plan": ("key", "target", "points"),
    "metastability": ("fault", "magnitude", "duration", "points"),
}
"""Keys the figures file of each kind always has: what tells one kind's file from another's."""


def required_files(kind: str) -> tuple[str, ...]:
    """The files every results folder of ``kind`` holds."""
    return ("run.json", DATA_FILES[kind], "scenario.yaml")


@dataclass(frozen=True)
class FigureFile:
    """A PNG a command writes into its folder, and what the report says under it."""

    name: str
    caption: str


FIGURES: dict[str, tuple[FigureFile, ...]] = {
    "run": (
        FigureFile(
            "backlog.png",
            "Backlog of each destination over clock time (every message bound there, wherever "
            "it waits), faults shaded.",
        ),
        FigureFile(
            "people.png",
            "The people's work over clock time: orders held on paper, the clerks' back-entry and "
            "reconciliation queues, the analysts' waiting tasks, and clerks and analysts at work "
            "against the size of each team.",
        ),
        FigureFile(
            "clinical.png",
            "Clinical impact over clock time: late orders accumulating, per priority class.",
        ),
        FigureFile(
            "latency.png",
            "Latency from creation to ACK per flow and priority class: p95 (bar) and mean (dot).",
        ),
    ),
    "compare": (
        FigureFile(
            "backlog.png", "Total backlog over clock time, a line per variant, faults shaded."
        ),
        FigureFile(
            "destinations.png",
            "Backlog per destination over clock time: a panel per destination, a line per variant.",
        ),
        FigureFile(
            "metrics.png",
            "Each compared metric per variant: the mean with its 95 % interval. Metrics that "
            "are 0 everywhere are left out and named under the panels.",
        ),
    ),
    "sweep": (
        FigureFile(
            "sweep.png",
            "Each metric across the grid: with one parameter the mean at each value in its 95 % "
            "band, with two a heatmap of the mean (the first parameter down, the second across). "
            "Metrics that are 0 at every point, or have no value anywhere, are left out and "
            "named under the panels.",
        ),
    ),
    "plan": (
        FigureFile(
            "plan.png",
            "The curve the search saw: each value it evaluated at its mean with its 95 % "
            "interval, coloured by verdict, n= its replications; the answer ringed, the target "
            "dashed. Values it skipped are gaps: it assumed the curve monotone there.",
        ),
    ),
    "metastability": (
        FigureFile(
            "metastability.png",
            "The phase diagram: a panel per variant, the fault's strength up and its length "
            "across; each cell a point, coloured by its class (what most of its replications "
            "did in the last hour of the horizon, the trigger gone), with how many replications "
            "agree where not all do, and the boundary between the classes drawn.",
        ),
    ),
}
"""Every figure a report embeds, per kind, in the order it shows them, with its caption.
A figure missing from the folder is left out of the report."""


class ReportError(Exception):
    """The folder cannot be reported on (bad input: the CLI exits 2 and writes nothing)."""


@dataclass(frozen=True)
class Event:
    """One row of events.csv."""

    replication: int
    time_s: float
    kind: str
    target: str
    detail: str


@dataclass
class ResultsFolder:
    """A results folder read back: its kind, its JSON files, its scenario and its events.

    Attributes:
        path: The folder.
        kind: ``run``, ``compare``, ``sweep``, ``plan`` or ``metastability`` (run.json's
            ``kind``).
        run: run.json's content.
        summary: The figures: summary.json's content (a run, a comparison), sweep.json's,
            plan.json's or metastability.json's (see :data:`DATA_FILES`).
        scenario_yaml: scenario.yaml's text.
        scenario: The scenario loaded from scenario.yaml (a comparison's base scenario).
        variants: A comparison's variants' scenarios, the base first as ``baseline`` (empty
            for a run).
        events: events.csv's rows (a comparison's: the baseline's, from its variant folder);
            ``None`` when the folder has no such file (one written by an older ehrsim, or a
            sweep's, a plan's or a map's, which keep no events).
        figures: The figures of :data:`FIGURES` that the folder holds, in their order.
    """

    path: Path
    kind: str
    run: dict[str, Any]
    summary: dict[str, Any]
    scenario_yaml: str
    scenario: Scenario
    variants: dict[str, Scenario] = field(default_factory=dict)
    events: list[Event] | None = None
    figures: list[FigureFile] = field(default_factory=list)


def _json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ReportError(f"{path}: not a text file") from None
    except json.JSONDecodeError as exc:
        raise ReportError(
            f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except OSError as exc:
        raise ReportError(f"{path}: cannot read it: {exc.strerror}") from None
    if not isinstance(data, dict):
        raise ReportError(f"{path}: expected a JSON object, found {type(data).__name__}")
    return data


def _kind(path: Path, run: dict[str, Any]) -> str:
    """run.json's ``kind``; for a folder written before it existed, what its files show."""
    kind = run.get("kind")
    if kind is None:
        if (path / "sweep.json").is_file():
            return "sweep"
        if (path / "plan.json").is_file():
            return "plan"
        if (path / "metastability.json").is_file():
            return "metastability"
        if not (path / "summary.json").is_file():
            raise ReportError(
                f"{path}: run.json has no 'kind' and the folder holds no summary.json, "
                "sweep.json, plan.json or metastability.json"
            )
        summary = _json(path / "summary.json")
        if "ranking" in summary and "variants" in summary:
            return "compare"
        if "messages" in summary:
            return "run"
        raise ReportError(
            f"{path}: run.json has no 'kind' and summary.json is neither a run's nor a comparison's"
        )
    if kind not in KINDS:
        raise ReportError(
            f"{path}: the results of ehrsim {kind}; ehrsim report reads the folders of "
            f"{', '.join(KINDS[:-1])} and {KINDS[-1]} only"
        )
    return str(kind)


def _check_shape(path: Path, kind: str, data: dict[str, Any]) -> None:
    """Refuse a figures file that is not the one ``kind`` writes, naming what it lacks."""
    lacking = [key for key in _SHAPES[kind] if key not in data]
    if lacking:
        name = DATA_FILES[kind]
        owner = {"run": "a run's", "compare": "a comparison's"}.get(kind, f"ehrsim {kind}'s")
        raise ReportError(
            f"{path / name}: not {owner} {name} (no {', '.join(repr(k) for k in lacking)})"
        )


def read_events(path: Path) -> list[Event] | None:
    """events.csv's rows (``None`` when the file is absent)."""
    if not path.is_file():
        return None
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            return [
                Event(
                    int(row["replication"]),
                    float(row["time_s"]),
                    row["kind"],
                    row["target"],
                    row["detail"],
                )
                for row in csv.DictReader(handle)
            ]
    except (KeyError, ValueError, TypeError) as exc:
        raise ReportError(f"{path}: not an events.csv of ehrsim ({exc})") from None


def _scenarios(path: Path, kind: str) -> tuple[Scenario, dict[str, Scenario]]:
    from sim.scenario import ScenarioError, load_scenario, load_variants

    try:
        if kind == "compare":
            variants = load_variants(path)
            return next(iter(variants.values())), variants
        return load_scenario(path), {}
    except ScenarioError as exc:
        raise ReportError(f"{path}: cannot be loaded:\n{exc}") from None


def read_folder(path: Path) -> ResultsFolder:
    """Read the results folder of a run, a comparison, a sweep, a plan or a metastability map.

    Raises:
        ReportError: Naming the folder or file and what is wrong: no such folder, not a
            results folder of ehrsim, a file the folder's kind needs that is missing, a kind
            the report does not read, a file that does not parse.
    """
    if not path.exists():
        raise ReportError(f"{path}: no such folder")
    if not path.is_dir():
        raise ReportError(f"{path}: is a file, not a results folder")
    known = ("run.json", "scenario.yaml", *dict.fromkeys(DATA_FILES.values()))
    if not any((path / name).is_file() for name in known):
        raise ReportError(
            f"{path}: not a results folder of ehrsim (no {', '.join(known)}); give the "
            "folder a run, compare, sweep, plan or metastability wrote, e.g. "
            "results/<name>/<run-id>"
        )
    if not (path / "run.json").is_file():
        raise ReportError(
            f"{path}: run.json missing; every results folder of ehrsim holds run.json (which "
            "command wrote it), scenario.yaml and the figures"
        )
    run = _json(path / "run.json")
    kind = _kind(path, run)
    needed = required_files(kind)
    missing = [name for name in needed if not (path / name).is_file()]
    if missing:
        raise ReportError(
            f"{path}: {' and '.join(missing)} missing; the results folder of ehrsim {kind} "
            f"holds {', '.join(needed)}"
        )
    summary = _json(path / DATA_FILES[kind])
    _check_shape(path, kind, summary)
    scenario, variants = _scenarios(path / "scenario.yaml", kind)
    if kind == "compare":
        from sim.report.comparison import VARIANTS, variant_folder

        first = next(iter(variants))
        events = read_events(path / VARIANTS / variant_folder(first) / "events.csv")
    else:
        events = read_events(path / "events.csv")
    return ResultsFolder(
        path=path,
        kind=kind,
        run=run,
        summary=summary,
        scenario_yaml=(path / "scenario.yaml").read_text(encoding="utf-8"),
        scenario=scenario,
        variants=variants,
        events=events,
        figures=[f for f in FIGURES[kind] if (path / f.name).is_file()],
    )
