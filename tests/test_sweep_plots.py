"""sweep.png shows what sweep.csv holds: for one parameter a line per metric in its 95 % band,
for two a heatmap per metric; read back from the figure's artists."""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

import numpy as np
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.image import AxesImage
from matplotlib.lines import Line2D

from sim.experiments.grid import parse_params
from sim.experiments.sweep import SweepResult, sweep
from sim.report.plots.sweep import sweep_figure
from sim.report.sweep import plot_axes, plot_panels, write_sweep

TINY = str(Path(__file__).parent / "data" / "tiny.yaml")
METRICS = ("recovery_time_s", "peak_backlog", "late.stat", "messages.lost")


@pytest.fixture(scope="module")
def one() -> SweepResult:
    return sweep(TINY, ["faults.0.for=40min,10min,20min"], METRICS, replications=3)


@pytest.fixture(scope="module")
def two() -> SweepResult:
    grid = ["systems.lab.connections=1,2", "faults.0.for=10min,20min,30min"]
    return sweep(TINY, grid, METRICS, replications=2)


def csv_column(folder: Path, name: str) -> list[float]:
    with (folder / "sweep.csv").open(newline="") as handle:
        return [math.nan if r[name] == "" else float(r[name]) for r in csv.DictReader(handle)]


def by_gid(fig: object, kind: type, gid: str) -> list:  # type: ignore[type-arg]
    found = [a for ax in fig.axes for a in ax.get_children() if isinstance(a, kind)]  # type: ignore[attr-defined]
    return [a for a in found if a.get_gid() == gid]


class TestOneParameter:
    def test_each_line_and_band_is_the_csv_column(self, one: SweepResult, tmp_path: Path) -> None:
        write_sweep(tmp_path, one, title="tiny")
        panels, note = plot_panels(one)
        fig = sweep_figure(plot_axes(one.params), panels, title="tiny", note=note)
        assert [p.metric for p in panels] == ["recovery_time_s", "peak_backlog", "late.stat"]
        for panel in panels:
            (line,) = by_gid(fig, Line2D, f"line:{panel.metric}")
            (band,) = by_gid(fig, PolyCollection, f"band:{panel.metric}")
            # placed by duration, in the order given: 40min, 10min, 20min
            assert list(line.get_xdata()) == [2400.0, 600.0, 1200.0]
            assert list(line.get_ydata()) == csv_column(tmp_path, panel.metric)
            low = csv_column(tmp_path, f"{panel.metric}.ci95_low")
            high = csv_column(tmp_path, f"{panel.metric}.ci95_high")
            edge = band.get_paths()[0].vertices
            for x, lo, hi in zip((2400.0, 600.0, 1200.0), low, high, strict=True):
                ys = {round(y, 6) for vx, y in edge if vx == x}
                assert {lo, hi} <= ys, (panel.metric, x, ys)
        assert note == "not drawn: 0 at every point: lost"
        assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["40min", "10min", "20min"]

    def test_the_peak_grows_with_the_stall(self, one: SweepResult) -> None:
        panels, _ = plot_panels(one)
        peak = next(p for p in panels if p.metric == "peak_backlog")
        assert peak.mean[1] < peak.mean[2] < peak.mean[0]  # 10min < 20min < 40min


