"""The PNG plots: what each figure shows, read back from the matplotlib Figure (its lines,
bands, fault spans, panels and tick labels) and checked against the samples it was drawn from."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

import matplotlib.dates as mdates
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from sim.experiments.run import ReplicationResult
from sim.model.world import Event, Samples
from sim.report.plots import (
    NO_DEADLINES,
    NO_PEOPLE,
    FaultSpan,
    backlog_figure,
    clinical_figure,
    comparison_backlog_figure,
    destination_labels,
    destinations_figure,
    fault_spans,
    latency_figure,
    merged_spans,
    people_figure,
    readable_seconds,
)

ROOT = Path(__file__).resolve().parent.parent
START = datetime(2017, 12, 6, 0, 0)
STEP = 600.0
STALL = [
    Event(32400.0, "fault-start", "", "integration servers stall"),
    Event(57600.0, "fault-end", "", "integration servers stall"),
]


def rep(
    index: int,
    columns: dict[str, Sequence[float]],
    events: Sequence[Event] = (),
    step: float = STEP,
) -> ReplicationResult:
    """A replication whose samples are exactly `columns`, one value per `step` seconds."""
    n = len(next(iter(columns.values())))
    samples = Samples.of([i * step for i in range(n)], columns)
    return ReplicationResult(index, {}, samples, list(events), [], True, "")


def stalled(index: int, rng: np.random.Generator, hours: float = 24.0) -> ReplicationResult:
    """Backlogs that rise during the stall by a different random amount in each replication."""
    n = int(hours * 3600 / STEP) + 1
    t = np.arange(n) * STEP
    rise = np.clip(np.minimum(t, 57600.0) - 32400.0, 0.0, None) * (t < 57600.0)
    columns = {
        "queue.labka": np.round(rise * rng.uniform(0.05, 0.1) + rng.integers(0, 5, n)),
        "queue.ehr": np.round(rise * rng.uniform(0.3, 0.6) + rng.integers(0, 9, n)),
        "total": np.round(rise * 0.6),
    }
    return rep(index, {k: v.tolist() for k, v in columns.items()}, STALL)


def five() -> list[ReplicationResult]:
    rng = np.random.default_rng(6)
    return [stalled(i, rng) for i in range(5)]


def date_nums(seconds: Sequence[float]) -> np.ndarray:
    return np.asarray(
        [mdates.date2num(START + timedelta(seconds=float(s))) for s in seconds], dtype=float
    )


def line(ax: Axes, key: str) -> tuple[np.ndarray, np.ndarray]:
    """The (x, y) data of the line drawn for `key`."""
    found = [ln for ln in ax.lines if ln.get_gid() == f"line:{key}"]
    assert len(found) == 1, [ln.get_gid() for ln in ax.lines]
    x = np.asarray(mdates.date2num(found[0].get_xdata()), dtype=float)
    return x, np.asarray(found[0].get_ydata(), dtype=float)


def band(ax: Axes, key: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, lower edge, upper edge) of the band drawn for `key`, one value per sample.

    The polygon runs start, along the lower edge, end, back along the upper edge; a step
    ("post") band repeats each point, so every other vertex is a sample.
    """
    found = [c for c in ax.collections if c.get_gid() == f"band:{key}"]
    assert len(found) == 1 and isinstance(found[0], PolyCollection)
    (path,) = found[0].get_paths()
    pts = path.vertices[: (len(path.vertices) // 2) * 2]  # a closing vertex may follow
    n = (len(pts) - 2) // 2
    lower = pts[1 : n + 1][::2]
    upper = pts[n + 2 :][::-1][::2]
    return lower[:, 0], lower[:, 1], upper[:, 1]


def bands(fig: Figure) -> list[str]:
    return [str(c.get_gid()) for ax in fig.axes for c in ax.collections if c.get_gid()]


def fault_rects(ax: Axes) -> list[tuple[str, float, float]]:
    """(name, start, end) of each shaded fault, x in date numbers."""
    return [
        (str(p.get_gid()).removeprefix("fault:"), p.get_x(), p.get_x() + p.get_width())
        for p in ax.patches
        if isinstance(p, Rectangle) and str(p.get_gid()).startswith("fault:")
    ]


def tick_labels(fig: Figure, ax: Axes) -> list[str]:
    fig.canvas.draw()
    return [t.get_text() for t in ax.get_xticklabels() if t.get_text()]


def draw(reps: list[ReplicationResult], hours: float = 24.0, **kw: object) -> Figure:
    return backlog_figure(
        reps, start=START, horizon=hours * 3600, title="December", labels={}, **kw
    )  # type: ignore[arg-type]


class TestBacklogBand:
    def test_the_band_is_the_5th_to_95th_percentile_at_each_time(self) -> None:
        """Each destination's band runs from the 5th to the 95th percentile of the
        replications' samples at that time; the line is their mean."""
        reps = five()
        ax = draw(reps).axes[0]
        for sid in ("labka", "ehr"):
            table = np.array([r.samples.columns[f"queue.{sid}"] for r in reps], dtype=float)
            x, low, high = band(ax, sid)
            np.testing.assert_allclose(x, date_nums(reps[0].samples.time_s))
            np.testing.assert_allclose(low, np.percentile(table, 5, axis=0))
            np.testing.assert_allclose(high, np.percentile(table, 95, axis=0))
            lx, mean = line(ax, sid)
            np.testing.assert_allclose(lx, x)
            np.testing.assert_allclose(mean, table.mean(axis=0))
            assert (high - low).max() > 1.0  # the replications differ: a real band

    def test_the_title_says_what_the_line_and_band_are(self) -> None:
        ax = draw(five()).axes[0]
        assert "mean of 5 replications" in ax.get_title()
        assert "5th to 95th percentile" in ax.get_title()

    def test_a_replication_stopped_early_leaves_the_others_at_later_times(self) -> None:
        """After a replication's last sample, mean and band come from the others."""
        reps = five()
        short = reps[2].samples
        reps[2] = ReplicationResult(
            2,
            {},
            Samples.of(short.time_s[:50], {k: v[:50] for k, v in short.columns.items()}),
            reps[2].events,
            [],
            False,
            "guard",
        )
        ax = draw(reps).axes[0]
        _, mean = line(ax, "ehr")
        rest = [r.samples.columns["queue.ehr"][100] for i, r in enumerate(reps) if i != 2]
        assert mean[100] == pytest.approx(np.mean(rest))
        assert mean[10] == pytest.approx(
            np.mean([r.samples.columns["queue.ehr"][10] for r in reps])
        )

    def test_one_replication_is_drawn_as_sampled_without_a_band(self) -> None:
        only = five()[:1]
        fig = draw(only)
        _, y = line(fig.axes[0], "labka")
        np.testing.assert_array_equal(y, only[0].samples.columns["queue.labka"])
        assert bands(fig) == []
        assert "one replication" in fig.axes[0].get_title()

    def test_a_chosen_replication_draws_exactly_its_samples(self) -> None:
        """chosen=1 (the user's replication 2) draws that replication as sampled, no band."""
        reps = five()
        fig = draw(reps, chosen=1)
        ax = fig.axes[0]
        for sid in ("labka", "ehr"):
            _, y = line(ax, sid)
            np.testing.assert_array_equal(y, reps[1].samples.columns[f"queue.{sid}"])
        assert bands(fig) == []
        assert "replication 2 of 5" in ax.get_title()

    def test_a_replication_out_of_range_is_refused(self) -> None:
        with pytest.raises(IndexError, match="replication 6: the run has 5"):
            draw(five(), chosen=5)


class TestFaults:
    def test_start_and_end_events_are_paired_by_name(self) -> None:
        """A fault's start and end become one span named as the scenario names it."""
        spans = fault_spans(rep(0, {"total": [0.0]}, STALL), 86400.0)
        assert [(s.start, s.end, s.name, s.open_ended) for s in spans] == [
            (32400.0, 57600.0, "integration servers stall", False)
        ]

    def test_a_fault_without_end_runs_to_the_end_and_names_its_target(self) -> None:
        """A poison message not fixed by the horizon is shaded to the end, with its target."""
        events = [Event(50400.0, "fault-start", "labka", "poison-message")]
        spans = fault_spans(rep(0, {"total": [0.0]}, events), 86400.0)
        assert [(s.end, s.name, s.open_ended) for s in spans] == [
            (86400.0, "poison-message (labka)", True)
        ]

    def test_the_shaded_spans_are_the_faults_of_the_events(self) -> None:
        """The shaded rectangle runs from the fault-start to the fault-end event."""
        ax = draw(five()).axes[0]
        assert fault_rects(ax) == [
            ("integration servers stall", *date_nums([32400.0, 57600.0]).tolist())
        ]
        names = [t.get_text() for t in ax.texts]
        assert "integration servers stall" in names

    def test_a_fault_that_ends_differently_in_each_replication_is_one_span(self) -> None:
        """A poison message fixed at 15:00 in one replication and 16:00 in another: one span
        from its start to the last fix, named once, with its target; a chosen replication
        shades only its own."""
        cols = {"queue.labka": [0.0] * 145}

        def poison(fixed: float) -> list[Event]:
            return [
                Event(50400, "fault-start", "labka", "poison"),
                Event(fixed, "fault-end", "labka", "poison"),
            ]

        a, b = rep(0, cols, poison(54000)), rep(1, cols, poison(57600))
        assert fault_rects(draw([a, b]).axes[0]) == [
            ("poison (labka)", *date_nums([50400.0, 57600.0]).tolist())
        ]
        assert fault_rects(draw([a, b], chosen=0).axes[0]) == [
            ("poison (labka)", *date_nums([50400.0, 54000.0]).tolist())
        ]

    def test_same_named_overlapping_faults_are_one_labelled_window(self) -> None:
        """A surge on ten flows at once is shaded and named once, without its targets."""
        spans = [
            FaultSpan(57600, 64800, "catch-up rebound (lab-orders)", False),
            FaultSpan(57600, 63000, "catch-up rebound (ecg-orders)", False),
            FaultSpan(32400, 57600, "integration servers stall", False),
            FaultSpan(90000, 91000, "catch-up rebound (lab-orders)", False),
        ]
        assert merged_spans(spans) == [
            FaultSpan(32400, 57600, "integration servers stall", False),
            FaultSpan(57600, 64800, "catch-up rebound", False),
            FaultSpan(90000, 91000, "catch-up rebound (lab-orders)", False),
        ]

    def test_a_guard_stop_is_drawn(self) -> None:
        """A replication stopped at a guard gets a dashed line and a note at that time."""
        reps = five()
        reps[0].events.append(Event(40000.0, "guard", "", "limits.queued"))
        ax = draw(reps).axes[0]
        dashed = [ln for ln in ax.lines if ln.get_linestyle() == "--"]
        assert [mdates.date2num(ln.get_xdata()[0]) for ln in dashed] == [
            pytest.approx(date_nums([40000.0])[0])
        ]
        assert "run stopped at a guard" in [t.get_text() for t in ax.texts]


class TestClockAxis:
    def test_a_run_over_two_days_names_each_date_once(self) -> None:
        """Every tick reads HH:MM; each date appears once, under its first tick."""
        rng = np.random.default_rng(1)
        fig = draw([stalled(0, rng, hours=48)], hours=48)
        labels = tick_labels(fig, fig.axes[0])
        assert len(labels) >= 6
        dates = [label.split("\n")[1] for label in labels if "\n" in label]
        assert dates == ["Wed 06 Dec", "Thu 07 Dec", "Fri 08 Dec"]
        assert labels[0] == "00:00\nWed 06 Dec"
        assert all(len(label.split("\n")[0]) == 5 for label in labels)  # HH:MM on every tick
        assert fig.axes[0].get_xlabel() == "clock time, Wed 06 Dec 2017 to Fri 08 Dec 2017"

    def test_a_run_of_one_day_has_its_date_in_the_axis_label_only(self) -> None:
        rng = np.random.default_rng(1)
        fig = draw([stalled(0, rng, hours=20)], hours=20)
        labels = tick_labels(fig, fig.axes[0])
        assert labels and all("\n" not in label and len(label) == 5 for label in labels)
        assert fig.axes[0].get_xlabel() == "clock time, Wed 06 Dec 2017"

    def test_a_week_has_dates_alone(self) -> None:
        """When every tick is a midnight, the ticks are the dates."""
        cols = {"queue.labka": [0.0] * (7 * 24 + 1)}
        fig = draw([rep(0, cols, step=3600.0)], hours=7 * 24)
        labels = tick_labels(fig, fig.axes[0])
        assert labels[:2] == ["Wed 06 Dec", "Thu 07 Dec"]
        assert len(set(labels)) == len(labels)


PEOPLE = {
    "queue.lab": [0, 5, 9, 3, 0, 0],
    "people.paper_held": [0, 10, 40, 0, 0, 0],
    "people.back_entry": [0, 0, 0, 35, 12, 0],
    "people.reconcile": [0, 0, 0, 4, 6, 1],
    "people.clerks_busy": [0, 0, 0, 4, 4, 1],
    "people.analyst_tasks": [0, 2, 1, 0, 0, 0],
    "people.analysts_busy": [0, 1, 2, 1, 0, 0],
    "late.stat": [0, 0, 3, 7, 8, 9],
    "late.urgent": [0, 0, 1, 2, 2, 3],
}


def people(reps: list[ReplicationResult], **kw: object) -> Figure:
    staff = {"clerks": 4, "analysts": 2}
    return people_figure(reps, start=START, horizon=3000.0, title="t", staff=staff, **kw)  # type: ignore[arg-type]


class TestPeoplePlot:
    def test_each_people_column_is_drawn_as_sampled(self) -> None:
        """One replication: every people.* line is its timeseries column, value for value,
        in three panels (paper and clerks' queues, analysts' tasks, people at work)."""
        one = rep(0, PEOPLE)
        fig = people([one])
        assert [ax.get_title(loc="left") for ax in fig.axes] == [
            "Orders on paper and the clerks' queues",
            "Analysts' tasks waiting: poison fixes, channel restarts, reprocessing",
            "People at work (answering a call-out counts)",
        ]
        drawn = {}
        for ax in fig.axes:
            for ln in ax.lines:
                if str(ln.get_gid()).startswith("line:"):
                    drawn[str(ln.get_gid()).removeprefix("line:")] = list(ln.get_ydata())
        assert drawn == {
            k: list(map(float, v)) for k, v in PEOPLE.items() if k.startswith("people.")
        }

    def test_team_sizes_are_drawn_as_limits(self) -> None:
        """The people-at-work panel marks each team's size and names it in the legend."""
        ax = people([rep(0, PEOPLE)]).axes[2]
        limits = sorted(ln.get_ydata()[0] for ln in ax.lines if ln.get_linestyle() == ":")
        assert limits == [2, 4]
        texts = [t.get_text() for t in ax.get_legend().get_texts()]
        assert texts == ["clerks (of 4)", "analysts (of 2)"]

    def test_with_replications_the_lines_are_means_in_a_band(self) -> None:
        a = rep(0, PEOPLE)
        b = rep(1, {k: [2 * v for v in vs] for k, vs in PEOPLE.items()})
        ax = people([a, b]).axes[0]
        _, mean = line(ax, "people.back_entry")
        np.testing.assert_allclose(mean, 1.5 * np.array(PEOPLE["people.back_entry"]))
        _, low, high = band(ax, "people.back_entry")
        values = np.array(
            [PEOPLE["people.back_entry"], [2 * v for v in PEOPLE["people.back_entry"]]]
        )
        np.testing.assert_allclose(low, np.percentile(values, 5, axis=0))
        np.testing.assert_allclose(high, np.percentile(values, 95, axis=0))

    def test_only_the_panels_the_world_has(self) -> None:
        """Analysts without a fallback or clerks: their two panels only."""
        cols = {k: v for k, v in PEOPLE.items() if "analyst" in k or k == "queue.lab"}
        fig = people([rep(0, cols)])
        assert len(fig.axes) == 2
        assert fig.axes[0].get_title(loc="left").startswith("Analysts' tasks waiting")

    def test_a_world_without_people_says_so(self) -> None:
        """No fallback and no staff: one sentence, no axes to read."""
        fig = people([rep(0, {"queue.lab": [0, 1, 0]})])
        assert [t.get_text() for ax in fig.axes for t in ax.texts] == [NO_PEOPLE]
        assert not any(ax.axison for ax in fig.axes)

    def test_a_chosen_replication_draws_its_own_people(self) -> None:
        a = rep(0, PEOPLE)
        b = rep(1, {k: [v + 1 for v in vs] for k, vs in PEOPLE.items()})
        fig = people([a, b], chosen=1)
        _, y = line(fig.axes[2], "people.clerks_busy")
        assert list(y) == [v + 1 for v in PEOPLE["people.clerks_busy"]]


class TestClinicalPlot:
    def test_late_orders_accumulate_per_class_as_sampled(self) -> None:
        """A line per late.<class> column, equal to it; the legend gives the count at the end."""
        fig = clinical_figure([rep(0, PEOPLE)], start=START, horizon=3000.0, title="t")
        ax = fig.axes[0]
        for cls in ("stat", "urgent"):
            _, y = line(ax, f"late.{cls}")
            assert list(y) == PEOPLE[f"late.{cls}"]
        texts = [t.get_text() for t in ax.get_legend().get_texts()]
        assert texts == ["STAT: 9 by the end", "urgent: 3 by the end"]

    def test_the_end_count_is_the_mean_over_replications(self) -> None:
        a = rep(0, PEOPLE)
        b = rep(1, {k: [3 * v for v in vs] for k, vs in PEOPLE.items()})
        ax = clinical_figure([a, b], start=START, horizon=3000.0, title="t").axes[0]
        assert ax.get_legend().get_texts()[0].get_text() == "STAT: 18 by the end"
        _, low, high = band(ax, "late.stat")
        assert (low[-1], high[-1]) == (pytest.approx(9 + 0.05 * 18), pytest.approx(9 + 0.95 * 18))

    def test_a_mean_that_is_not_whole_keeps_a_decimal(self) -> None:
        """2 and 3 late orders in two replications: 2.5 by the end, not 2 or 3."""
        a = rep(0, {"late.stat": [0, 1, 2]})
        b = rep(1, {"late.stat": [0, 1, 3]})
        ax = clinical_figure([a, b], start=START, horizon=1200.0, title="t").axes[0]
        assert ax.get_legend().get_texts()[0].get_text() == "STAT: 2.5 by the end"

    def test_no_deadlines_says_so(self) -> None:
        fig = clinical_figure([rep(0, {"queue.lab": [0, 1]})], start=START, horizon=60.0, title="t")
        assert [t.get_text() for ax in fig.axes for t in ax.texts] == [NO_DEADLINES]


def variants(count: int, reps: int = 2) -> dict[str, list[ReplicationResult]]:
    """`count` variants of `reps` replications each, with three destinations."""
    rng = np.random.default_rng(3)
    out = {}
    for v in range(count):
        runs = []
        for i in range(reps):
            cols = {
                f"queue.{sid}": rng.integers(0, 50 * (v + 1), 30).astype(float).tolist()
                for sid in ("labka", "ehr", "ris")
            }
            cols["total"] = [sum(x) for x in zip(*cols.values(), strict=True)]
            runs.append(rep(i, cols, STALL))
        out[f"v{v}"] = runs
    return out


def styles(lines: list[Line2D]) -> list[tuple[object, ...]]:
    """(colour, dash pattern, width, marker) of each line; the dash pattern as drawn,
    unscaled by the width (matplotlib keeps no public getter for it)."""
    out = []
    for ln in lines:
        dashes = tuple(ln._unscaled_dash_pattern[1] or ())  # type: ignore[attr-defined]
        out.append((ln.get_color(), dashes, ln.get_linewidth(), ln.get_marker()))
    return out


class TestComparePlots:
    def test_destinations_have_a_panel_each_with_every_variant(self) -> None:
        """One panel per destination, a line per variant (the mean over its replications),
        one legend for the figure."""
        vs = variants(4)
        fig = destinations_figure(
            vs, start=START, horizon=30 * STEP, title="t", labels={"ehr": "ehr ← 10 flows"}
        )
        panels = [ax for ax in fig.axes if ax.lines]
        assert [ax.get_title() for ax in panels] == ["labka", "ehr ← 10 flows", "ris"]
        assert len(fig.axes) == 3
        for ax, sid in zip(panels, ("labka", "ehr", "ris"), strict=True):
            for name, runs in vs.items():
                _, y = line(ax, f"{sid}:{name}")
                table = np.array([r.samples.columns[f"queue.{sid}"] for r in runs])
                np.testing.assert_allclose(y, table.mean(axis=0))
            assert ax.get_legend() is None
        assert len(fig.legends) == 1
        assert [t.get_text() for t in fig.legends[0].get_texts()] == list(vs)

    def test_variant_lines_differ_in_dashes_width_and_marker_as_well_as_colour(self) -> None:
        """Each variant has its own colour, dash pattern, width and marker; the first is the
        widest and lowest, so a line drawn over it leaves it visible."""
        vs = variants(6)
        ax = comparison_backlog_figure(vs, start=START, horizon=30 * STEP, title="t").axes[0]
        drawn = [ln for ln in ax.lines if str(ln.get_gid()).startswith("line:")]
        assert [ln.get_gid() for ln in drawn] == [f"line:total:{n}" for n in vs]
        for part in range(4):
            assert len({s[part] for s in styles(drawn)}) == len(vs), part
        widths = [ln.get_linewidth() for ln in drawn]
        assert widths == sorted(widths, reverse=True)
        orders = [ln.get_zorder() for ln in drawn]
        assert orders == sorted(orders) and len(set(orders)) == len(vs)
        for name, runs in vs.items():
            _, y = line(ax, f"total:{name}")
            np.testing.assert_allclose(
                y, np.mean([r.samples.columns["total"] for r in runs], axis=0)
            )

    def test_the_compare_backlog_shades_the_faults(self) -> None:
        ax = comparison_backlog_figure(variants(2), start=START, horizon=30 * STEP, title="t").axes[
            0
        ]
        assert fault_rects(ax) == [
            ("integration servers stall", *date_nums([32400.0, 57600.0]).tolist())
        ]

    def test_a_grid_with_an_empty_slot_keeps_clock_labels_above_it(self) -> None:
        """Five destinations in three columns: the panel above the empty slot shows times."""
        rng = np.random.default_rng(2)
        cols = {f"queue.s{i}": rng.integers(0, 9, 30).astype(float).tolist() for i in range(5)}
        fig = destinations_figure(
            {"a": [rep(0, cols)]}, start=START, horizon=30 * STEP, title="t", labels={}
        )
        assert len(fig.axes) == 5
        assert tick_labels(fig, fig.axes[2])  # top right, above the missing sixth panel


class TestLatencyPlot:
    def test_a_bar_per_flow_and_class_at_its_p95(self) -> None:
        """A bar per flow and class with a delivery, as long as its p95; log scale when the
        latencies span seconds and hours."""
        latency = {
            "lab": {"stat": {"count": 10, "mean": 0.2, "p95": 0.5}},
            "ris": {"routine": {"count": 10, "mean": 600.0, "p95": 7200.0}},
            "idle": {"routine": {"count": 0, "mean": None, "p95": None}},
        }
        ax = latency_figure(latency, title="t").axes[0]
        bars = sorted(p.get_width() for p in ax.patches if isinstance(p, Rectangle))
        assert bars == [0.5, 7200.0]
        assert ax.get_xscale() == "log"
        assert [t.get_text() for t in ax.get_yticklabels()] == ["lab · stat", "ris · routine"]

    def test_a_run_without_deliveries_says_so(self) -> None:
        fig = latency_figure({"o": {"routine": {"count": 0, "mean": None, "p95": None}}}, title="t")
        assert [t.get_text() for t in fig.axes[0].texts] == ["no message was delivered"]


class TestLabels:
    def test_destinations_are_labelled_with_their_flows(self) -> None:
        """A destination's legend names its flows, or counts them when there are many."""
        labels = destination_labels({"lab-orders": "labka", "a": "ehr", "b": "ehr", "c": "ehr"})
        assert labels == {"labka": "labka ← lab-orders", "ehr": "ehr ← 3 flows"}

    @pytest.mark.parametrize(
        ("seconds", "text"),
        [(0.15, "150ms"), (12.0, "12s"), (270.0, "4.5min"), (10800.0, "3h"), (172800.0, "2d")],
    )
    def test_durations_on_axes_carry_units(self, seconds: float, text: str) -> None:
        """Latency axis ticks are durations with units."""
        assert readable_seconds(seconds) == text


class TestImportCost:
    def test_validate_does_not_import_matplotlib(self) -> None:
        """The quick commands never import matplotlib (plots are imported only to write them)."""
        code = (
            "import sys; from typer.testing import CliRunner; from sim.cli import app; "
            "r = CliRunner().invoke(app, ['validate', 'baseline-weekday']); "
            "assert r.exit_code == 0, r.output; print('matplotlib' in sys.modules)"
        )
        out = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env={"PYTHONPATH": str(ROOT), "PATH": ""},
            capture_output=True,
            text=True,
            check=True,
        )
        assert out.stdout.strip() == "False"
