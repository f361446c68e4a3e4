"""The content of a comparison's report, from its results folder alone.

The ranking with what it ranks by and each variant's 95 % interval, the paired difference to
the best ("distinguishable" or not), the Pareto front, the trade-offs and the warnings, all
read from the comparison's summary.json (:meth:`Comparison.to_json`) and said with the same
sentences as the terminal table (:mod:`sim.report.compare_text`); then every compared metric
per variant, what each variant changes, the base scenario in words, the baseline's fault
timeline, the figures and the provenance. See :class:`CompareReport`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sim.experiments.figures import Figure
from sim.experiments.tradeoffs import TradeOff
from sim.experiments.verdicts import PairedDifference
from sim.report.compare_text import (
    better,
    difference_text,
    given_up_cell,
    label,
    trade_off_text,
)
from sim.report.comparison import figure_text, overlay_assignments, variant_folder
from sim.report.content import Table, interval_text, provenance, timeline_note
from sim.report.content import figure_text as value_of
from sim.report.gantt import Gantt, gantt
from sim.report.scenario_words import ScenarioWords, describe
from sim.report.tables import strategy_text

if TYPE_CHECKING:
    from sim.report.folder import Event, FigureFile, ResultsFolder
    from sim.scenario.schema import Scenario

__all__ = ["CompareReport", "MetricCell", "RankRow", "compare_report", "overlay_lines"]


@dataclass(frozen=True)
class MetricCell:
    """One metric of one variant: the text shown and summary.json's exact figures.

    Attributes:
        metric: The metric's path.
        variant: The variant's name.
        text: The figure for people: the mean ± the half-width of its 95 % interval, with
            what its nulls mean (``not recovered in 1/3``).
        mean: summary.json's mean (``None`` when every value is null).
        ci: summary.json's 95 % interval of the mean.
    """

    metric: str
    variant: str
    text: str
    mean: float | None
    ci: tuple[float, float] | None


@dataclass(frozen=True)
class RankRow:
    """A variant's row in the ranking.

    Attributes:
        place: ``1``, ``2``, ... (empty with one replication: no ranking then).
        variant: Its name.
        same_as: The variant whose scenario it repeats (empty if none).
        figure: The ranking metric.
        mean_text: The ranking metric's mean for people (or why it has none).
        ci_text: Its 95 % interval (empty without one).
        difference: The paired difference to the best with its interval and the verdict
            (``best`` for the best itself).
        pareto: On the Pareto front of the compared metrics.
        given_up: What it gives up to beat the baseline (``+444 expired``), if anything.
        recovered: The share of its replications that recovered (``–`` without faults).
        failed: The hypotheses it fails, and whether a guard stopped it (``none``).
    """

    place: str
    variant: str
    same_as: str
    figure: MetricCell
    mean_text: str
    ci_text: str
    difference: str
    pareto: bool
    given_up: str
    recovered: str
    failed: str


@dataclass(frozen=True)
class CompareReport:
    """Everything a comparison's report shows, in its order."""

    kind: str
    run_id: str
    title: str
    subtitle: str
    incomplete: str
    warnings: list[str]
    ranked_by: str
    ranking_note: str
    metric_label: str
    ranking: list[RankRow]
    show_given_up: bool
    trade_offs: list[str]
    pareto: str
    metrics: list[tuple[str, list[MetricCell]]]
    variants: Table
    scenario: ScenarioWords
    timeline: Gantt | None
    timeline_note: str
    figures: list[FigureFile]
    provenance: list[tuple[str, str]]


def _pair(value: Any) -> tuple[float, float] | None:
    if isinstance(value, list | tuple) and len(value) == 2 and None not in value:
        return float(value[0]), float(value[1])
    return None


def _cell(metric: str, variant: str, data: Mapping[str, Any]) -> MetricCell:
    mean = data.get("mean")
    return MetricCell(
        metric,
        variant,
        figure_text(Figure.from_json(metric, data)).replace(" ± ", "\n± "),
        None if mean is None else float(mean),
        _pair(data.get("ci95")),
    )


