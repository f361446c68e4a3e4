"""The teaching notebooks run top to bottom and say what they should."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).parents[1] / "notebooks").glob("*.ipynb"))


def _text(nb: nbformat.NotebookNode) -> str:
    out = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            out.append(output.get("text", ""))
    return "".join(out)


class TestNotebooks:
    def test_there_are_notebooks(self) -> None:
        """The repository ships at least one teaching notebook."""
        assert NOTEBOOKS

    @pytest.mark.notebook
    @pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
    def test_notebook_runs_without_errors(self, path: Path) -> None:
        """Every cell runs; the first notebook's checks come out as the text promises."""
        nb = nbformat.read(path, as_version=4)
        NotebookClient(nb, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()  # fmt: skip
        text = _text(nb)
        if path.name.startswith("01-"):
            assert "within 5%" in text
            assert "backlog at the end of the stall" in text
            assert "late STAT orders" in text
