"""Which core runs: the mypyc-compiled extensions, or the Python sources they were built from.

`setup.py` compiles the simulation core and records the hash of every source it compiled in
``_compiled_sources.json``. Python would import a compiled module even after its source has
changed (an editable checkout after an edit or a ``git checkout``), running old code without
a word. So, before anything of the core is imported, this module checks the record against
the sources, and when one differs, or ``EHRSIM_PURE_PYTHON`` is set, it has every compiled
module load from its source instead: all of them, since compiled modules only work together.
Results are the same either way; only the speed differs.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import os
import sys
import warnings
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType

__all__ = ["CORE_FROM_SOURCES", "StaleBuildWarning", "choose_core", "is_compiled", "stale_sources"]

RECORD = Path(__file__).resolve().parent / "_compiled_sources.json"
ROOT = RECORD.parent.parent


class StaleBuildWarning(UserWarning):
    """The compiled core is older than its sources, so the sources run (slower)."""


class _SourceFinder:
    """Loads the listed modules from their ``.py`` files, never from an extension."""

    def __init__(self, modules: dict[str, Path]) -> None:
        self.modules = modules

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        source = self.modules.get(fullname)
        if source is None:
            return None
        return importlib.util.spec_from_file_location(
            fullname, source, loader=importlib.machinery.SourceFileLoader(fullname, str(source))
        )


def _source_of(module: str, root: Path) -> Path:
    return root.joinpath(*module.split(".")).with_suffix(".py")


def recorded(record: Path = RECORD) -> dict[str, str]:
    """{module: source hash} of the last compilation, or {} when the core is not compiled."""
    try:
        data = json.loads(record.read_text())
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def stale_sources(record: Path = RECORD, root: Path = ROOT) -> list[str]:
    """Compiled modules whose source has changed since the build (a missing source is not)."""
    stale = []
    for module, digest in sorted(recorded(record).items()):
        source = _source_of(module, root)
        if source.is_file() and hashlib.sha256(source.read_bytes()).hexdigest() != digest:
            stale.append(module)
    return stale


def choose_core(record: Path = RECORD, root: Path = ROOT) -> bool:
    """Run the compiled core if it is built and current; else route its modules to the sources.

    Returns whether the sources were chosen over a compiled build. It must run before the core
    is imported: importing ``sim`` runs it once.
    """
    modules = recorded(record)
    if not modules:
        return False
    pure = os.environ.get("EHRSIM_PURE_PYTHON", "") not in ("", "0")
    if not pure:
        stale = stale_sources(record, root)
        if not stale:
            return False
        shown = ", ".join(stale[:3]) + (f" and {len(stale) - 3} more" if len(stale) > 3 else "")
        warnings.warn(
            f"ehrsim: the compiled core is older than {shown}; running the Python sources "
            "(same results, about a quarter of the speed). `make core` or a reinstall recompiles "
            "it.",
            StaleBuildWarning,
            stacklevel=2,
        )
    finder = _SourceFinder({m: _source_of(m, root) for m in modules})
    sys.meta_path.insert(0, finder)
    return True


CORE_FROM_SOURCES = choose_core()
"""Whether this process routed a compiled core to its sources (stale, or EHRSIM_PURE_PYTHON)."""


def is_compiled() -> bool:
    """Whether the simulation core that runs in this process is the compiled one."""
    from sim.model import world

    return not str(getattr(world, "__file__", "")).endswith(".py")
