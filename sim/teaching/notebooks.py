"""Executing the teaching notebooks top to bottom, as ``make notebooks`` and the tests do.

``python -m sim.teaching.notebooks notebooks/*.ipynb`` runs each notebook in a fresh Jupyter
kernel with ``MPLBACKEND=Agg`` (as CI sets it: the notebooks must show their figures
whatever the backend), from the notebook's folder, and writes it back with its outputs, so a
reader sees every number and figure without running anything. Timings are not recorded in
the file: the same notebook gives the same outputs.

Each notebook ends with a cell that prints its checks as one JSON object (the computed values
its prose relies on); :func:`checks` reads it back, :func:`figures` counts the figures.
nbformat and nbclient (the ``test`` extra) are imported only here.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["checks", "execute", "figures", "main"]

TIMEOUT_S = 300
"""The longest one cell may run (the notebooks take well under a minute in all)."""


def execute(path: Path, *, timeout: int = TIMEOUT_S) -> tuple[Any, float]:
    """Run the notebook at ``path`` top to bottom in a fresh ``python3`` kernel.

    Returns:
        The executed notebook (an nbformat node; not written) and the wall-clock seconds.
        (:func:`main` also reports the CPU seconds of the kernel: on a shared machine the
        wall clock says more about the other users.)

    Raises:
        nbclient.exceptions.CellExecutionError: A cell raised; the message names it.
    """
    import nbformat
    from nbclient import NotebookClient

    os.environ["MPLBACKEND"] = "Agg"
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    started = time.perf_counter()
    client.execute()
    return notebook, time.perf_counter() - started


def _outputs(cell: Any) -> list[Any]:
    return list(cell.get("outputs", []))


def figures(notebook: Any) -> int:
    """The figures (PNG images) in the notebook's outputs."""
    return sum(
        1
        for cell in notebook.cells
        for output in _outputs(cell)
        if "image/png" in output.get("data", {})
    )


def checks(notebook: Any) -> dict[str, Any]:
    """The JSON object the notebook's last code cell printed.

    Raises:
        ValueError: The last code cell printed no JSON object.
    """
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    if not code:
        raise ValueError("the notebook has no code cell")
    text = "".join(
        output.get("text", "")
        for output in _outputs(code[-1])
        if output.get("output_type") == "stream"
    )
    try:
        found = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"the last code cell printed no JSON object: {text[:200]!r}") from exc
    if not isinstance(found, dict):
        raise ValueError(f"the last code cell printed {type(found).__name__}, not an object")
    return found


def main(argv: Sequence[str] | None = None) -> int:
    """Execute each notebook named on the command line and write it back with its outputs."""
    import nbformat

    paths = [Path(p) for p in (sys.argv[1:] if argv is None else argv)]
    if not paths:
        print("usage: python -m sim.teaching.notebooks NOTEBOOK.ipynb ...", file=sys.stderr)
        return 2
    for path in paths:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        notebook, seconds = execute(path)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        nbformat.write(notebook, path)
        print(
            f"{path}: {seconds:.1f} s wall, {cpu:.1f} s CPU of the kernel, "
            f"{figures(notebook)} figures, {len(checks(notebook))} checks"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
