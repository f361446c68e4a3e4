"""The content of a run's report, from its results folder alone.

Headline figures with their 95 % intervals, the hypotheses, the scenario in words, the fault
timeline, the messages, the per-destination table, late orders by class, the people's work,
the figures and the provenance: see :class:`RunReport`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sim.report.content import (
    Headline,
    Table,
    get,
    headline,
    interval_text,
    provenance,
    timeline_note,
)
from sim.report.gantt import Gantt, gantt
from sim.report.scenario_words import ScenarioWords, describe
from sim.report.tables import (
    MESSAGE_ROWS,
    human_seconds,
    hypothesis_rows,
    summary_sections,
)

if TYPE_CHECKING:
    from sim.report.folder import FigureFile, ResultsFolder

__all__ = ["HEADLINES", "PEOPLE", "Hypothesis", "RunReport", "hypotheses_verdict", "run_report"]

HEADLINES = (
    ("recovery_time_s", "Engine recovery time"),
    ("people_recovery_time_s", "People's recovery time"),
    ("peak_backlog", "Peak backlog (messages)"),
    ("time_to_detect_s", "Time to detect"),
    ("late.stat", "Late STAT orders"),
    ("late.urgent", "Late urgent orders"),
    ("messages.on_paper", "Orders on paper"),
    ("messages.delivered", "Messages delivered"),
    ("messages.lost", "Messages lost"),
    ("retry_amplification", "Sends per delivered message"),
)
"""The headline figures of a run's report: (path in summary.json, label)."""

PEOPLE = (
    ("staff_hours.clerks", "clerk hours (back-entry and reconciliation)"),
    ("staff_hours.analysts", "analyst hours (fixes, restarts, reprocessing)"),
    ("messages.on_paper", "orders on paper"),
    ("messages.paper_duplicates", "paper orders also sent electronically (to reconcile)"),
    ("messages.expired", "messages expired to paper"),
    ("people_recovery_time_s", "people's recovery time"),
)
"""The rows of the people's work: (path in summary.json, label)."""

_CI = "95 % CI"


@dataclass(frozen=True)
class Hypothesis:
    """A hypothesis of the scenario and its verdict on the run's means."""

    metric: str
    expected: str
    value: str
    passed: bool


@dataclass(frozen=True)
class RunReport:
    """Everything a run's report shows, in its order."""

    kind: str
    run_id: str
    title: str
    subtitle: str
    incomplete: str
    headlines: list[Headline]
    hypotheses: list[Hypothesis]
    hypotheses_verdict: str
    scenario: ScenarioWords
    timeline: Gantt | None
    timeline_note: str
    messages: Table
    destinations: Table
    late: Table
    people: Table
    people_note: str
    figures: list[FigureFile]
    provenance: list[tuple[str, str]]


def _with_ci(summary: Mapping[str, Any], rows: list[tuple[str, str]]) -> Table:
    """A table of (label, figure, 95 % CI) for paths in summary.json."""
    out = []
    for path, label in rows:
        h = headline(summary, path, label)
        out.append((label, h.text, interval_text(path, h.ci)))
    return Table(("", "value", _CI), out)


def _late(summary: Mapping[str, Any]) -> Table:
    late = summary.get("late", {})
    shares = summary.get("late_share", {})
    rows = []
    for cls in late:
        h = headline(summary, f"late.{cls}", cls)
        share = shares.get(cls)
        rows.append(
            (
                "STAT" if cls == "stat" else cls,
                h.text,
                interval_text(h.metric, h.ci),
                "–" if share is None else f"{share:.1%}",
            )
        )
    return Table(("class", "late orders", _CI, "share of decided orders"), rows)


def _people_note(summary: Mapping[str, Any]) -> str:
    engine = get(summary, "recovery_time_s")
    people = get(summary, "people_recovery_time_s")
    if not isinstance(engine, int | float) or not isinstance(people, int | float):
        return ""
    if people > engine:
        return (
            f"The people's work goes on {human_seconds(people - engine)} after the engine's "
            f"queues are back to normal ({human_seconds(people)} against "
            f"{human_seconds(engine)} after the last fault)."
        )
    return (
        f"The people's work is done within the engine's recovery ({human_seconds(people)} "
        f"against {human_seconds(engine)} after the last fault)."
    )


def hypotheses_verdict(hypotheses: list[Hypothesis], replications: int) -> str:
    """``2 of 3 hypotheses fail``, ``The hypothesis holds``, on the means or the one run."""
    n = len(hypotheses)
    failed = sum(not h.passed for h in hypotheses)
    if n == 1:
        text = "The hypothesis fails." if failed else "The hypothesis holds."
    elif failed:
        text = f"{failed} of {n} hypotheses fail."
    else:
        text = f"All {n} hypotheses hold."
    if replications > 1:
        text += " Each is judged on the mean over the replications."
    return text


def run_report(folder: ResultsFolder) -> RunReport:
    """A run's report content (see :class:`RunReport`)."""
    summary = folder.summary
    scenario = folder.scenario
    n = int(summary.get("replications") or 1)
    horizon = float(folder.run.get("horizon_s") or scenario.horizon or 0.0)
    start = scenario.start
    end = start + timedelta(seconds=horizon)
    subtitle = (
        f"ehrsim run of scenario {scenario.name}: {start:%a} {start.day} {start:%b %Y %H:%M} to "
        f"{end:%a} {end.day} {end:%b %Y %H:%M}, {n:,} replication(s) from seed "
        f"{summary.get('seed', scenario.seed)}"
        + (". Figures are means over the replications." if n > 1 else ".")
    )
    incomplete = ""
    if summary.get("complete") is False or folder.run.get("complete") is False:
        reason = folder.run.get("stop_reason") or "a guard stopped it"
        incomplete = f"This run stopped early ({reason}): its figures cover only part of it."
    sections = {s.title: s for s in summary_sections(summary, start, horizon)}
    hypotheses = [Hypothesis(*row) for row in hypothesis_rows(summary)]
    headlines = [headline(summary, path, label) for path, label in HEADLINES]
    if summary.get("time_to_detect_s") is None:
        detect = "no alerts are defined" if not scenario.alerts else "no alert fired"
        headlines = [
            replace(h, note=detect) if h.metric == "time_to_detect_s" else h for h in headlines
        ]
    messages = _with_ci(summary, [(f"messages.{key}", label) for label, key in MESSAGE_ROWS])
    return RunReport(
        kind="run",
        run_id=str(folder.run.get("run_id", folder.path.name)),
        title=scenario.title,
        subtitle=subtitle,
        incomplete=incomplete,
        headlines=headlines,
        hypotheses=hypotheses,
        hypotheses_verdict=hypotheses_verdict(hypotheses, n),
        scenario=describe(scenario),
        timeline=gantt(folder.events or [], scenario, horizon, n),
        timeline_note=timeline_note(folder.events, "events.csv"),
        messages=Table(("", "count", _CI), messages.rows),
        destinations=Table.of(sections["Destinations"]),
        late=_late(summary),
        people=_with_ci(summary, list(PEOPLE)),
        people_note=_people_note(summary),
        figures=list(folder.figures),
        provenance=provenance(folder),
    )
