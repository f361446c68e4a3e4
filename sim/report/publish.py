"""Writing a results folder's report: report.html, report.md and report-figures/.

:func:`write_report` reads the folder (:func:`sim.report.folder.read_folder`), builds the
content and renders every requested format in memory first: a folder that cannot be reported
on raises :class:`~sim.report.folder.ReportError` before anything is written. Each file is
then written to a temporary name beside it and renamed into place, and report-figures/ is
built aside and swapped in, so a reader never sees half a report. ``ehrsim report`` calls it
on a finished folder; ``run``, ``compare``, ``sweep``, ``plan`` and ``metastability`` with
``--report`` on the folder being staged, before it is renamed into place.
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Final

from sim.files import write_replacing
from sim.report.folder import ReportError, read_folder
from sim.report.markdown import FIGURES_DIR, TIMELINE

if TYPE_CHECKING:
    from collections.abc import Callable

    from sim.report.content import Report
    from sim.report.folder import ResultsFolder

__all__ = ["FORMATS", "REPORT_HTML", "REPORT_MD", "build_report", "write_report"]

FORMATS: Final = ("html", "md", "both")
"""The formats ``--format`` accepts: HTML, Markdown, or both."""
REPORT_HTML: Final = "report.html"
REPORT_MD: Final = "report.md"


def _builders() -> dict[str, Callable[[ResultsFolder], Report]]:
    """Each kind's content builder (imported when a report is built)."""
    from sim.report.compare_content import compare_report
    from sim.report.metastability_content import metastability_report
    from sim.report.plan_content import plan_report
    from sim.report.run_content import run_report
    from sim.report.sweep_content import sweep_report

    return {
        "run": run_report,
        "compare": compare_report,
        "sweep": sweep_report,
        "plan": plan_report,
        "metastability": metastability_report,
    }


def build_report(folder: ResultsFolder) -> Report:
    """The report's content for a results folder of any kind :mod:`sim.report.folder` reads.

    Raises:
        ReportError: The folder's files do not hold what ehrsim writes (a key missing, a
            value of the wrong type).
    """
    from sim.report.folder import DATA_FILES

    try:
        return _builders()[folder.kind](folder)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        raise ReportError(
            f"{folder.path}: {DATA_FILES[folder.kind]} or run.json does not hold what ehrsim "
            f"{folder.kind} writes ({type(exc).__name__}: {exc})"
        ) from None


def _write_figures(target: Path, files: dict[str, Path | str]) -> None:
    """Fill ``target`` with ``files`` (name -> a file to copy, or a text), built aside and
    swapped in whole."""
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    old = target.with_name(f".{target.name}.{secrets.token_hex(4)}.old")
    try:
        tmp.mkdir()
        for name, source in files.items():
            if isinstance(source, Path):
                shutil.copyfile(source, tmp / name)
            else:
                (tmp / name).write_text(source, encoding="utf-8")
        if target.exists():
            os.rename(target, old)
        try:
            os.rename(tmp, target)
        except OSError:
            if old.exists():
                os.rename(old, target)  # the previous figures stay, whole
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)


def write_report(path: Path, fmt: str = "html", *, version: str | None = None) -> list[Path]:
    """Write the report of the results folder ``path``; return the files written.

    Args:
        path: A folder written by ``ehrsim run``, ``compare``, ``sweep``, ``plan`` or
            ``metastability``.
        fmt: ``html`` (report.html), ``md`` (report.md and report-figures/) or ``both``.
        version: ehrsim's version for the footer (default: the package's).

    Raises:
        ReportError: Not a results folder, a kind the report does not read, a file that does
            not parse (nothing is written then).
        ValueError: An unknown format.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")
    if version is None:
        import sim

        version = sim.__version__
    folder = read_folder(path)
    report = build_report(folder)
    html = md = None
    if fmt in ("html", "both"):
        from sim.report.html import render_html

        html = render_html(report, path, version)
    figures: dict[str, Path | str] = {}
    if fmt in ("md", "both"):
        from sim.report.html import render_svg
        from sim.report.markdown import render_markdown

        md = render_markdown(report, version)
        figures = {f.name: path / f.name for f in report.figures}
        if report.timeline is not None:
            figures[TIMELINE] = render_svg(report.timeline, standalone=True)
    written = []
    if html is not None:
        write_replacing(path / REPORT_HTML, html)
        written.append(path / REPORT_HTML)
    if md is not None:
        _write_figures(path / FIGURES_DIR, figures)
        write_replacing(path / REPORT_MD, md)
        written += [path / REPORT_MD, path / FIGURES_DIR]
    return written
