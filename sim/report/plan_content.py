"""The content of a plan's report, from its results folder alone.

The question (the knob, its range, the target and the rule that judges a value), the answer in
the sentence ``ehrsim plan`` printed (:func:`sim.report.plan.answer_sentence`, from plan.json),
what it cost, the curve of plan.png, the table of the values evaluated with their verdicts,
the base scenario in words and the provenance. See :class:`PlanReport`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sim.metrics.registry import METRICS
from sim.report.compare_text import label, value_text
from sim.report.content import figure_text, guard_note, interval_text, provenance, run_id
from sim.report.plan import answer_sentence, plan_knob
from sim.report.scenario_words import ScenarioWords, describe
from sim.report.tables import human_count, plural

if TYPE_CHECKING:
    from sim.report.folder import FigureFile, ResultsFolder
    from sim.report.gantt import Gantt

__all__ = ["PlanReport", "PlanRow", "plan_report"]

_RELATION = {"<": "below", "<=": "at or below", ">": "above", ">=": "at or above"}


def _percent(share: float) -> str:
    """``95 %``, ``97.5 %``."""
    return f"{share * 100:g} %"


@dataclass(frozen=True)
class PlanRow:
    """One value the plan evaluated: the text shown and plan.json's exact figures.

    Attributes:
        value: The value as the scenario writes it (``3``, ``6min``).
        replications: How many it got.
        text: The mean for people (or why there is none).
        interval: Its 95 % interval for people (``""`` without one).
        bound: The one-sided bound its verdict compared, for people (``–`` without).
        verdict: ``met``, ``not met`` or ``undecided``.
        answer: Whether it is the answer.
        mean: plan.json's mean (``None`` where null).
        ci: plan.json's 95 % interval.
    """

    value: str
    replications: int
    text: str
    interval: str
    bound: str
    verdict: str
    answer: bool
    mean: float | None
    ci: tuple[float, float] | None


@dataclass(frozen=True)
class PlanReport:
    """Everything a plan's report shows, in its order."""

    kind: str
    run_id: str
    title: str
    subtitle: str
    incomplete: str
    key: str
    answer: str
    answer_value: int | str | None
    sentence: str
    cost: str
    question: str
    measures: str
    rule: str
    assumption: str
    metric: str
    metric_label: str
    bound_header: str
    rows: list[PlanRow]
    skipped: str
    scenario: ScenarioWords
    figures: list[FigureFile]
    provenance: list[tuple[str, str]]
    timeline: Gantt | None = None


def _row(metric: str, point: Mapping[str, Any], answer: str | None) -> PlanRow:
    mean = point.get("mean")
    low, high = point.get("ci95_low"), point.get("ci95_high")
    ci = (float(low), float(high)) if low is not None and high is not None else None
    nulls = int(point.get("nulls") or 0)
    n = int(point["replications"])
    text = figure_text(metric, None if mean is None else float(mean))
    if nulls:
        text += f"\nnull (never recovered) in {nulls}/{n}"
    bound = point.get("bound")
    return PlanRow(
        value=str(point["value"]),
        replications=n,
        text=text,
        interval=interval_text(metric, ci),
        bound="–" if bound is None else figure_text(metric, float(bound)),
        verdict=str(point["verdict"]),
        answer=answer is not None and str(point["value"]) == answer,
        mean=None if mean is None else float(mean),
        ci=ci,
    )


def _rule(plan: Mapping[str, Any]) -> str:
    metric, op = str(plan["metric"]), str(plan["op"])
    side = "upper" if op in ("<", "<=") else "lower"
    confidence = float(plan["confidence"])
    threshold = value_text(metric, float(plan["threshold"]))
    first, most = int(plan["replications"]), int(plan["replications_max"])
    return (
        f"A value meets the target when the one-sided {side} bound of the mean of "
        f"{label(metric)} at {_percent(confidence)} confidence (Student's t over its replications) "
        f"is {_RELATION[op]} {threshold}; a replication in which {label(metric)} is null "
        f"(never recovered) fails it. Each value starts with {plural(first, 'replication')}; one "
        f"whose interval straddles the target gets more, doubling up to {most:,}; still "
        "straddling there, it is undecided and counts as not met."
    )


def plan_report(folder: ResultsFolder) -> PlanReport:
    """A plan's report content (see :class:`PlanReport`)."""
    plan = folder.summary
    scenario = folder.scenario
    knob = plan_knob(plan)
    metric = str(plan["metric"])
    answer = None if plan["answer"] is None else str(plan["answer"])
    points = list(plan["points"])
    evaluated = {str(p["value"]) for p in points}
    skipped = len([v for v in knob.values if v not in evaluated])
    known = METRICS.get(metric)
    what = f"{label(metric)}: {known.description}." if known is not None else ""
    return PlanReport(
        kind="plan",
        run_id=run_id(folder),
        title=scenario.title,
        subtitle=(
            f"ehrsim plan of scenario {scenario.name}: the smallest {knob.key} in "
            f"{knob.text} for which {plan['target']}, at {_percent(float(plan['confidence']))} "
            f"one-sided confidence, from seed {plan.get('seed', scenario.seed)}."
        ),
        incomplete=guard_note(folder),
        key=knob.key,
        answer=answer if answer is not None else "none in the range",
        answer_value=plan["answer"],
        sentence=answer_sentence(plan),
        cost=(
            f"{human_count(plan['runs'])} replications at {len(points):,} of "
            f"{len(knob.values):,} values (every value at "
            f"{plural(int(plan['replications']), 'replication')} would have cost "
            f"{human_count(plan['grid_runs'])})."
        ),
        question=(
            f"What is the smallest {knob.key} from {knob.values[0]} to {knob.values[-1]} (step "
            f"{knob.step}) for which {label(metric)} is {_RELATION[str(plan['op'])]} "
            f"{value_text(metric, float(plan['threshold']))}?"
        ),
        measures=what,
        rule=_rule(plan),
        assumption=f"The search {plan.get('assumption') or ''}.",
        metric=metric,
        metric_label=label(metric),
        bound_header=f"one-sided {_percent(float(plan['confidence']))} bound",
        rows=[_row(metric, p, answer) for p in points],
        skipped=(
            f"{skipped:,} of {len(knob.values):,} values were not evaluated: the search assumed "
            "the curve monotone between the values it saw."
            if skipped
            else "Every value of the range was evaluated."
        ),
        scenario=describe(scenario),
        figures=list(folder.figures),
        provenance=provenance(folder),
    )
