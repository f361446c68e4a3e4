"""The results folder of ``ehrsim compare`` and the text of its tables.

A comparison writes ``results/<name>/compare-<run-id>/`` (or exactly ``--out DIR``) with the same
atomic staging as a run (:mod:`sim.report.results`):

- ``scenario.yaml``: the base scenario, its ``compare`` holding every variant that ran (those of
  the file and those of ``--variant``), so ``ehrsim compare scenario.yaml`` reruns it;
- ``summary.json``: :meth:`Comparison.to_json` (figures and verdicts only: byte-identical for
  the same inputs);
- ``comparison.csv``: one row per variant, best first, with the paired difference to the best,
  ``distinguishable``, ``pareto`` and ``trade_off`` (see :func:`comparison_columns`);
- ``run.json``: what varies between identical comparisons (command, times, versions);
- ``variants/<name>/timeseries.csv`` and ``events.csv``: each variant's backlog samples and
  events, as a run writes them (so a report or a plot reads the folder, never reruns it);
- ``backlog.png`` (total backlog per variant), ``destinations.png`` (a panel per destination,
  every variant in each) and ``metrics.png``.

The table rows are plain text (the CLI lays them out with rich).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sim.experiments.figures import is_recovery_metric
from sim.experiments.verdicts import zero_metrics
from sim.report.compare_text import (
    LABELS,
    better,
    difference_text,
    given_up_cell,
    label,
    trade_off_text,
)
from sim.report.compare_text import unit as _unit
from sim.report.compare_text import value_text as _value
from sim.report.csvs import cell, write_events, write_timeseries
from sim.report.results import dump_json, run_json
from sim.report.tables import Section

if TYPE_CHECKING:
    from sim.experiments.compare import Comparison, Figure
    from sim.report.plots import Panel

__all__ = [
    "COMPARE_FILES",
    "LABELS",
    "VARIANTS",
    "compare_record",
    "comparison_columns",
    "figure_text",
    "label",
    "metric_panels",
    "missing_text",
    "missing_words",
    "overlay_assignments",
    "overlay_text",
    "ranked_section",
    "trade_off_lines",
    "variant_folder",
    "write_comparison",
    "write_comparison_csv",
    "write_variant_files",
]

COMPARE_FILES = (
    "scenario.yaml", "summary.json", "comparison.csv", "run.json", "backlog.png",
    "destinations.png", "metrics.png",
)  # fmt: skip
"""The files of a comparison's results folder (besides each variant's under :data:`VARIANTS`)."""

VARIANTS = "variants"
"""The sub-folder holding a folder per variant (see :func:`variant_folder`)."""


def missing_text(fig: Figure, n: int) -> str:
    """Why values are null: ``no fault``, ``not recovered in k/N``, ``null in k/N`` or ``""``."""
    return missing_words(fig.metric, fig.nulls, fig.no_fault, n)


def missing_words(metric: str, nulls: int, no_fault: int, n: int) -> str:
    """:func:`missing_text` from the counts a results file keeps: ``nulls`` of ``n``
    replications null, ``no_fault`` of them for want of a fault to recover from."""
    recovery = is_recovery_metric(metric)
    missing = nulls - no_fault
    if no_fault == n:
        return "no fault"
    if missing == 0 or (missing == n and not recovery):
        return ""  # every value present, or a figure that does not apply (e.g. no STAT order)
    return f"{'not recovered' if recovery else 'null'} in {missing}/{n}"


def figure_text(fig: Figure) -> str:
    """A figure for the table: ``3h 05m ± 12m 30s``, with ``not recovered in k/N`` below.

    The half-width of the 95 % interval is left out when it is zero (every replication gave
    the same value) or unknown (one replication).
    """
    n = len(fig.values)
    mean = fig.mean
    note = missing_text(fig, n)
    if mean is None:
        return note or "–"
    text = _value(fig.metric, mean)
    ci = fig.ci95
    if ci is not None and ci[1] > mean:  # the half-width (the low end may be cut at 0)
        text += f" ± {_value(fig.metric, ci[1] - mean)}"
    return f"{text}\n{note}" if note else text


def overlay_assignments(overlay: Mapping[str, Any]) -> list[str]:
    """An overlay as dotted assignments, one per key it sets: ``strategy.queues=shared``."""
    parts: list[str] = []

    def walk(node: Any, path: str) -> None:
        if isinstance(node, Mapping) and node:
            for key, value in node.items():
                walk(value, f"{path}.{key}" if path else str(key))
        else:
            parts.append(f"{path}={_flow(node)}")

    walk(overlay, "")
    return parts


def overlay_text(overlay: Mapping[str, Any]) -> str:
    """An overlay as dotted assignments: ``strategy.queues=shared, systems.lab.connections=2``."""
    return ", ".join(overlay_assignments(overlay)) if overlay else "(the scenario as written)"


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


def _variant_cell(comparison: Comparison, place: int, name: str) -> str:
    """The variant's name, its place when the order is a ranking, and what it repeats."""
    same = dict(comparison.verdicts.identical)
    text = f"{place}. {name}" if comparison.replications > 1 else name
    return f"{text}\n(same scenario as {same[name]})" if name in same else text


