"""The results folder of ``ehrsim metastability``.

A map writes ``results/<name>/metastability-<run-id>/`` (or exactly ``--out DIR``) with the same
atomic staging as a run (:mod:`sim.report.results`):

- ``scenario.yaml``: the scenario every point starts from (``--set``, ``--seed``,
  ``--replications``, ``--horizon`` applied; the variants are its ``compare`` entries and
  ``--variant``, the points' values are in ``metastability.csv``);
- ``metastability.csv``: one row per point, variant by variant, magnitude then duration
  (:data:`sim.experiments.metastability.COLUMNS`);
- ``metastability.json``: the fault, the axes, the rule of the classes and the same rows, each
  with its replications' classes (:meth:`MetastabilityResult.to_json`);
- ``metastability.png``: the phase diagram, a panel per variant, with the boundary;
- ``run.json``: what varies between identical maps (``kind: metastability``, command, times,
  executor, cache).

``metastability.csv`` and ``metastability.json`` depend only on the scenario, the variants,
the axes, the seed and the replications: the same map gives the same bytes, whatever ran it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.report.csvs import write_table
from sim.report.results import dump_json, grid_run_json

if TYPE_CHECKING:
    from sim.experiments.metastability import MetastabilityResult
    from sim.report.plots.metastability import PhasePanel

__all__ = [
    "METASTABILITY_FILES",
    "class_counts_text",
    "duration_label",
    "metastability_record",
    "phase_panels",
    "write_metastability",
]

METASTABILITY_FILES = (
    "scenario.yaml",
    "metastability.csv",
    "metastability.json",
    "metastability.png",
    "run.json",
)
"""The files of a map's results folder."""


def duration_label(seconds: float) -> str:
    """A duration for the diagram's axis: ``15min``, ``1h19m``, ``4h``, ``22s``, ``2.5s``."""
    if seconds < 10:
        return f"{seconds:.3g}s"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours and (secs or not minutes):
        return f"{hours}h" if not rest else f"{hours}h{minutes:02d}m{secs:02d}s"
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}min" if not secs else f"{minutes}m{secs:02d}s"
    return f"{secs}s"


def class_counts_text(counts: dict[str, int]) -> str:
    """``12 stay degraded, 6 recovering, 18 recover`` (the classes with points, worst first)."""
    words = {
        "stays-degraded": "stay degraded",
        "recovering-at-horizon": "recovering at the horizon",
        "recovers": "recover",
    }
    parts = [f"{counts[c]} {words[c]}" for c in words if counts.get(c)]
    return ", ".join(parts) or "no class"


def phase_panels(result: MetastabilityResult) -> list[PhasePanel]:
    """A panel per variant: each point's class on the grid, and how many of its replications
    agree where not all do."""
    from sim.report.plots.metastability import PhasePanel

    rows, cols = len(result.axes.magnitude.values), len(result.axes.duration.values)
    panels = []
    for variant in result.variants:
        points = result.of(variant)
        classes = []
        agreement = []
        for k in range(rows):
            line = points[k * cols : (k + 1) * cols]
            classes.append(tuple(p.cls for p in line))
            said = []
            for p in line:
                n = len(p.classes)
                agree = sum(c == p.cls for c in p.classes)
                said.append(f"{agree}/{n}" if p.cls is not None and agree < n else "")
            agreement.append(tuple(said))
        title = f"{variant}\n{class_counts_text(result.counts(variant))}"
        panels.append(PhasePanel(variant, title, tuple(classes), tuple(agreement)))
    return panels


def write_metastability(folder: Path, result: MetastabilityResult, *, title: str) -> list[str]:
    """Write metastability.csv, metastability.json and metastability.png into ``folder``.

    Returns:
        The names of the files written.
    """
    from sim.report.plots.canvas import save
    from sim.report.plots.metastability import phase_figure
    from sim.scenario.faultkinds import FAULT_KINDS

    write_table(folder / "metastability.csv", result.columns(), result.rows())
    (folder / "metastability.json").write_text(dump_json(result.to_json()), encoding="utf-8")
    axes = result.axes
    n = result.replications
    meaning = FAULT_KINDS[axes.kind].severity_meaning
    fig = phase_figure(
        phase_panels(result),
        durations=[duration_label(s) for s in axes.duration.sizes],
        magnitudes=list(axes.magnitude.values),
        x_label=f"how long: {axes.duration.key}",
        y_label=f"how strong: {axes.magnitude.key},\n{meaning}",
        title=(
            f"{title}: which {axes.kind} ('{axes.label}') each design survives, "
            f"{n} replication{'s' if n > 1 else ''} per point"
        ),
        note=(
            "Each cell is a point, classed by what most of its replications did in the last "
            "hour of the horizon, with the trigger gone (a tie goes to the worse class); "
            "stays-degraded: the backlog is not falling and goodput is below arrivals"
        ),
    )
    save(fig, folder / "metastability.png")
    return ["metastability.csv", "metastability.json", "metastability.png"]


def metastability_record(
    result: MetastabilityResult,
    *,
    run_id: str,
    command: Sequence[str],
    scenario_sha256: str,
    started: datetime,
    wall_s: float,
    executor: dict[str, Any],
    cache: str | None,
) -> dict[str, Any]:
    """run.json of a map (``kind: "metastability"``): what varies between identical maps."""
    return grid_run_json(
        "metastability",
        result,
        {
            "replications": result.replications,
            "fault": result.axes.index,
            "variants": list(result.variants),
        },
        points=len(result.points),
        stopped=[p.stop_reason for p in result.points if p.stop_reason],
        run_id=run_id,
        command=command,
        scenario_sha256=scenario_sha256,
        started=started,
        wall_s=wall_s,
        executor=executor,
        cache=cache,
    )
