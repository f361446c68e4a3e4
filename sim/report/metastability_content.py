"""The content of a metastability map's report, from its results folder alone.

What was mapped (the fault, its kind, the magnitude and duration axes with their values, the
variants, the replications), the phase diagram of metastability.png, per variant how many
points fall in each class and what the classes mean, the table of the points (class, recovery
time, recovered share, goodput share, all read from metastability.json), the base scenario in
words and the provenance. See :class:`MetastabilityReport`.
"""

from __future__ import annotations

import itertools
import shlex
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sim.report.content import Table, figure_text, guard_note, provenance, run_id
from sim.report.folder import FigureFile
from sim.report.metastability import duration_label
from sim.report.scenario_words import ScenarioWords, describe
from sim.report.tables import human_count, human_seconds, plural

if TYPE_CHECKING:
    from sim.report.folder import ResultsFolder
    from sim.report.gantt import Gantt

__all__ = [
    "CLASS_MEANINGS",
    "POINT_METRICS",
    "ClassCount",
    "MapRow",
    "MetastabilityReport",
    "metastability_report",
]

POINT_METRICS = ("recovery_time_s", "recovered_share", "goodput_share")
"""The figures of each point in the table, metastability.json's columns after ``class``."""

NO_CLASS = "no class"
"""What a point is called when every replication stopped at a guard (its class is null)."""

CLASS_MEANINGS = {
    "recovers": "Recovered within the horizon: every queue came back to its normal level "
    "(the point's recovery time is the mean over the replications that recovered).",
    "recovering-at-horizon": "Not recovered by the end of the horizon, but not overloaded "
    "either: over the last hour the backlog was still falling, or goodput kept pace with "
    "arrivals. Given more time it would likely recover.",
    "stays-degraded": "Not recovered, and over the last hour, with the trigger long gone, the "
    "backlog was not falling and goodput (messages delivered for the first time) stayed below "
    "arrivals: the system's own retries, timeouts or backlog keep it overloaded. A metastable "
    "failure.",
}
"""What each class means, for people (metastability.json's ``rule`` says it exactly)."""


@dataclass(frozen=True)
class ClassCount:
    """How many of a variant's points fall in one class.

    Attributes:
        variant: The variant.
        cls: The class (or :data:`NO_CLASS`).
        count: How many points.
        text: The count for people (``1,234``).
    """

    variant: str
    cls: str
    count: int
    text: str


@dataclass(frozen=True)
class MapCell:
    """One figure of one point: the text shown and metastability.json's exact value."""

    metric: str
    point: int
    text: str
    value: float | None


@dataclass(frozen=True)
class MapRow:
    """One point of the map, as the table shows it.

    Attributes:
        point: Its index in metastability.json's ``points``.
        variant: The variant.
        magnitude: The fault's severity as metastability.json writes it.
        magnitude_text: The same for people.
        duration_s: The fault's ``for`` in seconds.
        duration_text: The same for people (``15min``, ``1h19m``).
        cls: The point's class (``None``: every replication stopped at a guard).
        cls_text: The class for people, with how many replications agree where not all do.
        cells: Its figures (:data:`POINT_METRICS`).
    """

    point: int
    variant: str
    magnitude: float
    magnitude_text: str
    duration_s: float
    duration_text: str
    cls: str | None
    cls_text: str
    cells: list[MapCell]


@dataclass(frozen=True)
class MetastabilityReport:
    """Everything a metastability map's report shows, in its order."""

    kind: str
    run_id: str
    title: str
    subtitle: str
    incomplete: str
    question: str
    fault: str
    axes: Table
    severity_meaning: str
    variants: Table
    design: str
    classes: list[str]
    counts: list[tuple[str, list[ClassCount]]]
    meanings: Table
    rule: str
    rows: list[MapRow]
    points_note: str
    scenario: ScenarioWords
    figures: list[FigureFile]
    provenance: list[tuple[str, str]]
    timeline: Gantt | None = None


def _number(value: float) -> str:
    """A magnitude as typed: ``0.1``, ``1.25``, ``2``, ``1,000``."""
    return f"{value:,.6g}" if abs(value) < 1e6 else f"{value:,.0f}"


def _duration(seconds: float) -> str:
    """``30s``, ``15min``, ``1h19m``, with the seconds when they read differently."""
    shown = duration_label(seconds)
    whole = f"{seconds:,.0f} s" if float(seconds).is_integer() else f"{seconds:,.3g} s"
    return shown if shown in (f"{seconds:g}s",) else f"{shown} ({whole})"


def _class_text(cls: str | None, classes: Sequence[str | None]) -> str:
    if cls is None:
        return f"{NO_CLASS}: every replication stopped at a guard"
    agree = sum(c == cls for c in classes)
    if agree < len(classes):
        return f"{cls}\n{agree:,} of {len(classes):,} replications"
    return cls


def _row(index: int, point: Mapping[str, Any]) -> MapRow:
    cls = point["class"]
    cells = []
    for metric in POINT_METRICS:
        value = point[metric]
        value = float(value) if isinstance(value, int | float) else None
        text = figure_text(metric, value)
        if metric == "recovery_time_s" and value is None:
            text = "– (not recovered)" if point.get("recovered_share") == 0 else "–"
        cells.append(MapCell(metric, index, text, value))
    magnitude, duration = float(point["magnitude"]), float(point["duration_s"])
    return MapRow(
        point=index,
        variant=str(point["variant"]),
        magnitude=magnitude,
        magnitude_text=_number(magnitude),
        duration_s=duration,
        duration_text=_duration(duration),
        cls=None if cls is None else str(cls),
        cls_text=_class_text(cls, list(point.get("replication_classes") or [])),
        cells=cells,
    )


