"""plan.png's labels stay readable: the target line's label sits at the end of the curve that
lies farther from the line (never on a point), and the legend covers no point or label.
Drawn from made-up curves, read back from the rendered figure."""

from __future__ import annotations

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Annotation

from sim.report.plots.plan import CurvePoint, plan_figure


def curve(means: list[float], answer: int) -> list[CurvePoint]:
    verdicts = ["met" if k >= answer else "not met" for k in range(len(means))]
    return [
        CurvePoint(float(k + 1), str(k + 1), m, m * 0.9, m * 1.1, verdicts[k], 3)
        for k, m in enumerate(means)
    ]


@pytest.mark.parametrize(
    ("means", "threshold", "side"),
    [
        ([240.0, 364.0, 609.0, 1205.0], 300.0, "right"),  # rising: the right end is far above
        ([600.0, 200.0, 120.0, 86.0], 160.0, "left"),  # falling: the left end is far above
    ],
)
def test_the_target_label_sits_clear_of_the_points(
    means: list[float], threshold: float, side: str
) -> None:
    """The label is at the far end, and no point's marker, its n= label or the legend
    overlaps it."""
    points = curve(means, 1)
    fig = plan_figure(
        points, key="k", metric_label="m", threshold=threshold,
        target_label=f"target: m >= {threshold:g}", seconds=False, answer=2.0,
        span=(1.0, 4.0), title="t", note="n",
    )  # fmt: skip
    FigureCanvasAgg(fig).draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    (ax,) = fig.axes
    (label,) = [t for t in ax.texts if t.get_gid() == "target-label"]
    assert label.get_horizontalalignment() == side
    box = label.get_window_extent(renderer)
    for p in points:
        x, y = ax.transData.transform((p.position, p.mean))
        assert not box.expanded(1.0, 1.0).padded(4).contains(x, y), p
    others = [t for t in ax.texts if isinstance(t, Annotation) and t is not label]
    assert len(others) == len(points)  # the n= labels
    for text in others:
        assert not box.overlaps(text.get_window_extent(renderer)), text.get_text()
    legend = ax.get_legend().get_window_extent(renderer)
    assert not legend.overlaps(box)
    for text in others:
        assert not legend.overlaps(text.get_window_extent(renderer)), text.get_text()