def _failed(summary: Mapping[str, Any]) -> str:
    failed = [str(h["metric"]) for h in summary.get("hypotheses", []) if not h.get("passed")]
    if summary.get("complete") is False:
        failed.append("(stopped at a guard)")
    return "\n".join(failed) if failed else "none"


def _ranking(data: Mapping[str, Any]) -> list[RankRow]:
    first = data["metrics"][0]
    n = int(data["replications"])
    paired = data.get("paired", {}).get("variants", {})
    front = set(data.get("pareto", []))
    trades = {t["variant"]: TradeOff.from_json(t) for t in data.get("trade_offs", [])}
    same = {i["variant"]: i["same_as"] for i in data.get("identical", [])}
    rows = []
    for place, name in enumerate(data["ranking"], start=1):
        variant = data["variants"][name]
        fig = variant["figures"][first]
        cell = _cell(first, name, fig)
        diff = paired.get(name)
        share = variant["summary"].get("recovered_share")
        figure = Figure.from_json(first, fig)
        note = figure_text(figure).partition("\n")[2]
        rows.append(
            RankRow(
                place=str(place) if n > 1 else "",
                variant=name,
                same_as=same.get(name, ""),
                figure=cell,
                mean_text=value_of(first, cell.mean) if cell.mean is not None else "–",
                ci_text="\n".join(t for t in (interval_text(first, cell.ci), note) if t),
                difference=difference_text(
                    first, PairedDifference.from_json(diff) if diff is not None else None, n
                ).replace(" [", "\n["),
                pareto=name in front,
                given_up=given_up_cell(trades[name]) if name in trades else "",
                recovered="–" if share is None else f"{share:.0%}",
                failed=_failed(variant["summary"]),
            )
        )
    return rows


def _differences(base: Scenario, variant: Scenario) -> str:
    """What a variant's resolved scenario does differently on the channels and the faults:
    the queue layout, each new channel strategy once with the channels it applies to (``every
    channel`` when all), the faults."""
    lines = []
    if variant.strategy.queues != base.strategy.queues:
        lines.append(f"queues: {variant.strategy.queues}")
    channels = list(dict.fromkeys(flow.to for flow in variant.flows.values()))
    changed: dict[str, list[str]] = {}
    for sid in channels:
        mine = strategy_text(variant.channel_strategy(sid))
        if sid not in base.systems or mine != strategy_text(base.channel_strategy(sid)):
            changed.setdefault(mine, []).append(sid)
    for text, sids in changed.items():
        which = "every channel" if len(sids) == len(channels) > 1 else ", ".join(sids)
        lines.append(f"{which}: {text}")
    if variant.faults != base.faults:
        names = ", ".join(f.name or f.kind for f in variant.faults)
        lines.append(f"faults: {names}" if names else "no faults")
    return "\n".join(lines) if lines else "the same channels and faults as the baseline"


def overlay_lines(overlay: Mapping[str, Any], systems: Sequence[str]) -> str:
    """An overlay's assignments, a line each; one key set to the same value on every system
    is one line: ``systems.*.connections=4 (every system)``."""
    if not overlay:
        return "(the scenario as written)"
    assignments = overlay_assignments(overlay)
    per_system: dict[str, list[str]] = {}
    for text in assignments:
        match = re.fullmatch(r"systems\.([^.=]+)\.(.+)", text)
        if match is not None:
            per_system.setdefault(match[2], []).append(match[1])
    lines = []
    for text in assignments:
        match = re.fullmatch(r"systems\.([^.=]+)\.(.+)", text)
        if match is None or len(per_system[match[2]]) < 3:
            lines.append(text)
        elif match[1] == per_system[match[2]][0]:
            sids = per_system[match[2]]
            which = "every system" if set(sids) >= set(systems) else ", ".join(sids)
            lines.append(f"systems.*.{match[2]} ({which})")
    return "\n".join(lines)