def ranked_section(comparison: Comparison) -> Section:
    """The ranked table: a row per variant, best first, and a column per metric.

    Each metric's cell is the mean over the replications ± the half-width of its 95 %
    interval. The ranking metric is followed by what the ranking may claim: the paired
    difference to the best with its interval ("distinguishable" or not), whether the variant
    is on the Pareto front of the compared metrics, what it gives up to beat the baseline
    (only when some variant does), its recovered share and the hypotheses it fails; so the
    first screenful shows the ranking and the verdicts. With one replication the order is not
    numbered: no interval can be computed, and the title says so.
    """
    first, *rest = comparison.metrics
    verdicts = comparison.verdicts
    n = comparison.replications
    trades = {t.variant: t for t in verdicts.trade_offs}
    front = set(verdicts.pareto)
    rows = []
    for place, v in enumerate(comparison.ranked, start=1):
        share = v.recovered_share
        failed = _hypotheses(v.failed_hypotheses)
        stopped = [] if v.complete else ["(stopped at a guard)"]
        trade = trades.get(v.name)
        rows.append(
            (
                _variant_cell(comparison, place, v.name),
                figure_text(v.figures[first]),
                difference_text(first, verdicts.paired.get(v.name), n),
                "yes" if v.name in front else "no",
                *([given_up_cell(trade) if trade else ""] if trades else []),
                "–" if share is None else f"{share:.0%}",
                "\n".join([*failed, *stopped]) if failed or stopped else "none",
                *(figure_text(v.figures[m]) for m in rest),
            )
        )
    tie = "; ties broken by the next metric" if rest else ""
    order = f"{label(first)} ({better(first)} is better{tie})"
    if n > 1:
        title = (
            f"Ranked by {order}: mean ± 95% CI half-width over {n} replications on common "
            f"random numbers. vs best: the {label(first)} of {verdicts.best} subtracted "
            "replication by replication, mean [95% CI]; not distinguishable when the CI "
            "includes 0. Pareto: no other "
            "variant is as good on every metric and better on one (on the means)"
        )
    else:
        title = (
            f"Variants in order of {order}: one replication, so no interval can be computed "
            "and this order is not a ranking"
        )
    header = (
        "variant", label(first), "vs best (paired)", "Pareto",
        *(["wins by giving up"] if trades else []),
        "recovered", "failed hypotheses", *(label(m) for m in rest),
    )  # fmt: skip
    return Section(title, header, rows)


def trade_off_lines(comparison: Comparison) -> list[str]:
    """A sentence per variant that beats the baseline while giving up more work than it."""
    return [trade_off_text(t) for t in comparison.verdicts.trade_offs]


def comparison_columns(metrics: Sequence[str]) -> list[str]:
    """comparison.csv's header.

    Each metric has its mean, interval and nulls; the ranking metric (the first) also has the
    paired difference to the best (variant minus best, per replication), its interval, the
    number of pairs and ``distinguishable`` (empty for the best itself and without an
    interval). ``pareto`` says whether the variant is on the Pareto front, ``trade_off`` what
    it gives up to beat the baseline, ``same_as`` the variant whose scenario it repeats.
    """
    columns = ["variant", "rank"]
    for k, m in enumerate(metrics):
        columns += [m, f"{m}.ci95_low", f"{m}.ci95_high", f"{m}.nulls"]
        if k == 0:
            columns += [
                f"{m}.diff_to_best", f"{m}.diff_ci95_low", f"{m}.diff_ci95_high",
                f"{m}.diff_pairs", "distinguishable",
            ]  # fmt: skip
    return [
        *columns, "pareto", "trade_off", "same_as", "recovered_share", "complete",
        "hypotheses_failed", "overlay",
    ]  # fmt: skip


def write_comparison_csv(path: Path, comparison: Comparison) -> None:
    """comparison.csv: one row per variant, best first; the columns of
    :func:`comparison_columns`."""
    import csv

    verdicts = comparison.verdicts
    trades = {t.variant: trade_off_text(t) for t in verdicts.trade_offs}
    same = dict(verdicts.identical)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(comparison_columns(comparison.metrics))
        for place, v in enumerate(comparison.ranked, start=1):
            row: list[Any] = [v.name, place]
            for k, m in enumerate(comparison.metrics):
                fig = v.figures[m]
                ci = fig.ci95
                row += [fig.mean, *(ci if ci is not None else (None, None)), fig.nulls]
                if k == 0:
                    diff = verdicts.paired.get(v.name)
                    dci = diff.ci95 if diff is not None else None
                    row += [
                        diff.mean if diff is not None else None,
                        *(dci if dci is not None else (None, None)),
                        diff.pairs if diff is not None else None,
                        diff.distinguishable if diff is not None else None,
                    ]
            row += [
                v.name in verdicts.pareto,
                trades.get(v.name, ""),
                same.get(v.name, ""),
                v.recovered_share,
                v.complete,
                "; ".join(_hypotheses(v.failed_hypotheses)),
                overlay_text(v.overlay) if v.overlay else "",
            ]
            writer.writerow([cell(x) for x in row])


