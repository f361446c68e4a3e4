"""The compiled core: the same answers as the Python sources, and never out of date."""

from __future__ import annotations

import hashlib
import importlib.machinery
import json
import os
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

import sim._compiled as compiled
from tests.determinism.fingerprints import FILE as FINGERPRINTS

ROOT = Path(__file__).resolve().parent.parent


def python(code: str, **env: str) -> str:
    """Run `code` in a fresh interpreter at the project root; its stdout."""
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "EHRSIM_PURE_PYTHON": "", **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return proc.stdout.strip()


class TestBothCoresAgree:
    @pytest.mark.parametrize("name", ["poison-message", "theory/stall"])
    def test_the_python_sources_give_the_fingerprint(self, name: str) -> None:
        """Forced onto the Python sources, a run hashes to the reviewed fingerprint, as the
        compiled core does in the determinism tests."""
        if not compiled.is_compiled():
            pytest.skip("this session runs the Python sources: tests/determinism checks them")
        out = python(
            "import sim._compiled as c; "
            "from tests.determinism.fingerprints import fingerprint, headlines; "
            f"print(c.is_compiled(), fingerprint(headlines({name!r})))",
            EHRSIM_PURE_PYTHON="1",
        )
        assert out == f"False {json.loads(FINGERPRINTS.read_text())[name]}"

    @pytest.mark.parametrize("name", ["december-2017", "node-crash-memory-store"])
    def test_whole_summaries_are_byte_identical(self, name: str) -> None:
        """summary.json of a short run is the same bytes from the sources as from this
        process's core (compiled where it was built): no int turned float, nothing rounded."""
        code = (
            "import hashlib, sim._compiled as c; "
            "from sim import load_scenario, run; from sim.report.results import dump_json; "
            f"s = load_scenario({name!r}, sets=['horizon=14h', 'warmup=1h']); "
            "print(hashlib.sha256(dump_json(run(s, replications=2).summary).encode()).hexdigest())"
        )
        here = python(code)
        assert python(code, EHRSIM_PURE_PYTHON="1") == here
        if compiled.recorded():
            assert python("import sim._compiled as c; print(c.is_compiled())") == "True"

    def test_a_built_core_is_the_one_that_runs(self) -> None:
        """Where the core was compiled, a fresh process runs it; EHRSIM_PURE_PYTHON opts out."""
        if not compiled.recorded():
            pytest.skip("this install is pure Python (EHRSIM_PURE_PYTHON=1 or no compiler)")
        assert compiled.stale_sources() == []
        code = "import sim._compiled as c; print(c.is_compiled(), c.CORE_FROM_SOURCES)"
        assert python(code) == "True False"
        assert python(code, EHRSIM_PURE_PYTHON="1") == "False True"


@pytest.fixture
def fake_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Path]]:
    """A package `fakecore` whose `mod` has a 'compiled' file that cannot load, and a record."""
    monkeypatch.delenv("EHRSIM_PURE_PYTHON", raising=False)  # the tests choose it themselves
    pkg = tmp_path / "fakecore"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    source = pkg / "mod.py"
    source.write_text("ANSWER = 42\n")
    (pkg / f"mod{importlib.machinery.EXTENSION_SUFFIXES[0]}").write_bytes(b"not an extension")
    record = tmp_path / "record.json"
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    record.write_text(json.dumps({"fakecore.mod": digest}))
    meta_path = list(sys.meta_path)
    sys.path.insert(0, str(tmp_path))
    try:
        yield record, source
    finally:
        sys.path.remove(str(tmp_path))
        sys.meta_path[:] = meta_path
        for name in ("fakecore", "fakecore.mod"):
            sys.modules.pop(name, None)


class TestStaleBuilds:
    def test_current_sources_keep_the_build(self, fake_build: tuple[Path, Path]) -> None:
        """Sources that hash as recorded are not stale, and the build is kept."""
        record, source = fake_build
        assert compiled.stale_sources(record, source.parent.parent) == []
        assert compiled.choose_core(record, source.parent.parent) is False
        with pytest.raises(ImportError):
            __import__("fakecore.mod")  # the 'compiled' file is what Python loads

    def test_an_edited_source_runs_instead_of_the_old_build(
        self, fake_build: tuple[Path, Path]
    ) -> None:
        """After an edit, the module loads from its source, with a warning that says why."""
        record, source = fake_build
        source.write_text("ANSWER = 43\n")
        assert compiled.stale_sources(record, source.parent.parent) == ["fakecore.mod"]
        with pytest.warns(compiled.StaleBuildWarning, match=r"older than fakecore\.mod"):
            assert compiled.choose_core(record, source.parent.parent) is True
        mod = __import__("fakecore.mod", fromlist=["ANSWER"])
        assert mod.ANSWER == 43

    def test_pure_python_on_request(
        self, fake_build: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """EHRSIM_PURE_PYTHON=1 routes current modules to their sources, without a warning."""
        record, source = fake_build
        monkeypatch.setenv("EHRSIM_PURE_PYTHON", "1")
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert compiled.choose_core(record, source.parent.parent) is True
        assert __import__("fakecore.mod", fromlist=["ANSWER"]).ANSWER == 42

    def test_no_record_means_nothing_was_compiled(self, tmp_path: Path) -> None:
        """Without a record (a pure install) nothing is routed, and a broken record is none."""
        assert compiled.choose_core(tmp_path / "missing.json", tmp_path) is False
        (tmp_path / "broken.json").write_text("{not json")
        assert compiled.recorded(tmp_path / "broken.json") == {}
