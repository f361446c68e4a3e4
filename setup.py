"""Build ehrsim, compiling its simulation core to C with mypyc when it can.

The core (``sim/model``, ``sim/strategies``, the histograms and the random streams) is strictly
typed Python. mypyc compiles those same files into C extensions that run it about four times
as fast, with identical results: the determinism fingerprints hold for both. Everything else
stays Python.

- ``EHRSIM_PURE_PYTHON=1`` builds without compiling.
- A build that cannot compile (no C compiler, say) warns and installs pure Python.
- Next to the extensions the build writes ``sim/_compiled_sources.json``, the hash of every
  compiled source, so that ``sim._compiled`` runs the sources instead of an out-of-date build.
- A wheel carries the shipped scenarios as ``sim/_scenarios``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from setuptools import setup
from setuptools.command.build_ext import build_ext
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SOURCES_FILE = "_compiled_sources.json"


def core_sources() -> list[str]:
    """The modules mypyc compiles, as paths relative to the project (package inits excluded)."""
    paths = [*sorted((ROOT / "sim" / "model").glob("*.py"))]
    paths += sorted((ROOT / "sim" / "strategies").glob("*.py"))
    paths += [ROOT / "sim" / "metrics" / "histogram.py", ROOT / "sim" / "rng.py"]
    return [p.relative_to(ROOT).as_posix() for p in paths if p.name != "__init__.py"]


def source_hashes(paths: list[str]) -> dict[str, str]:
    """{module name: sha256 of its source}, the record sim._compiled checks the build against."""
    return {
        p[: -len(".py")].replace("/", "."): hashlib.sha256((ROOT / p).read_bytes()).hexdigest()
        for p in paths
    }


def compiled_extensions() -> list[Any]:
    """mypyc's extensions for the core, or none when asked for pure Python or mypyc is absent."""
    if os.environ.get("EHRSIM_PURE_PYTHON", "") not in ("", "0"):
        print("ehrsim: EHRSIM_PURE_PYTHON is set; the core stays pure Python", file=sys.stderr)
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        print("ehrsim: mypyc is not installed; the core stays pure Python", file=sys.stderr)
        return []
    cwd = os.getcwd()
    os.chdir(ROOT)  # mypyc reads [tool.mypy] from pyproject.toml in the current folder
    try:
        return list(mypycify(core_sources(), opt_level="3", group_name="sim.core"))
    finally:
        os.chdir(cwd)


class BuildCore(build_ext):
    """Compile the core; on failure, warn, remove what was built, and install pure Python."""

    def run(self) -> None:
        if not self.extensions:
            return
        try:
            super().run()
        except Exception as exc:  # a compiler error must not stop the install
            for built in self.get_outputs():
                Path(built).unlink(missing_ok=True)
            print(
                f"ehrsim: WARNING: compiling the core failed ({exc}); "
                "it is installed as pure Python (about a quarter of the speed)",
                file=sys.stderr,
            )
            return
        target = ROOT / "sim" if self.inplace else Path(self.build_lib) / "sim"
        target.mkdir(parents=True, exist_ok=True)
        record = json.dumps(source_hashes(core_sources()), indent=1, sort_keys=True)
        (target / SOURCES_FILE).write_text(record + "\n")

    def get_outputs(self) -> list[str]:
        outputs: list[str] = super().get_outputs()
        if self.extensions:
            target = ROOT / "sim" if self.inplace else Path(self.build_lib) / "sim"
            outputs.append(str(target / SOURCES_FILE))
        return outputs


class BuildPy(build_py):
    """Copy the top-level ``scenarios/`` into the package as ``sim/_scenarios``."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads scenarios/ beside the package
        target = Path(self.build_lib) / "sim" / "_scenarios"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(ROOT / "scenarios", target)


setup(
    ext_modules=compiled_extensions(),
    cmdclass={"build_ext": BuildCore, "build_py": BuildPy},
)