def _variants(data: Mapping[str, Any], scenarios: Mapping[str, Scenario]) -> Table:
    names = list(data["variants"])
    base = scenarios[names[0]]
    rows = []
    for name in names:
        overlay = data["variants"][name].get("overlay") or {}
        scenario = scenarios.get(name)
        rows.append(
            (
                name,
                overlay_lines(overlay, list(base.systems)),
                _differences(base, scenario) if scenario is not None and name != names[0] else "",
            )
        )
    return Table(
        ("variant", "what it lays over the scenario", "effective strategy where it differs"),
        rows,
        frozenset({0, 1, 2}),
    )


def _timeline_note(scenarios: Mapping[str, Scenario], events: Sequence[Event] | None) -> str:
    names = list(scenarios)
    missing = timeline_note(events, f"variants/{variant_folder(names[0])}/events.csv")
    if missing:
        return missing
    base = scenarios[names[0]]
    other = [n for n in names[1:] if scenarios[n].faults != base.faults]
    text = f"The faults of {names[0]}, as they happened in its replications."
    if other:
        text += f" Variants with other faults: {', '.join(other)}."
    return text


def compare_report(folder: ResultsFolder) -> CompareReport:
    """A comparison's report content (see :class:`CompareReport`)."""
    data = folder.summary
    scenario = folder.scenario
    metrics = list(data["metrics"])
    first, rest = metrics[0], metrics[1:]
    n = int(data["replications"])
    names = list(data["variants"])
    tie = "; ties broken by the next metric" if rest else ""
    ranked_by = (
        f"Ranked by {label(first)} ({data.get('ranked_by', {}).get('better', better(first))} "
        f"is better{tie}): the mean over {n:,} replication(s) per variant with its 95 % interval."
        if n > 1
        else f"In order of {label(first)}: one replication, so no interval can be computed and "
        "this order is not a ranking."
    )
    best = data["ranking"][0]
    ranking_note = (
        f"vs best: the {label(first)} of {best} subtracted replication by replication (the "
        "replications are paired: every variant ran on the same random numbers), mean [95 % "
        "interval]; not distinguishable when the interval includes 0. Pareto: no other variant "
        "is as good on every compared metric and better on one (on the means)."
    )
    front = list(data.get("pareto", []))
    if len(front) == len(names):
        pareto = (
            f"Every variant is on the Pareto front of the {len(metrics)} compared metrics: none "
            "is beaten on every metric at once."
        )
    else:
        pareto = (
            f"On the Pareto front of the {len(metrics)} compared metrics (no other variant is as "
            f"good on every metric and better on one): {', '.join(front)}."
        )
    incomplete = ""
    if data.get("complete") is False:
        incomplete = (
            f"A guard stopped some variants early ({folder.run.get('stop_reason', '')}): their "
            "figures cover only part of the run."
        )
    trade_offs = [trade_off_text(TradeOff.from_json(t)) for t in data.get("trade_offs", [])]
    return CompareReport(
        kind="compare",
        run_id=str(folder.run.get("run_id", folder.path.name)),
        title=scenario.title,
        subtitle=(
            f"ehrsim compare of scenario {scenario.name}: {len(names):,} variants, {n:,} "
            f"replication(s) each from seed {data.get('seed', scenario.seed)}, on common random "
            "numbers."
        ),
        incomplete=incomplete,
        warnings=[str(w) for w in data.get("warnings", [])],
        ranked_by=ranked_by,
        ranking_note=ranking_note,
        metric_label=label(first),
        ranking=_ranking(data),
        show_given_up=bool(trade_offs),
        trade_offs=trade_offs,
        pareto=pareto,
        metrics=[
            (
                label(m),
                [_cell(m, name, data["variants"][name]["figures"][m]) for name in data["ranking"]],
            )
            for m in metrics
        ],
        variants=_variants(data, folder.variants),
        scenario=describe(scenario),
        timeline=gantt(folder.events or [], scenario, float(scenario.horizon or 0.0), n),
        timeline_note=_timeline_note(folder.variants, folder.events),
        figures=list(folder.figures),
        provenance=provenance(folder),
    )
