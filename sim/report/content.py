"""What a report says, whatever its format: tables of text, headline figures, provenance.

The HTML and Markdown templates lay out the same content, built here (and in
:mod:`sim.report.run_content`, :mod:`sim.report.compare_content`,
:mod:`sim.report.sweep_content`, :mod:`sim.report.plan_content`,
:mod:`sim.report.metastability_content`) from a results folder alone.
Figures are formatted with the terminal tables' helpers (:mod:`sim.report.tables`,
:mod:`sim.report.compare_text`), so a report and ``ehrsim run`` print the same ``12,345`` and
``2h 41m``; the exact numbers stay beside them for machines (the HTML's ``data-value``).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from sim.metrics.registry import METRICS, lookup
from sim.report.compare_text import unit, value_text
from sim.report.tables import Section, human_count, human_seconds

if TYPE_CHECKING:
    from sim.report.folder import Event, FigureFile, ResultsFolder
    from sim.report.gantt import Gantt

__all__ = [
    "Headline",
    "Report",
    "Table",
    "figure_text",
    "get",
    "guard_note",
    "headline",
    "interval_text",
    "provenance",
    "run_id",
    "timeline_note",
]


class Report(Protocol):
    """What every report's content gives its layout: the template is ``<kind>.html`` or
    ``<kind>.md``, the figures are the folder's PNGs, the timeline an SVG (or none)."""

    @property
    def kind(self) -> str: ...
    @property
    def run_id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def figures(self) -> list[FigureFile]: ...
    @property
    def timeline(self) -> Gantt | None: ...


@dataclass(frozen=True)
class Table:
    """A table of a report: a header and rows of text.

    Columns in ``text_columns`` hold words (left-aligned), the others figures (right-aligned).
    A cell's line breaks (``\\n``) are kept.
    """

    header: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]
    text_columns: frozenset[int] = field(default_factory=lambda: frozenset({0}))

    @classmethod
    def of(cls, section: Section, text_columns: frozenset[int] | None = None) -> Table:
        """A terminal table's section as a report table (its title is the report's heading)."""
        return cls(section.header, section.rows, text_columns or frozenset({0}))


@dataclass(frozen=True)
class Headline:
    """A headline figure: its value for people, its 95 % interval, and the exact numbers.

    Attributes:
        metric: Its path in summary.json (the HTML's ``data-metric``).
        label: What the report calls it.
        value: summary.json's value (``None`` where null).
        text: The value for people (``12,345``, ``2h 41m``, ``–``).
        ci: summary.json's ``ci95`` for it (``None`` without).
        ci_text: The interval for people, or why there is none.
        note: What a null or a partial mean means (``no fault``, ``recovered in 2 of 3``).
        description: What the metric measures (from the metric registry).
    """

    metric: str
    label: str
    value: float | None
    text: str
    ci: tuple[float, float] | None
    ci_text: str
    note: str
    description: str


