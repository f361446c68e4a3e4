"""The what-if's sliders: ipywidgets around :func:`sim.teaching.whatif.update`.

Four controls (the stall's length, connections per channel, the queue design, the drain
rate) and an output area. A change runs one replication of the small world and redraws the
backlog with the headline figures in its title, in about a second on the compiled core
(``benchmarks/whatif.py`` times it). The sliders fire when released, not while dragged, so a
drag costs one run. ipywidgets is imported only here (the ``notebooks`` extra); everything the
sliders show comes from :mod:`sim.teaching.whatif`, which runs without them.
"""

from __future__ import annotations

import io
from typing import Any

from sim.teaching.whatif import DESIGNS, PER_DESTINATION_STRICT, Settings, update, what_if_figure

__all__ = ["what_if_widgets"]


def _png(figure: Any) -> bytes:
    """The figure as PNG bytes (shown as an image, whatever the matplotlib backend)."""
    from sim.report.plots.canvas import DPI

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI * 0.75)
    return buffer.getvalue()


def what_if_widgets(initial: Settings | None = None) -> Any:
    """The sliders and their output, drawn once for ``initial`` (an ipywidgets ``VBox``:
    display it, or leave it as a cell's last value)."""
    import ipywidgets as w
    from IPython.display import Image

    start = initial or Settings()
    style = {"description_width": "11em"}
    layout = w.Layout(width="34em")
    stall = w.FloatSlider(
        value=start.stall_h, min=0.5, max=6.0, step=0.5, description="stall length (hours)",
        continuous_update=False, style=style, layout=layout,
    )  # fmt: skip
    connections = w.IntSlider(
        value=start.connections, min=1, max=8, description="connections per channel",
        continuous_update=False, style=style, layout=layout,
    )  # fmt: skip
    design = w.Dropdown(
        options=list(DESIGNS), value=start.design or PER_DESTINATION_STRICT,
        description="queue design", style=style, layout=layout,
    )  # fmt: skip
    drain = w.FloatSlider(
        value=start.drain_per_s, min=0.0, max=4.0, step=0.25,
        description="drain limit (/s, 0: none)", continuous_update=False, style=style,
        layout=layout,
    )  # fmt: skip
    out = w.Output()

    def redraw(_change: object = None) -> None:
        # The output is replaced as widget state (outputs, append_*), not captured with
        # ``with out:``: capturing inside a cell that is still running can stall a headless
        # executor (nbclient) until its cell timeout.
        settings = Settings(stall.value, connections.value, design.value, drain.value)
        result = update(settings)
        lines = [f"note: {note}" for note in result.notes]
        lines.append(f"simulated in {result.seconds:.2f} s; the same run from the command line:")
        lines.append("ehrsim run small-plug " + " ".join(f"--set {s}" for s in result.sets))
        out.outputs = ()
        out.append_display_data(Image(_png(what_if_figure(result))))
        out.append_stdout("\n".join(lines) + "\n")

    for control in (stall, connections, design, drain):
        control.observe(redraw, names="value")
    redraw()
    return w.VBox([w.HBox([w.VBox([stall, connections]), w.VBox([design, drain])]), out])
