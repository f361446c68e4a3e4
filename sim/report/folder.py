"""A results folder read back for a report: its kind, its files and the figures it holds.

``ehrsim report`` never simulates: everything it says comes from the folder a ``run`` or a
``compare`` wrote (summary.json, run.json, scenario.yaml loaded with the scenario loader,
events.csv and the PNG figures). A folder of another kind, or a folder that is not a results
folder, is refused with a :class:`ReportError` that says what was found.
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
    "FIGURES",
    "KINDS",
    "Event",
    "FigureFile",
    "ReportError",
    "ResultsFolder",
    "read_events",
    "read_folder",
]

KINDS = ("run", "compare")
"""The kinds of results folder a report can be written for (run.json's ``kind``)."""

_REQUIRED = ("run.json", "summary.json", "scenario.yaml")
"""Files every results folder of ehrsim holds."""


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
        kind: ``run`` or ``compare`` (run.json's ``kind``).
        run: run.json's content.
        summary: summary.json's content.
        scenario_yaml: scenario.yaml's text.
        scenario: The scenario loaded from scenario.yaml (a comparison's base scenario).
        variants: A comparison's variants' scenarios, the base first as ``baseline`` (empty
            for a run).
        events: events.csv's rows (a comparison's: the baseline's, from its variant folder);
            ``None`` when the folder has no such file (one written by an older ehrsim).
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


def _kind(path: Path, run: dict[str, Any], summary: dict[str, Any]) -> str:
    """run.json's ``kind``; for a folder written before it existed, what its summary shows."""
    kind = run.get("kind")
    if kind is None:
        if "ranking" in summary and "variants" in summary:
            kind = "compare"
        elif "messages" in summary:
            kind = "run"
        else:
            raise ReportError(
                f"{path}: run.json has no 'kind' and summary.json is neither a run's nor a "
                "comparison's"
            )
    if kind not in KINDS:
        raise ReportError(
            f"{path}: the results of ehrsim {kind}; ehrsim report reads the folders of "
            f"{' and '.join(KINDS)} only"
        )
    if kind == "compare" and not ("ranking" in summary and "variants" in summary):
        raise ReportError(f"{path}/summary.json: not a comparison's (no 'ranking', 'variants')")
    if kind == "run" and "messages" not in summary:
        raise ReportError(f"{path}/summary.json: not a run's (no 'messages')")
    return str(kind)


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
    """Read a run's or a comparison's results folder.

    Raises:
        ReportError: Naming the folder or file and what is wrong: no such folder, not a
            results folder of ehrsim, a kind the report does not read, a file that does not
            parse.
    """
    if not path.exists():
        raise ReportError(f"{path}: no such folder")
    if not path.is_dir():
        raise ReportError(f"{path}: is a file, not a results folder")
    missing = [name for name in _REQUIRED if not (path / name).is_file()]
    if len(missing) == len(_REQUIRED):
        raise ReportError(
            f"{path}: not a results folder of ehrsim (no {', '.join(_REQUIRED)}); give the "
            "folder a run or a compare wrote, e.g. results/<name>/<run-id>"
        )
    if missing:
        raise ReportError(
            f"{path}: {' and '.join(missing)} missing; a results folder of ehrsim holds "
            f"{', '.join(_REQUIRED)}"
        )
    run = _json(path / "run.json")
    summary = _json(path / "summary.json")
    kind = _kind(path, run, summary)
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