def _counts(
    variants: Sequence[str], classes: Sequence[str], rows: Sequence[MapRow]
) -> list[tuple[str, list[ClassCount]]]:
    """Per variant, how many of its points fall in each class (best first; ``no class`` last
    when a point has none)."""
    names = list(classes) + ([NO_CLASS] if any(r.cls is None for r in rows) else [])
    out = []
    for variant in variants:
        found = Counter(r.cls or NO_CLASS for r in rows if r.variant == variant)
        out.append(
            (variant, [ClassCount(variant, c, found[c], human_count(found[c])) for c in names])
        )
    return out


def _axes_table(data: Mapping[str, Any]) -> Table:
    magnitude, duration = data["magnitude"], data["duration"]
    mags = [_number(float(v)) for v in magnitude["values"]]
    durs = [duration_label(float(v)) for v in duration["values_s"]]
    return Table(
        ("axis", "key", "range", "values", "count"),
        [
            (
                "how strong (magnitude)",
                str(magnitude["key"]),
                str(magnitude["range"]),
                ", ".join(mags),
                f"{len(mags):,}",
            ),
            (
                "how long (duration)",
                str(duration["key"]),
                str(duration["range"]),
                ", ".join(durs),
                f"{len(durs):,}",
            ),
        ],
        frozenset({0, 1, 2, 3}),
    )


def _options(command: str) -> dict[str, str]:
    """Each ``--variant NAME: {OVERLAY}`` of run.json's command, by name."""
    try:
        words = shlex.split(command)
    except ValueError:
        return {}
    found = {}
    for flag, value in itertools.pairwise(words):
        if flag == "--variant" and ":" in value:
            found[value.split(":", 1)[0].strip()] = value
    return found


def _variants_table(
    folder: ResultsFolder, variants: Sequence[str], counts: Mapping[str, int]
) -> Table:
    """Each variant, what it changes (where the folder says) and how many points it has."""
    options = _options(str(folder.run.get("command", "")))
    rows = []
    for variant in variants:
        if variant == "baseline":
            where = "the scenario itself (scenario.yaml)"
        elif variant in options:
            where = f"the command's --variant '{options[variant]}'"
        elif variant in folder.scenario.compare:
            where = f"scenario.yaml's compare entry '{variant}'"
        else:
            where = "a compare entry or a --variant of the command"
        rows.append((variant, where, f"{counts.get(variant, 0):,}"))
    return Table(("variant", "what it is", "points"), rows, frozenset({0, 1}))


def _a(word: str) -> str:
    """``a surge``, ``an engine-stall``."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def metastability_report(folder: ResultsFolder) -> MetastabilityReport:
    """A metastability map's report content (see :class:`MetastabilityReport`)."""
    from sim.scenario.faultkinds import FAULT_KINDS

    data = folder.summary
    scenario = folder.scenario
    fault = data["fault"]
    kind, name, index = str(fault["kind"]), str(fault["name"]), int(fault["index"])
    variants = [str(v) for v in data["variants"]]
    classes = [str(c) for c in data["classes"]]
    n = int(data["replications"])
    seed = data.get("seed", scenario.seed)
    rows = [_row(k, p) for k, p in enumerate(data["points"])]
    per_variant = Counter(r.variant for r in rows)
    size = len(data["magnitude"]["values"]) * len(data["duration"]["values_s"])
    window_s = float(data.get("window_s") or 3600)
    window = "hour" if window_s == 3600 else human_seconds(window_s)
    known = FAULT_KINDS.get(kind)
    meaning = known.severity_meaning if known is not None else ""
    return MetastabilityReport(
        kind="metastability",
        run_id=run_id(folder),
        title=scenario.title,
        subtitle=(
            f"ehrsim metastability of scenario {scenario.name}: the {kind} '{name}' (faults."
            f"{index}) at {plural(size, 'point')} per variant, {plural(len(variants), 'variant')}, "
            f"{plural(n, 'replication')} per point from seed {seed}, on common random numbers."
        ),
        incomplete=guard_note(folder),
        question=(
            f"How strong and how long {_a(kind)} can each design take and still recover once it "
            f"is over? The fault '{name}' (faults.{index}) is varied in strength (its severity) "
            f"and in length (its 'for'): {plural(size, 'point')} per variant, "
            f"{plural(n, 'replication')} each, {human_count(len(rows))} points in all."
        ),
        fault=f"faults.{index}: {kind} '{name}'",
        axes=_axes_table(data),
        severity_meaning=(f"The severity of {_a(kind)} is {meaning}." if meaning else ""),
        variants=_variants_table(folder, variants, per_variant),
        design=(
            "Each point is the scenario with the fault's severity and 'for' set, as 'ehrsim run "
            "--set KEY=VALUE' sets them. Replication i of every point and variant draws the "
            f"random numbers of seed {seed} and i (common random numbers), so points differ by "
            "their values, not by chance draws."
        ),
        classes=classes,
        counts=_counts(variants, classes, rows),
        meanings=Table(
            ("class", "what it means"),
            [(c, CLASS_MEANINGS.get(c, "")) for c in classes],
            frozenset({0, 1}),
        ),
        rule=(
            f"Each replication is classed by what it did in the last {window} of the horizon, "
            f"with the trigger gone. The rule exactly: {data['rule']}"
        ),
        rows=rows,
        points_note=(
            "A row per point, variant by variant, magnitude then duration. The class is that of "
            "most replications (how many agree is said where not all do). Recovery time: the "
            "mean over the replications that recovered; recovered share: the share that did; "
            "goodput share: the share of sends that delivered a message for the first time, "
            "over the whole run."
        ),
        scenario=describe(scenario),
        figures=list(folder.figures),
        provenance=provenance(folder),
    )