class TestTwoParameters:
    def test_each_heatmap_is_the_csv_column_first_parameter_down(
        self, two: SweepResult, tmp_path: Path
    ) -> None:
        write_sweep(tmp_path, two, title="tiny")
        panels, note = plot_panels(two)
        fig = sweep_figure(plot_axes(two.params), panels, title="tiny", note=note)
        for panel in panels:
            (image,) = by_gid(fig, AxesImage, f"heatmap:{panel.metric}")
            shown = np.ma.filled(image.get_array().astype(float), np.nan)
            expected = np.array(csv_column(tmp_path, panel.metric)).reshape(2, 3)
            assert shown.shape == (2, 3)
            np.testing.assert_array_equal(shown, expected)
        ax = fig.axes[0]
        assert [t.get_text() for t in ax.get_yticklabels()] == ["1", "2"]
        assert [t.get_text() for t in ax.get_xticklabels()] == ["10min", "20min", "30min"]
        assert (ax.get_ylabel(), ax.get_xlabel()) == ("systems.lab.connections", "faults.0.for")
        assert [t.get_text() for t in ax.texts] == ["1m 00s"] * 6  # no interval: all equal
        peak = fig.axes[[p.metric for p in panels].index("peak_backlog") * 2]  # a colorbar each
        assert peak.get_title() == "peak backlog"
        cells = [t.get_text() for t in peak.texts]
        assert len(cells) == 6 and all(
            re.fullmatch(r"[\d,]+\n\[[\d,]+, [\d,]+\]", c) for c in cells
        )


def test_three_parameters_have_no_plot(tmp_path: Path) -> None:
    grid = ["systems.lab.connections=1,2", "faults.0.for=10min,20min", "faults.0.name=a,b"]
    result = sweep(TINY, grid, ("peak_backlog",), replications=1)
    assert write_sweep(tmp_path, result, title="tiny") == ["sweep.csv", "sweep.json"]
    assert not (tmp_path / "sweep.png").exists()


def test_values_are_placed_by_size_only_when_all_have_one() -> None:
    axes = plot_axes(parse_params(["a=1,4,2", "b=1h,30min", "c=fifo,lifo", "d=1,1h"]))
    assert [a.positions for a in axes] == [
        (1.0, 4.0, 2.0), (3600.0, 1800.0), (0.0, 1.0), (1.0, 3600.0),
    ]  # fmt: skip


@pytest.fixture(scope="module")
def stall() -> SweepResult:
    """One connection drains nothing (capacity = arrivals): its recovery time is null."""
    grid = ["systems.server.connections=1,2", "strategy.queues=shared,per-destination"]
    return sweep("theory/stall", grid, ("recovery_time_s", "goodput_share"), replications=2)


class TestMissingValues:
    def test_a_point_that_never_recovered_says_so(self, stall: SweepResult) -> None:
        panels, note = plot_panels(stall)
        assert note == ""
        recovery = panels[0]
        assert recovery.mean[:2] == (None, None) and None not in recovery.mean[2:]
        assert recovery.note == ("not recovered in 2/2",) * 2 + ("",) * 2
        fig = sweep_figure(plot_axes(stall.params), panels, title="stall")
        cells = [t.get_text() for t in fig.axes[0].texts]
        assert cells[:2] == ["not recovered in 2/2"] * 2
        one = sweep("theory/stall", ["systems.server.connections=1,2"], ("recovery_time_s",),
                    replications=2)  # fmt: skip
        line_panels, _ = plot_panels(one)
        fig = sweep_figure(plot_axes(one.params), line_panels, title="stall")
        (cross,) = by_gid(fig, Line2D, "missing:recovery_time_s")
        assert (list(cross.get_xdata()), list(cross.get_ydata())) == ([1.0], [0])
        assert [t.get_text() for t in fig.axes[0].texts] == ["not recovered in 2/2"]

    def test_near_equal_cells_get_near_equal_colours(self, stall: SweepResult) -> None:
        """Goodput shares of 99.99 % and 100 % read the same: the colour scale spans at least
        1 % of the largest value, so they are not drawn as opposite ends of it."""
        panels, _ = plot_panels(stall)
        goodput = panels[1]
        values = [v for v in goodput.mean if v is not None]
        assert 0 < max(values) - min(values) < 0.001
        fig = sweep_figure(plot_axes(stall.params), panels, title="stall")
        (image,) = by_gid(fig, AxesImage, "heatmap:goodput_share")
        low, high = image.get_clim()
        assert high - low == pytest.approx(0.01 * max(values))
        assert low < min(values) and max(values) < high
