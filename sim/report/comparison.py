"""The results folder of ``ehrsim compare`` and the text of its tables.

A comparison writes ``results/<name>/compare-<run-id>/`` (or exactly ``--out DIR``) with the same
atomic staging as a run (:mod:`sim.report.results`):

- ``scenario.yaml``: the base scenario, its ``compare`` holding every variant that ran (those of
  the file and those of ``--variant``), so ``ehrsim compare scenario.yaml`` reruns it;
- ``summary.json``: :meth:`Comparison.to_json` (figures only: byte-identical for the same inputs);
- ``comparison.csv``: one row per variant, best first;
- ``run.json``: what varies between identical comparisons (command, times, versions);
- ``backlog.png`` and ``metrics.png``.

The table rows are plain text (the CLI lays them out with rich).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.experiments.compare import is_recovery_metric
from sim.metrics.registry import METRICS
from sim.report.csvs import cell
from sim.report.results import dump_json, run_json
from sim.report.tables import Section, human_count, human_seconds

if TYPE_CHECKING:
    from sim.experiments.compare import Comparison, Figure

__all__ = [
    "COMPARE_FILES",
    "LABELS",
    "compare_record",
    "comparison_columns",
    "figure_text",
    "label",
    "overlay_text",
    "ranked_section",
    "write_comparison",
    "write_comparison_csv",
]

COMPARE_FILES = (
    "scenario.yaml", "summary.json", "comparison.csv", "run.json", "backlog.png", "metrics.png",
)  # fmt: skip
"""The files of a comparison's results folder."""

LABELS = {
    "recovery_time_s": "recovery time",
    "people_recovery_time_s": "people recovery time",
    "peak_backlog": "peak backlog",
    "late.stat": "late STAT",
    "late.urgent": "late urgent",
    "late.routine": "late routine",
    "order_to_result_all_s.stat.p95": "STAT order→result p95",
    "retry_amplification": "retry amplification",
    "goodput_share": "goodput share",
    "messages.lost": "lost",
    "messages.duplicates": "duplicated",
    "messages.dead_lettered": "dead-lettered",
    "messages.shed": "shed",
    "messages.expired": "expired",
    "order_violations": "order violations",
}
"""Short names of the usual metrics for tables and plots (others show their path)."""


def label(metric: str) -> str:
    """A metric's short name for people (``late STAT``), or its path."""
    return LABELS.get(metric, metric)


def _unit(metric: str) -> str:
    known = METRICS.get(metric)
    if known is not None:
        return known.unit
    return "s" if any(p.endswith("_s") for p in metric.split(".")) else ""


def _value(metric: str, value: float) -> str:
    unit = _unit(metric)
    if unit == "s":
        return human_seconds(value)
    if unit == "share":
        return f"{value:.1%}"
    if unit == "sends/message":
        return f"{value:.3f}"
    return human_count(round(value) if abs(value) >= 100 else round(value, 1))


def _missing_text(fig: Figure, n: int) -> str:
    """Why values are null: ``no fault``, ``not recovered in k/N``, ``null in k/N`` or ``""``."""
    recovery = is_recovery_metric(fig.metric)
    if fig.no_fault == n:
        return "no fault"
    if fig.missing == 0 or (fig.missing == n and not recovery):
        return ""  # every value present, or a figure that does not apply (e.g. no STAT order)
    return f"{'not recovered' if recovery else 'null'} in {fig.missing}/{n}"


def figure_text(fig: Figure) -> str:
    """A figure for the table: ``3h 05m ± 12m 30s``, with ``not recovered in k/N`` below.

    The half-width of the 95 % interval is left out when it is zero (every replication gave
    the same value) or unknown (one replication).
    """
    n = len(fig.values)
    mean = fig.mean
    note = _missing_text(fig, n)
    if mean is None:
        return note or "–"
    text = _value(fig.metric, mean)
    ci = fig.ci95
    if ci is not None and ci[1] > mean:  # the half-width (the low end may be cut at 0)
        text += f" ± {_value(fig.metric, ci[1] - mean)}"
    return f"{text}\n{note}" if note else text


def overlay_text(overlay: Mapping[str, Any]) -> str:
    """An overlay as dotted assignments: ``strategy.queues=shared, systems.lab.connections=2``."""
    parts: list[str] = []

    def walk(node: Any, path: str) -> None:
        if isinstance(node, Mapping) and node:
            for key, value in node.items():
                walk(value, f"{path}.{key}" if path else str(key))
        else:
            parts.append(f"{path}={_flow(node)}")

    walk(overlay, "")
    return ", ".join(parts) if overlay else "(the scenario as written)"