def get(data: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path, or ``None`` when it is absent."""
    try:
        return lookup(data, path)
    except KeyError:
        return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def figure_text(metric: str, value: float | None) -> str:
    """A value in the metric's unit: ``2h 41m``, ``12.5%``, ``1.013``, ``25.1 h``, ``12,345``
    (a mean count of 100 or more as a whole number, a smaller one with a decimal)."""
    if value is None:
        return "–"
    if unit(metric) == "h":
        return f"{value:,.1f} h"
    return value_text(metric, value)


def interval_text(metric: str, ci: tuple[float, float] | None) -> str:
    """``1h 02m – 2h 10m``: a 95 % interval in the metric's unit (``""`` without one)."""
    if ci is None:
        return ""
    return f"{figure_text(metric, ci[0])} – {figure_text(metric, ci[1])}"


def _ci(summary: Mapping[str, Any], path: str) -> tuple[float, float] | None:
    ci = get(summary.get("ci95", {}), path)
    if isinstance(ci, list | tuple) and len(ci) == 2:
        low, high = _number(ci[0]), _number(ci[1])
        if low is not None and high is not None:
            return low, high
    return None


def _recovery_note(summary: Mapping[str, Any], value: float | None) -> str:
    share = _number(summary.get("recovered_share"))
    n = int(summary.get("replications") or 1)
    if share is None:
        return "no fault to recover from"
    if value is None:
        return "not recovered by the end of the run"
    if share < 1.0:
        recovered = round(share * n)
        return f"mean of the {recovered} of {n} replications that recovered"
    return ""


def headline(summary: Mapping[str, Any], metric: str, label: str) -> Headline:
    """A headline figure of a run's summary.json, with its interval."""
    value = _number(get(summary, metric))
    ci = _ci(summary, metric)
    n = int(summary.get("replications") or 1)
    if value is None:
        ci_text = ""
    elif ci is not None:
        ci_text = f"95 % CI {interval_text(metric, ci)}"
    elif n < 2:
        ci_text = "one replication: no interval"
    else:
        ci_text = ""
    note = ""
    if metric.rsplit(".", 1)[-1] in ("recovery_time_s", "people_recovery_time_s"):
        note = _recovery_note(summary, value)
    known = METRICS.get(metric)
    return Headline(
        metric,
        label,
        value,
        figure_text(metric, value),
        ci,
        ci_text,
        note,
        known.description if known is not None else "",
    )


def timeline_note(events: Sequence[Event] | None, source: str) -> str:
    """What the fault timeline cannot show: no events file, or no fault in it."""
    if events is None:
        return f"The folder holds no {source} (written by an older ehrsim): no fault timeline."
    if not any(e.kind == "fault-start" for e in events):
        return "No fault started during the run."
    return ""


def run_id(folder: ResultsFolder) -> str:
    """The results folder's name as run.json records it (the folder's own name without)."""
    return str(folder.run.get("run_id", folder.path.name))


def guard_note(folder: ResultsFolder) -> str:
    """What a sweep's, a plan's or a map's figures miss when a guard stopped replications (``""``
    when none did): their file's ``complete`` and run.json's ``stop_reason``."""
    if folder.summary.get("complete") is not False:
        return ""
    reason = folder.run.get("stop_reason") or "a guard stopped a replication"
    return f"A guard stopped some replications ({reason}): their figures cover only part."


def provenance(folder: ResultsFolder) -> list[tuple[str, str]]:
    """Who ran what, when, with which versions: run.json's record, and whether scenario.yaml
    is still the file the run hashed."""
    run = folder.run
    digest = hashlib.sha256((folder.path / "scenario.yaml").read_bytes()).hexdigest()
    recorded = str(run.get("scenario_sha256", ""))
    check = (
        "unchanged since the run (its sha256 matches)"
        if digest == recorded
        else "changed since the run (its sha256 differs)"
    )
    wall = _number(run.get("wall_s"))
    rows = [
        ("command", str(run.get("command", ""))),
        ("results folder", run_id(folder)),
        ("started", str(run.get("started", ""))),
        ("wall time", human_seconds(wall) if wall is not None else "–"),
        ("scenario", str(run.get("scenario", folder.scenario.name))),
        ("scenario sha256", recorded),
        ("scenario.yaml", check),
        ("seed", str(run.get("seed", folder.scenario.seed))),
        ("replications", _replications(folder)),
        *_kind_rows(folder),
        ("ehrsim", str(run.get("version", ""))),
        ("Python", str(run.get("python", ""))),
        ("numpy", str(run.get("numpy", ""))),
        ("simpy", str(run.get("simpy", ""))),
        ("platform", str(run.get("platform", ""))),
        ("complete", "yes" if run.get("complete", True) else f"no: {run.get('stop_reason', '')}"),
    ]
    return rows


def _replications(folder: ResultsFolder) -> str:
    """How many replications: run.json's count, or a plan's first and most per value."""
    if folder.kind != "plan":
        return human_count(_number(folder.run.get("replications")))
    plan = folder.summary
    first = human_count(_number(plan.get("replications")))
    most = human_count(_number(plan.get("replications_max")))
    runs = human_count(_number(plan.get("runs")))
    return f"{first} per value, up to {most} where the interval straddles the target; {runs} in all"


def _executor_text(executor: Any) -> str:
    """``processes, 2 workers``, ``dask, 8 workers at tls://…``, or ``–``."""
    if not isinstance(executor, Mapping):
        return "–"
    text = str(executor.get("kind", ""))
    workers = _number(executor.get("workers"))
    if workers is not None:
        text += f", {human_count(workers)} worker{'s' if workers != 1 else ''}"
    if executor.get("address"):
        text += f" at {executor['address']}"
    return text


def _kind_rows(folder: ResultsFolder) -> list[tuple[str, str]]:
    """Provenance only some kinds have: a comparison's variants; what ran a sweep's, a plan's
    or a map's replications and how many came from the replication cache."""
    run = folder.run
    if folder.kind == "compare":
        return [("variants", ", ".join(str(v) for v in run.get("variants", [])))]
    if folder.kind not in ("sweep", "plan", "metastability"):
        return []
    reused, ran = _number(run.get("reused")), _number(run.get("ran"))
    cache = run.get("cache")
    if reused is None or ran is None:
        cached = "–"
    elif cache is None:
        cached = f"none (--no-cache): ran {human_count(ran)}"
    else:
        cached = (
            f"reused {human_count(reused)} of {human_count(reused + ran)} replications from "
            f"{cache}; ran {human_count(ran)}"
        )
    return [("executor", _executor_text(run.get("executor"))), ("replication cache", cached)]
