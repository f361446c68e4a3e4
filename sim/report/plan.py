"""The results folder of ``ehrsim plan``, and its answer in one sentence.

A plan writes ``results/<name>/plan-<run-id>/`` (or exactly ``--out DIR``) with the same atomic
staging as a run (:mod:`sim.report.results`):

- ``scenario.yaml``: the scenario every value starts from (``--set`` applied);
- ``plan.json``: the question, the answer and every point evaluated
  (:meth:`CapacityResult.to_json`); the same plan gives the same bytes;
- ``plan.png``: the curve the search saw, with 95 % intervals and the target line;
- ``run.json``: what varies between identical plans (command, times, executor, cache).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.experiments.capacity import ASSUMPTION
from sim.experiments.figures import is_recovery_metric
from sim.report.compare_text import label, unit, value_text
from sim.report.results import dump_json, grid_run_json

if TYPE_CHECKING:
    from sim.experiments.capacity import CapacityResult, Knob
    from sim.report.plots.canvas import Figure

__all__ = [
    "PLAN_FILES",
    "answer_sentence",
    "plan_figure_of",
    "plan_knob",
    "plan_record",
    "plan_sentence",
    "write_plan",
]

PLAN_FILES = ("scenario.yaml", "plan.json", "plan.png", "run.json")
"""The files of a plan's results folder."""


def _knob_words(knob: Knob, value: str) -> tuple[str, str]:
    """(who needs it, how much): ``("server", "3 connections")``, ``("the engine", "4
    cores")``, or the scenario's key as typed."""
    parts = knob.key.split(".")
    noun = parts[-1].replace("_", " ")
    if knob.integer and noun.endswith("s") and value == "1":
        noun = noun[:-1]
    amount = f"{value} {noun}" if knob.integer else f"{noun} {value}"
    if len(parts) == 3 and parts[0] in ("systems", "flows"):
        return parts[1], amount
    if len(parts) == 2 and parts[0] == "engine":
        return "the engine", amount
    return "", f"{knob.key}={value}"


def _goal_words(plan: Mapping[str, Any]) -> str:
    metric, op = str(plan["metric"]), str(plan["op"])
    shown = value_text(metric, float(plan["threshold"]))
    if is_recovery_metric(metric) and op in ("<", "<="):
        return f"to recover within {shown}"
    return f"for {label(metric)} {op} {shown}"


def _figure_words(metric: str, point: Mapping[str, Any]) -> str:
    """A point of plan.json for people: ``2m 02s [1m 47s, 2m 16s]``, or why it has no value."""
    if point.get("nulls"):
        return f"never recovered in {point['nulls']}/{point['replications']} replications"
    mean = point.get("mean")
    if mean is None:
        return "no value"
    text = value_text(metric, mean)
    low, high = point.get("ci95_low"), point.get("ci95_high")
    if low is not None and high is not None:
        text += f" [{value_text(metric, low)}, {value_text(metric, high)}]"
    return text


def plan_knob(plan: Mapping[str, Any]) -> Knob:
    """The knob of plan.json, its grid rebuilt from the range and step as typed.

    Raises:
        CapacityError: plan.json's ``key``, ``range`` or ``step`` cannot be read.
    """
    from sim.experiments.capacity import parse_vary

    return parse_vary(f"{plan['key']}={plan['range']}", str(plan["step"]))


def plan_sentence(result: CapacityResult) -> str:
    """The answer for people: ``server needs 3 connections to recover within 2m 40s: 2m 02s
    [1m 47s, 2m 16s]; 2 gives 3m 22s [3m 07s, 3m 36s]`` (or why nothing in the range does)."""
    return answer_sentence(result.to_json())