def _flow(value: Any) -> str:
    """A value as YAML flow text (``[]``, ``{a: 1}``, ``shared``, ``null``)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return str(value)


def _hypotheses(failed: Sequence[Mapping[str, Any]]) -> list[str]:
    return [str(h["metric"]) for h in failed]


def ranked_section(comparison: Comparison) -> Section:
    """The ranked table: a row per variant, best first, and a column per metric.

    Each metric's cell is the mean over the replications ± the half-width of its 95 %
    interval. The recovered share and the hypotheses the variant fails follow the first
    (ranking) metric, so that the first screenful shows the ranking and the verdicts.
    """
    first, *rest = comparison.metrics
    rows = []
    for place, v in enumerate(comparison.ranked, start=1):
        share = v.recovered_share
        failed = _hypotheses(v.failed_hypotheses)
        stopped = [] if v.complete else ["(stopped at a guard)"]
        rows.append(
            (
                f"{place}. {v.name}",
                figure_text(v.figures[first]),
                "–" if share is None else f"{share:.0%}",
                "\n".join([*failed, *stopped]) if failed or stopped else "none",
                *(figure_text(v.figures[m]) for m in rest),
            )
        )
    n = comparison.replications
    interval = "mean ± 95% CI half-width" if n > 1 else "one replication, no interval"
    tie = "; ties broken by the next metric" if rest else ""
    return Section(
        f"Ranked by {label(first)} (lower is better{tie}): {interval} over {n} "
        "replication(s) on common random numbers",
        ("variant", label(first), "recovered", "failed hypotheses", *(label(m) for m in rest)),
        rows,
    )


def comparison_columns(metrics: Sequence[str]) -> list[str]:
    """comparison.csv's header."""
    columns = ["variant", "rank"]
    for m in metrics:
        columns += [m, f"{m}.ci95_low", f"{m}.ci95_high", f"{m}.nulls"]
    return [*columns, "recovered_share", "complete", "hypotheses_failed", "overlay"]


def write_comparison_csv(path: Path, comparison: Comparison) -> None:
    """comparison.csv: one row per variant, best first; the mean, its interval and its nulls."""
    import csv

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(comparison_columns(comparison.metrics))
        for place, v in enumerate(comparison.ranked, start=1):
            row: list[Any] = [v.name, place]
            for m in comparison.metrics:
                fig = v.figures[m]
                ci = fig.ci95
                row += [fig.mean, *(ci if ci is not None else (None, None)), fig.nulls]
            row += [
                v.recovered_share,
                v.complete,
                "; ".join(_hypotheses(v.failed_hypotheses)),
                overlay_text(v.overlay) if v.overlay else "",
            ]
            writer.writerow([cell(x) for x in row])


def write_comparison(folder: Path, comparison: Comparison) -> None:
    """Write summary.json, comparison.csv, backlog.png and metrics.png into ``folder``."""
    from sim.report import plots

    (folder / "summary.json").write_text(dump_json(comparison.to_json()), encoding="utf-8")
    write_comparison_csv(folder / "comparison.csv", comparison)
    variants = comparison.variants
    base = next(iter(variants.values())).result
    plots.comparison_backlog_png(
        folder / "backlog.png",
        {name: v.result.replications[0] for name, v in variants.items()},
        start=base.scenario.start,
        horizon=max(v.result.horizon for v in variants.values()),
        title=base.scenario.title,
    )
    colours = {name: i for i, name in enumerate(variants)}
    panels = [
        plots.Panel(
            label(m),
            _unit(m) == "s",
            tuple(
                plots.Interval(
                    v.name,
                    colours[v.name],
                    fig.mean,
                    fig.ci95,
                    _missing_text(fig, len(fig.values)),
                )
                for v in comparison.ranked
                for fig in (v.figures[m],)
            ),
        )
        for m in comparison.metrics
    ]
    plots.comparison_metrics_png(
        folder / "metrics.png",
        panels,
        title=f"{base.scenario.title}: {comparison.replications} replication(s) per variant",
    )


def compare_record(
    comparison: Comparison,
    *,
    run_id: str,
    command: Sequence[str],
    scenario_sha256: str,
    started: datetime,
    wall_s: float,
) -> dict[str, Any]:
    """run.json of a comparison: what varies between identical comparisons, and the versions.

    Args:
        comparison: The finished comparison.
        run_id: The results folder's name.
        command: The command as the user would retype it (``["ehrsim", "compare", ...]``).
        scenario_sha256: The hash of scenario.yaml's bytes.
        started: The local time the comparison started.
        wall_s: Seconds from the start to the end of writing the results.
    """
    incomplete = [
        f"{name}: {v.result.stop_reason}"
        for name, v in comparison.variants.items()
        if not v.complete
    ]
    return run_json(
        run_id=run_id,
        command=command,
        scenario=comparison.scenario,
        scenario_sha256=scenario_sha256,
        started=started,
        wall_s=wall_s,
        middle={
            "seed": comparison.seed,
            "replications": comparison.replications,
            "variants": list(comparison.variants),
        },
        end={
            "complete": comparison.complete,
            "stop_reason": "; ".join(incomplete),
            "hypotheses_failed": {
                name: len(v.failed_hypotheses) for name, v in comparison.variants.items()
            },
        },
    )
