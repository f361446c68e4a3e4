"""metastability.png shows the classes of metastability.csv: a panel per variant, each cell
coloured by its point's class, the boundary of the stays-degraded region drawn along the cell
edges; read back from the figure's artists."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba
from matplotlib.image import AxesImage
from matplotlib.text import Text

from sim.experiments.metastability import MetastabilityResult, find_metastability
from sim.report.metastability import duration_label, phase_panels
from sim.report.plots.metastability import (
    CLASS_COLOURS,
    PhasePanel,
    boundary_segments,
    phase_figure,
)

WORLD = str(Path(__file__).parent / "data" / "metastable.yaml")
R, G, D = "recovers", "recovering-at-horizon", "stays-degraded"


def artists(fig: object, kind: type, gid: str) -> list:  # type: ignore[type-arg]
    found = [a for ax in fig.axes for a in ax.get_children() if isinstance(a, kind)]  # type: ignore[attr-defined]
    return [a for a in found if a.get_gid() == gid]


class TestBoundarySegments:
    def test_an_edge_runs_between_every_pair_of_neighbours_on_either_side(self) -> None:
        """Rows are magnitudes (k, up), columns durations (j, across); cell (k, j) is centred
        at (j, k). The stays-degraded corner top right is closed by two edges."""
        classes = [[R, R], [R, D]]
        assert sorted(boundary_segments(classes, {D})) == [
            ((0.5, 0.5), (0.5, 1.5)),  # between (1, 0) and (1, 1): vertical, at x = 0.5
            ((0.5, 0.5), (1.5, 0.5)),  # between (0, 1) and (1, 1): horizontal, at y = 0.5
        ]

    def test_a_staircase_follows_the_cells(self) -> None:
        classes = [[R, R, R], [R, G, D], [G, D, D]]
        segments = boundary_segments(classes, {D})
        assert len(segments) == 4
        assert ((1.5, 0.5), (1.5, 1.5)) in segments  # G | D in row 1
        assert ((0.5, 1.5), (0.5, 2.5)) in segments  # G | D in row 2
        assert ((1.5, 0.5), (2.5, 0.5)) in segments  # R below D in column 2
        assert ((0.5, 1.5), (1.5, 1.5)) in segments  # G below D in column 1

    def test_no_edge_where_the_map_is_all_one_side(self) -> None:
        assert boundary_segments([[D, D], [D, D]], {D}) == []
        assert boundary_segments([[R, G], [G, R]], {D}) == []

    def test_the_edge_of_recovery_separates_recovers_from_the_rest(self) -> None:
        assert boundary_segments([[R, G, D]], {R}) == [((0.5, -0.5), (0.5, 0.5))]


@pytest.fixture(scope="module")
def mapped() -> MetastabilityResult:
    return find_metastability(
        WORLD,
        magnitude="0.1..0.5",
        duration="3s..30s",
        steps=2,
        replications=1,
        variants={"drain-3": {"strategy": {"drain": {"rate": "3/s"}}}},
    )


def figure_of(result: MetastabilityResult) -> object:
    return phase_figure(
        phase_panels(result),
        durations=[duration_label(s) for s in result.axes.duration.sizes],
        magnitudes=list(result.axes.magnitude.values),
        x_label="how long",
        y_label="how strong",
        title="map",
    )


class TestFigure:
    def test_each_cell_has_the_colour_of_its_points_class(
        self, mapped: MetastabilityResult
    ) -> None:
        fig = figure_of(mapped)
        for variant in ("baseline", "drain-3"):
            (image,) = artists(fig, AxesImage, f"cells:{variant}")
            colours = image.to_rgba(image.get_array())
            points = mapped.of(variant)
            for k in range(2):
                for j in range(2):
                    expected = CLASS_COLOURS[points[2 * k + j].cls or ""]
                    assert tuple(colours[k, j]) == pytest.approx(to_rgba(expected)), (k, j)

    def test_the_boundary_encloses_the_point_that_stays_degraded(
        self, mapped: MetastabilityResult
    ) -> None:
        """Baseline: only the strongest, longest point (top right) stays degraded; the drain
        limit recovers everywhere, so it has neither boundary nor edge."""
        assert [p.cls for p in mapped.of("baseline")] == [R, R, R, D]
        fig = figure_of(mapped)
        (line,) = artists(fig, LineCollection, "boundary:baseline")
        drawn = sorted(tuple(map(tuple, np.round(seg, 6))) for seg in line.get_segments())
        assert drawn == [((0.5, 0.5), (0.5, 1.5)), ((0.5, 0.5), (1.5, 0.5))]
        assert artists(fig, LineCollection, "boundary:drain-3") == []
        assert artists(fig, LineCollection, "recovery-edge:drain-3") == []

    def test_a_panel_degraded_everywhere_says_its_boundary_is_off_the_map(self) -> None:
        panels = [
            PhasePanel("all", "all", ((D, D), (D, D)), (("", ""), ("", "2/3"))),
            PhasePanel("some", "some", ((R, D), (D, D)), (("", ""), ("", ""))),
        ]
        fig = phase_figure(
            panels, durations=["1h", "2h"], magnitudes=["0.5", "1"], x_label="x", y_label="y",
            title="t",
        )  # fmt: skip
        assert len(artists(fig, Text, "off-map:all")) == 1
        assert artists(fig, Text, "off-map:some") == []
        texts = [t.get_text() for t in fig.axes[0].texts]
        assert "2/3" in texts


class TestPanels:
    def test_cells_say_how_many_replications_agree_when_not_all_do(
        self, mapped: MetastabilityResult
    ) -> None:
        copied = copy.deepcopy(mapped)
        copied.of("baseline")[3].classes = (D, R, D)
        (baseline, _drain) = phase_panels(copied)
        assert baseline.agreement == (("", ""), ("", "2/3"))
        assert baseline.title == "baseline\n1 stay degraded, 3 recover"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(900, "15min"), (1560, "26min"), (4740, "1h19m"), (14400, "4h"), (22.104, "22s"),
     (8.143, "8.14s"), (3727, "1h02m07s"), (3600 * 2 + 5, "2h00m05s")],
)  # fmt: skip
def test_duration_labels_read_as_clock_lengths(seconds: float, text: str) -> None:
    assert duration_label(seconds) == text
