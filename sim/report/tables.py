"""The terminal tables' content: the pre-run plan, the run's summary, metrics, theory.

Plain rows of text, no rich: the CLI lays them out (only ``sim/cli/`` may import rich), and
tests and notebooks can read the same rows. Numbers are formatted for people here (``1,234``,
``4m 05s``, ``150 ms``); the files keep the exact figures.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sim.metrics.registry import METRICS, lookup
from sim.scenario.units import format_duration

if TYPE_CHECKING:
    from sim.experiments.plan import Plan
    from sim.experiments.theory import TheoryReport
    from sim.scenario.schema import Strategy

__all__ = [
    "MESSAGE_ROWS",
    "PLAN_HEADER",
    "THEORY_HEADER",
    "Section",
    "human_count",
    "human_seconds",
    "hypothesis_rows",
    "metric_rows",
    "overload_warnings",
    "plan_rows",
    "plural",
    "rate_text",
    "strategy_text",
    "summary_sections",
    "theory_rows",
]

PLAN_HEADER = (
    "channel", "rate/h", "peak/h", "servers", "service", "drain/h", "ρ", "ρ peak", "strategy",
)  # fmt: skip
"""Columns of the pre-run table (one row per destination channel, plus the transform)."""

_ON_REPLY = {"AE": "retry", "AR": "dead-letter", "timeout": "retry"}
"""The default reply actions, left out of a strategy's text."""


@dataclass(frozen=True)
class Section:
    """A titled table: a header and rows of text, all rows as long as the header."""

    title: str
    header: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]


def human_seconds(seconds: float | None) -> str:
    """A duration for people: ``150 ms``, ``12.3 s``, ``4m 05s``, ``3h 20m``, ``2d 04h``, ``1 µs``.

    Null (a figure that does not apply, e.g. recovery without faults) is ``–``.
    """
    if seconds is None or not math.isfinite(seconds):
        return "–"
    if seconds < 1.0:
        if seconds <= 0:
            return "0 s"
        return f"{seconds * 1e6:.3g} µs" if seconds < 1e-3 else f"{seconds * 1000:.3g} ms"
    if seconds < 60.0:
        return f"{seconds:.3g} s"
    whole = round(seconds)
    if whole < 3600:
        return f"{whole // 60}m {whole % 60:02d}s"
    if whole < 86400:
        return f"{whole // 3600}h {whole % 3600 // 60:02d}m"
    return f"{whole // 86400}d {whole % 86400 // 3600:02d}h"