def answer_sentence(plan: Mapping[str, Any]) -> str:
    """:func:`plan_sentence` from plan.json: a report says what the command printed.

    Raises:
        CapacityError: plan.json's knob cannot be read.
        KeyError, TypeError, ValueError: plan.json lacks a field or holds the wrong type.
    """
    knob = plan_knob(plan)
    metric = str(plan["metric"])
    points = {str(p["value"]): p for p in plan["points"]}
    goal = _goal_words(plan)
    scenario = str(plan["scenario"])
    if plan["answer"] is None:
        top = points.get(knob.values[-1])
        _who, amount = _knob_words(knob, knob.values[-1])
        seen = f": {amount} gives {_figure_words(metric, top)}" if top is not None else ""
        return (
            f"{scenario}: nothing in {knob.key}={knob.text} is enough {goal}{seen} "
            f"({plan['reason']})"
        )
    answer = str(plan["answer"])
    who, amount = _knob_words(knob, answer)
    subject = f"{scenario}: {who}" if who else scenario
    text = f"{subject} needs {amount} {goal}"
    if answer in points:
        text += f": {_figure_words(metric, points[answer])}"
    index = knob.values.index(answer)
    below = points.get(knob.values[index - 1]) if index > 0 else None
    if below is not None:
        text += f"; {below['value']} gives {_figure_words(metric, below)}"
        if below["verdict"] != "not met":
            text += f" ({below['verdict']})"
    elif index == 0:
        text += " (the bottom of the range already meets it)"
    return text


def _position(knob: Knob, value: str) -> float:
    from sim.scenario.units import parse_duration, parse_rate

    try:
        return float(value)
    except ValueError:
        return parse_rate(value) if "/" in value else parse_duration(value)


def plan_figure_of(result: CapacityResult, *, title: str) -> Figure:
    """plan.png's figure, not yet saved: the curve the search saw, the target, the answer."""
    from sim.report.plots.plan import CurvePoint, plan_figure

    points = []
    for p in result.points:
        ci = p.figure.ci95
        points.append(
            CurvePoint(
                _position(result.knob, p.value),
                p.value,
                None if p.figure.nulls else p.figure.mean,
                ci[0] if ci is not None and not p.figure.nulls else None,
                ci[1] if ci is not None and not p.figure.nulls else None,
                p.verdict,
                p.replications,
            )
        )
    metric = result.target.metric
    note = (
        f"{result.runs} replications for {len(result.points)} of {len(result.knob.values)} "
        f"values (the grid: {result.grid_runs}); verdicts at {result.confidence:.0%} one-sided "
        f"confidence; the search {ASSUMPTION}"
    )
    return plan_figure(
        points,
        key=result.knob.key,
        metric_label=label(metric),
        threshold=result.target.value,
        target_label=f"target: {label(metric)} {result.target.op} "
        f"{value_text(metric, result.target.value)}",
        seconds=unit(metric) == "s",
        answer=None if result.answer is None else _position(result.knob, result.answer),
        span=(
            _position(result.knob, result.knob.values[0]),
            _position(result.knob, result.knob.values[-1]),
        ),
        title=f"{title}\n{plan_sentence(result)}",
        note=note,
    )


def write_plan(folder: Path, result: CapacityResult, *, title: str) -> list[str]:
    """Write plan.json and plan.png into ``folder``; returns the names written."""
    from sim.report.plots.canvas import save

    (folder / "plan.json").write_text(dump_json(result.to_json()), encoding="utf-8")
    save(plan_figure_of(result, title=title), folder / "plan.png")
    return ["plan.json", "plan.png"]


def plan_record(
    result: CapacityResult,
    *,
    run_id: str,
    command: Sequence[str],
    scenario_sha256: str,
    started: datetime,
    wall_s: float,
    executor: dict[str, Any],
    cache: str | None,
) -> dict[str, Any]:
    """run.json of a plan (``kind: "plan"``): what varies between identical plans."""
    return grid_run_json(
        "plan",
        result,
        {"key": result.knob.key, "target": result.target.text},
        points=len(result.points),
        stopped=[p.stop_reason for p in result.points if p.stop_reason],
        run_id=run_id,
        command=command,
        scenario_sha256=scenario_sha256,
        started=started,
        wall_s=wall_s,
        executor=executor,
        cache=cache,
    )
