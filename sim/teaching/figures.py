"""The results folder's figures, for a notebook to show inline.

``ehrsim run``, ``compare``, ``sweep`` and ``plan`` write PNGs; a notebook holds the results
in memory and wants the same figures as matplotlib figures (``display(fig)``), drawn by the
same code (:mod:`sim.report.plots`). Each function here takes what the public API returns
(:class:`~sim.RunResult`, :class:`~sim.Comparison`, :class:`~sim.SweepResult`,
:class:`~sim.CapacityResult`) and returns an unsaved figure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.experiments.capacity import CapacityResult
    from sim.experiments.compare import Comparison
    from sim.experiments.run import RunResult
    from sim.experiments.sweep import SweepResult
    from sim.report.plots.canvas import Figure

__all__ = [
    "backlog",
    "clinical",
    "comparison_backlog",
    "comparison_metrics",
    "destinations",
    "people",
    "plan",
    "sweep",
]


def _labels(result: RunResult) -> dict[str, str]:
    from sim.report.plots import destination_labels

    return destination_labels({fid: flow.to for fid, flow in result.scenario.flows.items()})


def _frame(result: RunResult) -> dict[str, Any]:
    """What every plot of a run takes: its start, its horizon and its title."""
    return {
        "start": result.scenario.start,
        "horizon": result.horizon,
        "title": result.scenario.title,
    }


def backlog(result: RunResult, *, chosen: int | None = None) -> Figure:
    """backlog.png: each destination's backlog over clock time (the mean over the
    replications with a 5th-95th percentile band, or replication ``chosen``)."""
    from sim.report.plots import backlog_figure

    return backlog_figure(
        result.replications, labels=_labels(result), chosen=chosen, **_frame(result)
    )


def people(result: RunResult, *, chosen: int | None = None) -> Figure:
    """people.png: paper orders held, the clerks' and analysts' queues, people at work."""
    from sim.report.plots import people_figure
    from sim.report.results import staff_sizes

    staff = staff_sizes(result.scenario)
    return people_figure(result.replications, staff=staff, chosen=chosen, **_frame(result))


def clinical(result: RunResult, *, chosen: int | None = None) -> Figure:
    """clinical.png: orders past their deadline without a result, accumulating."""
    from sim.report.plots import clinical_figure

    return clinical_figure(result.replications, chosen=chosen, **_frame(result))


def comparison_backlog(comparison: Comparison) -> Figure:
    """A comparison's backlog.png: the total backlog of every variant over clock time."""
    from sim.report.plots import comparison_backlog_figure

    base = next(iter(comparison.variants.values())).result
    horizon = max(v.result.horizon for v in comparison.variants.values())
    reps = {name: v.result.replications for name, v in comparison.variants.items()}
    return comparison_backlog_figure(
        reps, start=base.scenario.start, horizon=horizon, title=base.scenario.title
    )


def destinations(comparison: Comparison) -> Figure:
    """A comparison's destinations.png: a panel per destination, every variant in each."""
    from sim.report.plots import destination_labels, destinations_figure

    variants = comparison.variants
    base = next(iter(variants.values())).result
    flows = {fid: f.to for v in variants.values() for fid, f in v.result.scenario.flows.items()}
    return destinations_figure(
        {name: v.result.replications for name, v in variants.items()},
        start=base.scenario.start,
        horizon=max(v.result.horizon for v in variants.values()),
        title=base.scenario.title,
        labels=destination_labels(flows),
    )


def comparison_metrics(comparison: Comparison) -> Figure:
    """A comparison's metrics.png: each compared metric per variant, with 95 % intervals."""
    from sim.report.comparison import metric_panels
    from sim.report.plots import comparison_metrics_figure

    panels, note = metric_panels(comparison)
    title = next(iter(comparison.variants.values())).result.scenario.title
    return comparison_metrics_figure(
        panels,
        title=f"{title}: {comparison.replications} replication(s) per variant",
        note=note,
    )


def sweep(result: SweepResult, *, title: str | None = None) -> Figure:
    """sweep.png: each metric across the grid (one or two parameters)."""
    from sim.report.sweep import sweep_figure_of

    return sweep_figure_of(result, title=title or result.scenario)


def plan(result: CapacityResult, *, title: str | None = None) -> Figure:
    """plan.png: the values the search evaluated, their intervals, the target, the answer."""
    from sim.report.plan import plan_figure_of

    return plan_figure_of(result, title=title or result.scenario)