def human_count(value: float | None) -> str:
    """A count for people: ``77,357``; a mean over replications keeps one decimal; null: ``–``."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def plural(count: int, word: str, words: str | None = None) -> str:
    """``1 flow``, ``2 flows``, ``12,345 replications`` (``words``: an irregular plural)."""
    return f"{count:,} {word if count == 1 else words or word + 's'}"


def _rate_h(per_second: float) -> str:
    per_hour = per_second * 3600.0
    if not math.isfinite(per_hour):
        return "∞"
    if per_hour >= 1e6:
        return f"{per_hour / 1e6:.3g}M"
    return f"{per_hour:,.0f}" if per_hour >= 10 else f"{per_hour:.2g}"


def rate_text(per_second: float) -> str:
    """A rate in the smallest unit that gives a whole number: ``30/s``, ``2,500/h``
    (``0.5/s`` when none does)."""
    for unit, factor in (("s", 1.0), ("min", 60.0), ("h", 3600.0), ("d", 86400.0)):
        number = round(per_second * factor, 9)
        if number >= 1 and number.is_integer():
            return f"{int(number):,}/{unit}"
    return f"{per_second:.3g}/s"


def _rho(rho: float) -> str:
    return "∞" if not math.isfinite(rho) else f"{rho:.3f}"


def strategy_text(strategy: Strategy) -> str:
    """A channel's effective strategy in a few words: ``strict, fifo, retry every 1min``.

    Order, discipline and retry always; reply actions that differ from the default, and the
    breaker, drain and expiry when set.
    """
    parts: list[str] = ["no order" if strategy.order == "none" else strategy.order]
    discipline = strategy.discipline
    params = discipline.params
    if discipline.name == "priority" and params.get("results_first"):
        parts.append("priority, results first")
    elif discipline.name == "codel":
        target, interval = params["target"], params["interval"]
        parts.append(f"codel {format_duration(target)}/{format_duration(interval)}")
    elif discipline.name == "fair" and params.get("weights"):
        parts.append("fair, weighted")
    else:
        parts.append(discipline.name)
    retry = strategy.retry
    if retry.backoff == "immediate":
        text = "retry at once"
    elif retry.backoff == "fixed":
        text = f"retry every {format_duration(retry.first)}"
    else:
        text = f"retry {format_duration(retry.first)} doubling to {format_duration(retry.cap)}"
    if retry.jitter != "none":
        text += f" with {retry.jitter} jitter"
    if retry.attempts is not None:
        text += f", {retry.attempts} sends then {retry.then}"
    parts.append(text)
    for code, default in _ON_REPLY.items():
        action = getattr(strategy.on_reply, code)
        if action != default:
            parts.append(f"{code}: {action}")
    if strategy.breaker is not None:
        breaker = strategy.breaker
        parts.append(f"breaker after {breaker.after} for {format_duration(breaker.open)}")
    if strategy.drain is not None:
        parts.append(f"drain {rate_text(strategy.drain.rate)}")
    if strategy.expire is not None:
        parts.append(f"expire after {format_duration(strategy.expire.after)}")
    return ", ".join(parts)


def plan_rows(plan: Plan) -> list[tuple[str, ...]]:
    """One row per destination channel and one for the transform station (see PLAN_HEADER).

    Each channel's row ends with its effective strategy (a system's own keys merged over the
    top-level strategy). The transform station serves every message; its peak is not known per
    hour from the plan, so its peak columns are empty.
    """
    rows: list[tuple[str, ...]] = [
        (
            c.system,
            _rate_h(c.rate),
            _rate_h(c.peak_rate),
            str(c.servers),
            human_seconds(c.service_s),
            _rate_h(c.drain),
            _rho(c.rho),
            _rho(c.peak_rho),
            strategy_text(c.strategy),
        )
        for c in plan.channels
    ]
    drain = plan.transform_servers / plan.transform_s if plan.transform_s > 0 else math.inf
    rows.append(
        (
            "engine transform",
            _rate_h(plan.transform_rate),
            "–",
            str(plan.transform_servers),
            human_seconds(plan.transform_s),
            _rate_h(drain),
            _rho(plan.transform_rho),
            "–",
            "",
        )
    )
    return rows


def overload_warnings(plan: Plan) -> list[str]:
    """A warning per overloaded station (ρ ≥ 1), with the analytic figures; a note per peak.

    At mean load ρ ≥ 1 the queue never empties: it grows at λ − drain messages per second.
    At peak load ρ ≥ 1 (mean below 1) a backlog builds in the busiest hours and drains later.
    """
    out = []
    for c in plan.channels:
        if c.rho >= 1.0:
            growth = (c.rate - c.drain) * 3600.0
            out.append(
                f"{c.system}: overloaded, ρ = {_rho(c.rho)} (λ = {_rate_h(c.rate)}/h against a "
                f"drain capacity of {_rate_h(c.drain)}/h): the backlog grows without bound at "
                f"about {growth:,.0f} messages per hour"
            )
        elif c.peak_rho >= 1.0:
            out.append(
                f"{c.system}: ρ = {_rho(c.peak_rho)} in the busiest hour (λ = "
                f"{_rate_h(c.peak_rate)}/h against {_rate_h(c.drain)}/h): a backlog builds at "
                f"about {(c.peak_rate - c.drain) * 3600.0:,.0f} messages per hour at the peak and "
                "drains afterwards"
            )
    if plan.transform_rho >= 1.0:
        capacity = plan.transform_servers / plan.transform_s
        growth = (plan.transform_rate - capacity) * 3600.0
        out.append(
            f"engine transform: overloaded, ρ = {_rho(plan.transform_rho)} (λ = "
            f"{_rate_h(plan.transform_rate)}/h against {_rate_h(capacity)}/h): the backlog "
            f"grows without bound at about {growth:,.0f} messages per hour"
        )
    return out


def _get(summary: Mapping[str, Any], path: str) -> Any:
    try:
        return lookup(summary, path)
    except KeyError:
        return None


def _at(start: datetime | None, seconds: Any, days: bool) -> str:
    if seconds is None:
        return "–"
    if start is None:
        return human_seconds(float(seconds))
    moment = start + timedelta(seconds=float(seconds))
    return f"{moment:%a %H:%M}" if days else f"{moment:%H:%M}"


MESSAGE_ROWS = (
    ("created", "created"),
    ("delivered", "delivered"),
    ("queued at end", "queued_at_end"),
    ("in flight at end", "in_flight_at_end"),
    ("dead-lettered", "dead_lettered"),
    ("expired (to paper)", "expired"),
    ("shed", "shed"),
    ("lost", "lost"),
    ("duplicates", "duplicates"),
    ("orders on paper", "on_paper"),
)
"""The rows of the messages table: (label, key under summary.json's ``messages``)."""


def summary_sections(
    summary: Mapping[str, Any], start: datetime | None = None, horizon: float = 0.0
) -> list[Section]:
    """The after-run tables: messages, headline figures, destinations, late orders.

    Args:
        summary: summary.json's content (one replication's figures or the means).
        start: The scenario's start, to show the peak of each backlog as a clock time.
        horizon: Simulated seconds; a run past midnight shows the weekday with clock times.
    """
    end = start + timedelta(seconds=horizon, microseconds=-1) if start is not None else None
    days = start is not None and end is not None and end.date() != start.date()
    messages = summary.get("messages", {})
    sections = [
        Section(
            "Messages",
            ("", "count"),
            [(label, human_count(messages.get(key))) for label, key in MESSAGE_ROWS],
        )
    ]
    share = summary.get("recovered_share")
    headline = [
        ("peak backlog (all queues)", human_count(summary.get("peak_backlog"))),
        ("recovery time", human_seconds(summary.get("recovery_time_s"))),
        ("recovered share", "–" if share is None else f"{share:.0%}"),
        ("time to detect", human_seconds(summary.get("time_to_detect_s"))),
        ("retry amplification", _ratio(summary.get("retry_amplification"))),
        ("order violations", human_count(summary.get("order_violations"))),
        ("MedCom later than 24 h", human_count(summary.get("medcom_later_than_24h"))),
    ]
    sections.append(Section("Headline", ("", "value"), headline))
    queue_rows = [
        (
            sid,
            human_count(q.get("peak_backlog")),
            _at(start, q.get("peak_at_s"), days),
            human_seconds(q.get("oldest_age_s")),
            human_seconds(_get(q, "wait_s.mean")),
            human_seconds(_get(q, "wait_s.p95")),
            human_seconds(q.get("recovery_time_s")),
        )
        for sid, q in summary.get("queues", {}).items()
    ]
    sections.append(
        Section(
            "Destinations",
            ("system", "peak backlog", "at", "oldest age", "wait mean", "wait p95", "recovery"),
            queue_rows,
        )
    )
    late = summary.get("late", {})
    late_share = summary.get("late_share", {})
    sections.append(
        Section(
            "Late orders",
            ("class", "late", "share of decided"),
            [
                (
                    cls,
                    human_count(late.get(cls)),
                    "–" if late_share.get(cls) is None else f"{late_share[cls]:.1%}",
                )
                for cls in late
            ],
        )
    )
    return sections


def _ratio(value: Any) -> str:
    return "–" if value is None else f"{float(value):.3f}"


def hypothesis_rows(summary: Mapping[str, Any]) -> list[tuple[str, str, str, bool]]:
    """(metric, condition, value, passed) for each hypothesis of summary.json."""
    rows = []
    for h in summary.get("hypotheses", []):
        metric = h["metric"]
        seconds = metric.endswith("_s") or "_s." in metric
        show = human_seconds if seconds else _plain
        if "below" in h:
            condition = f"< {show(h['below'])}"
        elif "above" in h:
            condition = f"> {show(h['above'])}"
        else:
            condition = f"= {show(h.get('equals'))}"
        value = h.get("value")
        rows.append((metric, condition, "null" if value is None else show(value), h["passed"]))
    return rows


def _plain(value: Any) -> str:
    if value is None:
        return "–"
    number = float(value)
    if number.is_integer():
        return f"{int(number):,}"
    return f"{number:.4g}"


def metric_rows() -> list[tuple[str, str, str]]:
    """(name, unit, description) of every metric in the registry, in registry order."""
    return [(m.name, m.unit, m.description) for m in METRICS.values()]


def _precise(value: float, unit: str) -> str:
    """A theory figure with four significant digits: ``107.9 ms``, ``2.589 msgs``."""
    if not math.isfinite(value):
        return "–"
    if unit == "s":
        if abs(value) < 1.0:
            return f"{value * 1000:.4g} ms"
        return f"{value:.4g} s"
    return f"{value:.4g} {unit}"


THEORY_HEADER = ("quantity", "predicted", "simulated", "95% CI", "error", "note")
"""Columns of the theory table."""


def theory_rows(report: TheoryReport) -> list[tuple[str, ...]]:
    """One row per predicted quantity: prediction, simulated mean, its CI95, relative error."""
    rows: list[tuple[str, ...]] = []
    for r in report.rows:
        inside = "" if r.inside_ci else " (outside CI)"
        rows.append(
            (
                r.quantity,
                _precise(r.predicted, r.unit),
                _precise(r.simulated_mean, r.unit),
                f"{_precise(r.ci_low, r.unit)} – {_precise(r.ci_high, r.unit)}",
                "–" if not math.isfinite(r.rel_error) else f"{r.rel_error:+.1%}",
                (r.note + inside).strip(),
            )
        )
    return rows
