"""Hostile and mistaken scenario files through `ehrsim run`: exit 2, a message that says what
and where, and no results folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app

GOOD = """\
name: tiny
horizon: 2h
flows:
  orders: {from: ehr, to: lab, rate: 100/h, reply: {flow: results, after: exponential(30min)}}
  results: {from: lab, to: ehr}
systems:
  lab: {ack: exponential(100ms)}
  ehr: {ack: constant(50ms)}
"""

# (case, file text or bytes, a fragment the message must contain, the line it names)
CASES: list[tuple[str, str | bytes, str, int]] = [
    ("wrong unit", GOOD.replace("rate: 100/h", "rate: 100/week"), "unknown unit '/week'", 4),
    ("plain number duration", GOOD.replace("horizon: 2h", "horizon: 7200"), "horizon", 2),
    ("negative rate", GOOD.replace("rate: 100/h", "rate: -100/h"), "rate", 4),
    (
        "shares not summing to 1",
        GOOD.replace("rate: 100/h,", "rate: 100/h, priority: {stat: 0.5, routine: 0.4},"),
        "add up to 0.9, not 1",
        4,
    ),
    ("unknown key", GOOD + "colour: blue\n", "unknown key 'colour'", 9),
    ("misspelt key", GOOD.replace("horizon:", "horizn:"), "did you mean 'horizon'", 2),
    ("unknown system", GOOD.replace("to: lab,", "to: labb,"), "did you mean 'lab'", 4),
    ("yaml syntax error", GOOD.replace("horizon: 2h", "horizon: [2h"), "YAML syntax error", 3),
    (
        "list where a mapping belongs",
        GOOD.split("systems:")[0] + "systems: [lab, ehr]\n",
        "mapping",
        6,
    ),
    ("NaN", GOOD.replace("rate: 100/h", "rate: .nan"), "rate", 4),
    ("python object tag", GOOD + "x: !!python/object:os.system {}\n", "python", 9),
    (
        "billion laughs",
        "name: bomb\nhorizon: 1h\n"
        + "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n"
            for i in range(8)
        ),
        "budget protects against alias bombs",
        8,
    ),
    ("empty file", "", "empty", 1),
    ("binary file", b"\x00\x01\x02\xff\xfe binary", "", 1),
    ("not utf-8", "name: caf\u00e9\nhorizon: 2h\n".encode("latin-1"), "UTF-8", 1),
]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["run", *args])
    return result.exit_code, result.output


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


class TestBadFiles:
    @pytest.mark.parametrize(("case", "text", "fragment", "line"), CASES, ids=[c[0] for c in CASES])
    def test_bad_scenario_exits_2_names_file_and_line_and_writes_nothing(
        self, here: Path, case: str, text: str | bytes, fragment: str, line: int
    ) -> None:
        """Each kind of bad file: exit 2, `file:line` and what is wrong, no results folder."""
        path = here / "s.yaml"
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text)
        code, out = run(str(path))
        assert code == 2, out
        assert f"s.yaml:{line}:" in out, out
        assert fragment.lower() in out.lower(), out
        assert "Traceback" not in out
        assert not (here / "results").exists()

    def test_a_directory_is_refused(self, here: Path) -> None:
        """A folder given as the scenario is an error naming it, not a traceback."""
        (here / "folder.yaml").mkdir()
        code, out = run(str(here / "folder.yaml"))
        assert code == 2 and "folder.yaml" in out and "Traceback" not in out
        assert not (here / "results").exists()

    def test_a_missing_extends_file_is_named_at_its_line(self, here: Path) -> None:
        """`extends` of a file that is not there names the extends line."""
        (here / "s.yaml").write_text("extends: nowhere.yaml\n" + GOOD)
        code, out = run(str(here / "s.yaml"))
        assert code == 2 and "s.yaml:1:" in out and "nowhere.yaml" in out

    def test_an_extends_cycle_is_refused(self, here: Path) -> None:
        """Two files extending each other are an error at the extends line."""
        (here / "a.yaml").write_text("extends: b.yaml\n" + GOOD)
        (here / "b.yaml").write_text("extends: a.yaml\npartial: true\n")
        code, out = run(str(here / "a.yaml"))
        assert code == 2 and "cycle" in out.lower() and ".yaml:1:" in out

    def test_an_extends_chain_too_deep_is_refused(self, here: Path) -> None:
        """A chain of ten extends is refused (the limit is 8)."""
        for i in range(10):
            (here / f"f{i}.yaml").write_text(f"extends: f{i + 1}.yaml\npartial: true\n")
        (here / "f10.yaml").write_text(GOOD.replace("name: tiny", "partial: true\nname: tiny"))
        (here / "s.yaml").write_text("extends: f0.yaml\nname: deep\n")
        code, out = run(str(here / "s.yaml"))
        assert code == 2 and "8" in out and ":1:" in out

    def test_a_bad_trace_row_is_named_by_its_row(self, here: Path) -> None:
        """A trace CSV with a bad row names the CSV and the row."""
        (here / "t.csv").write_text("time,priority,patient\n0,routine,1\nsoon,routine,2\n")
        (here / "s.yaml").write_text(GOOD.replace("rate: 100/h,", "trace: t.csv,"))
        code, out = run(str(here / "s.yaml"))
        assert code == 2 and "t.csv:3:" in out
