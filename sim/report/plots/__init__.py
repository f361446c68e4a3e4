"""The PNG plots of a results folder.

A run: backlog.png (backlog per destination), people.png (the people's work), clinical.png
(late orders accumulating) and latency.png; a comparison: backlog.png (total backlog per
variant), destinations.png (a panel per destination) and metrics.png (each metric per
variant); a sweep: sweep.png (each metric across the grid: lines with bands, or heatmaps).
Each ``*_figure`` function returns the matplotlib Figure (what the tests inspect); each
``*_png`` function saves it.

Modules, one job each:

- :mod:`.canvas`: matplotlib on the Agg canvas, saving, shared colours;
- :mod:`.clock`: clock time on an x axis, the date once per day;
- :mod:`.durations`: round duration ticks and labels;
- :mod:`.faults`: fault spans from the events, shaded and named; guard stops;
- :mod:`.series`: a column's mean and 5th-95th percentile band across replications (numpy);
- :mod:`.run_series`: which replications a run's plot draws;
- :mod:`.draw`: a series as a line and band; line styles that keep variants apart;
- :mod:`.backlog`, :mod:`.people`, :mod:`.latency`: a run's plots;
- :mod:`.compare`: a comparison's plots;
- :mod:`.sweep`: a sweep's plot.

Only this package imports matplotlib, and only :mod:`sim.report.results`,
:mod:`sim.report.comparison` and :mod:`sim.report.sweep` import it, inside the functions that
write a results folder, so ``ehrsim validate`` and the other quick commands never pay
matplotlib's import time.
"""

from __future__ import annotations

from sim.report.plots.backlog import backlog_figure, backlog_png, destination_labels
from sim.report.plots.canvas import save
from sim.report.plots.clock import DayLabels, clock_axis
from sim.report.plots.compare import (
    Interval,
    Panel,
    comparison_backlog_figure,
    comparison_backlog_png,
    comparison_metrics_figure,
    comparison_metrics_png,
    destinations_figure,
    destinations_png,
)
from sim.report.plots.durations import duration_ticks, readable_seconds
from sim.report.plots.faults import FaultSpan, fault_spans, merged_spans
from sim.report.plots.latency import latency_figure, latency_png
from sim.report.plots.people import (
    NO_DEADLINES,
    NO_PEOPLE,
    clinical_figure,
    clinical_png,
    people_figure,
    people_png,
)
from sim.report.plots.series import BAND, Series, across, one
from sim.report.plots.sweep import MetricGrid, SweptAxis, sweep_figure

__all__ = [
    "BAND",
    "NO_DEADLINES",
    "NO_PEOPLE",
    "DayLabels",
    "FaultSpan",
    "Interval",
    "MetricGrid",
    "Panel",
    "Series",
    "SweptAxis",
    "across",
    "backlog_figure",
    "backlog_png",
    "clinical_figure",
    "clinical_png",
    "clock_axis",
    "comparison_backlog_figure",
    "comparison_backlog_png",
    "comparison_metrics_figure",
    "comparison_metrics_png",
    "destination_labels",
    "destinations_figure",
    "destinations_png",
    "duration_ticks",
    "fault_spans",
    "latency_figure",
    "latency_png",
    "merged_spans",
    "one",
    "people_figure",
    "people_png",
    "readable_seconds",
    "save",
    "sweep_figure",
]
