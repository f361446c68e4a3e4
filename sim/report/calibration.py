"""Writing a calibration: the scenario, calibration.json, its data files and its figures.

Everything is built in memory and in temporary files first and then renamed into place, so a
failure leaves no half-written scenario. Beside ``<stem>.yaml``: ``<stem>.calibration.json``,
the CSV files its ``empirical(...)`` distributions name (``<stem>.ack-<system>.csv``,
``<stem>.after-<flow>-<class>.csv``; a previous calibration's that are no longer named are
removed), and ``<stem>.figures/<flow>.png``.
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

from sim.calibration.fit import Calibration
from sim.calibration.record import calibration_json
from sim.calibration.scenario_text import scenario_text

__all__ = ["figures_dir", "write_calibration"]


def figures_dir(out: Path) -> Path:
    """Where the figures of the scenario ``out`` go."""
    return out.with_name(f"{out.stem}.figures")


def _figures(cal: Calibration, target: Path) -> None:
    from sim.report.plots.calibration import flow_profile_png

    target.mkdir()
    first = cal.window.first.toordinal()
    for fid, flow in cal.flows.items():
        counts = flow.counts
        weekdays = [(first + day - 1) % 7 for day in range(len(counts.hourly))]
        key = flow.key
        note = "created by the replies to its orders: no profile of its own in the scenario"
        note = note if flow.replied_by else ""
        if counts.week is None:
            fits = {"mean day": counts.overall.value}
        else:
            factors = [est.value for est in counts.week]
            fits = {
                "mean Mon-Fri": counts.rate.value * sum(factors[:5]) / 5,
                "mean Sat-Sun": counts.rate.value * sum(factors[5:]) / 2,
            }
        flow_profile_png(
            target / f"{fid}.png",
            counts.hourly,
            weekdays,
            [est.value for est in counts.profile],
            fits,
            fitted=not flow.replied_by,
            title=f"{fid}: {key.source} -> {key.destination} {key.message}",
            note=note,
        )


def write_calibration(cal: Calibration, out: Path, extends: str | None = None) -> list[Path]:
    """Write the calibrated scenario at ``out`` and everything beside it.

    Args:
        cal: The fits.
        out: The scenario file; its stem is the scenario's name.
        extends: The ``extends`` value, as the file should hold it.

    Returns:
        The files and folder written, the scenario first.
    """
    name = out.stem
    text = scenario_text(cal, name, extends)
    files = {out: text.yaml, out.with_name(f"{name}.calibration.json"): calibration_json(cal, name)}
    files.update({out.with_name(file): data for file, data in text.data_files.items()})
    token = secrets.token_hex(4)
    staged: dict[Path, Path] = {}
    figures = figures_dir(out)
    figures_tmp = figures.with_name(f".{figures.name}.{token}.tmp")
    old = figures.with_name(f".{figures.name}.{token}.old")
    try:
        for path, content in files.items():
            tmp = path.with_name(f".{path.name}.{token}.tmp")
            tmp.write_text(content, encoding="utf-8")
            staged[path] = tmp
        _figures(cal, figures_tmp)
        for path, tmp in staged.items():
            os.replace(tmp, path)
        if figures.exists():
            os.rename(figures, old)
        os.rename(figures_tmp, figures)
        shutil.rmtree(old, ignore_errors=True)
        for pattern in (f"{name}.ack-*.csv", f"{name}.after-*.csv"):
            for stale in out.parent.glob(pattern):  # a previous calibration's, not named now
                if stale not in files:
                    stale.unlink()
    finally:
        for tmp in staged.values():
            tmp.unlink(missing_ok=True)
        shutil.rmtree(figures_tmp, ignore_errors=True)
    return [*files, figures]