def metric_panels(comparison: Comparison) -> tuple[list[Panel], str]:
    """metrics.png's panels, a metric each, and a note naming the metrics left out.

    A metric that is 0 in every replication of every variant, or has no value in any (e.g.
    the STAT order-to-result time of a world without STAT orders), would be an empty panel:
    it is left out and named in the note. A recovery time that is null because a variant did
    not recover keeps its panel (its note says so).
    """
    from sim.report import plots

    zero = zero_metrics(comparison.metrics, [v.figures for v in comparison.ranked])
    colours = {name: i for i, name in enumerate(comparison.variants)}
    panels, empty = [], []
    for m in comparison.metrics:
        if m in zero:
            continue
        points = tuple(
            plots.Interval(
                v.name, colours[v.name], fig.mean, fig.ci95, missing_text(fig, len(fig.values))
            )
            for v in comparison.ranked
            for fig in (v.figures[m],)
        )
        if all(p.mean is None and not p.note for p in points):
            empty.append(label(m))
            continue
        title = label(m) + (" (higher is better)" if better(m) == "higher" else "")
        panels.append(plots.Panel(title, _unit(m) == "s", points))
    notes = []
    if zero:
        notes.append(f"0 in every replication of every variant: {', '.join(map(label, zero))}")
    if empty:
        notes.append(f"no value in any variant: {', '.join(empty)}")
    return panels, "not drawn: " + "; ".join(notes) if notes else ""


def variant_folder(name: str) -> str:
    """A variant's folder name under :data:`VARIANTS`: its name, with every character but
    ASCII letters, digits, ``-``, ``_`` and ``~`` percent-encoded (``a/b`` is ``a%2Fb``), so
    that any variant name is one safe path component (names never hold a dot)."""
    return quote(name, safe="-_~")


def write_variant_files(folder: Path, comparison: Comparison) -> None:
    """Write ``variants/<name>/timeseries.csv`` and ``events.csv`` for every variant: the same
    files, columns and rows a run of that variant writes."""
    for name, v in comparison.variants.items():
        target = folder / VARIANTS / variant_folder(name)
        target.mkdir(parents=True, exist_ok=True)
        reps = v.result.replications
        start = v.result.scenario.start
        write_timeseries(target / "timeseries.csv", reps, start)
        write_events(target / "events.csv", reps, start)


def write_comparison(folder: Path, comparison: Comparison) -> None:
    """Write summary.json, comparison.csv, each variant's files, backlog.png, destinations.png
    and metrics.png into ``folder``."""
    from sim.report import plots

    (folder / "summary.json").write_text(dump_json(comparison.to_json()), encoding="utf-8")
    write_comparison_csv(folder / "comparison.csv", comparison)
    write_variant_files(folder, comparison)
    variants = comparison.variants
    base = next(iter(variants.values())).result
    reps = {name: v.result.replications for name, v in variants.items()}
    start, title = base.scenario.start, base.scenario.title
    horizon = max(v.result.horizon for v in variants.values())
    plots.comparison_backlog_png(
        folder / "backlog.png", reps, start=start, horizon=horizon, title=title
    )
    flows = {
        fid: flow.to for v in variants.values() for fid, flow in v.result.scenario.flows.items()
    }
    plots.destinations_png(
        folder / "destinations.png",
        reps,
        start=start,
        horizon=horizon,
        title=title,
        labels=plots.destination_labels(flows),
    )
    panels, note = metric_panels(comparison)
    plots.comparison_metrics_png(
        folder / "metrics.png",
        panels,
        title=f"{base.scenario.title}: {comparison.replications} replication(s) per variant",
        note=note,
    )


def compare_record(
    comparison: Comparison,
    *,
    run_id: str,
    command: Sequence[str],
    scenario_sha256: str,
    started: datetime,
    wall_s: float,
    executor: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """run.json of a comparison: what varies between identical comparisons, and the versions.

    Args:
        comparison: The finished comparison.
        run_id: The results folder's name.
        command: The command as the user would retype it (``["ehrsim", "compare", ...]``).
        scenario_sha256: The hash of scenario.yaml's bytes.
        started: The local time the comparison started.
        wall_s: Seconds from the start to the end of writing the results.
        executor: What ran the replications (``Executor.describe()``); null in run.json
            when not given.
    """
    incomplete = [
        f"{name}: {v.result.stop_reason}"
        for name, v in comparison.variants.items()
        if not v.complete
    ]
    return run_json(
        kind="compare",
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
            "executor": executor,
        },
        end={
            "complete": comparison.complete,
            "stop_reason": "; ".join(incomplete),
            "hypotheses_failed": {
                name: len(v.failed_hypotheses) for name, v in comparison.variants.items()
            },
        },
    )
