"""Smoke tests of the benchmark harness (`python -m benchmarks --quick`): it runs end to end on
tiny sizes, its M/M/3 check against Erlang C passes (and fails on a wrong answer), and the
results file has every section.  No timing is asserted: the figures of a quick run mean
nothing, and the machine is shared."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from benchmarks.__main__ import main, parse
from benchmarks.common import Sizes, rotated
from benchmarks.heapq_mm3 import MmcLoop, simulate_mmc
from benchmarks.lockstep import Turn, run_lockstep
from benchmarks.mm3 import Contender, Mm3Result, check_erlang_c, theory_wait, tolerance
from benchmarks.report import SECTIONS


@pytest.fixture(scope="module")
def quick_results(tmp_path_factory: pytest.TempPathFactory) -> str:
    """RESULTS-style text of one `--quick` run (every measurement, tiny sizes)."""
    out = tmp_path_factory.mktemp("bench") / "RESULTS.md"
    assert main(["--quick", "--out", str(out)]) == 0
    return out.read_text(encoding="utf-8")


def test_quick_run_has_every_section_in_order(quick_results: str) -> None:
    positions = [quick_results.index(section + "\n") for section in SECTIONS]
    assert positions == sorted(positions)


def test_quick_run_reports_machine_targets_and_erlang_c(quick_results: str) -> None:
    for needle in ("| nproc |", "| CPU |", "| Python |", "numpy / simpy / ciw", "| date |",
                   "| simulation core |"):  # fmt: skip
        assert needle in quick_results
    for target in ("engine / Ciw", "bare heapq loop", "Backlog", "December replay",
                   "Peak memory", "Parallel efficiency"):  # fmt: skip
        assert target in quick_results.split("## Targets", 1)[1].split("## Profile", 1)[0]
    assert "**passed**" in quick_results
    assert "`--quick`" in quick_results


def test_quick_run_reads_both_message_logs(quick_results: str) -> None:
    section = quick_results.split("## Message logs\n", 1)[1].split("## Where", 1)[0]
    assert re.search(
        r"\| HL7 v2 \(MLLP\) \| [\d,]+ messages, .* \| \*\*[\d,]+ messages\*\* \|", section
    )
    assert re.search(r"\| CSV \| [\d,]+ rows, .* \| \*\*[\d,]+ rows\*\* \|", section)
    assert "Every read was checked" in section


def test_heapq_loop_is_an_mm3() -> None:
    result = simulate_mmc(2.0, 1 / 1.2, 3, horizon=60_000.0, warmup=1_000.0, seed=3)
    assert result.completed > 0.95 * 2.0 * 60_000.0
    assert result.mean_wait == pytest.approx(theory_wait(), rel=tolerance(result.waited))


def _fake(wait: float) -> Mm3Result:
    result = Mm3Result(1000.0, 0.0, theory_wait(), tolerance(200_000))
    contender = Contender("engine", 1000, 1.0, wait)
    result.reps.append({"engine": contender, "ciw": contender, "heapq": contender})
    return result


def test_erlang_c_check_fails_on_a_wrong_answer() -> None:
    check_erlang_c(_fake(theory_wait() * 1.01))
    with pytest.raises(AssertionError, match="off Erlang C"):
        check_erlang_c(_fake(theory_wait() * 1.5))
    with pytest.raises(AssertionError):
        check_erlang_c(_fake(float("nan")))


def test_sizes_and_rotation() -> None:
    full = Sizes.full()
    assert full.min_messages >= 1_000_000 and full.min_backlog >= 100_000
    assert full.mm3_horizon_s * 2.0 >= 1_000_000
    assert full.memory_horizons == ("1d", "7d", "30d")
    assert full.december_replications == 20
    assert rotated(["a", "b", "c"], 1) == ["b", "c", "a"]


def test_results_file_is_where_the_issue_wants_it() -> None:
    """`python -m benchmarks` writes benchmarks/RESULTS.md by default, the committed file there
    is a full (not `--quick`) run with every section in order, and the README links it."""
    root = Path(__file__).resolve().parent.parent
    results = root / "benchmarks" / "RESULTS.md"
    assert parse([]).out == results
    assert parse(["--quick"]).out == results
    text = results.read_text(encoding="utf-8")
    positions = [text.index(section + "\n") for section in SECTIONS]
    assert positions == sorted(positions)
    assert "`--quick`" not in text
    assert "](benchmarks/RESULTS.md)" in (root / "README.md").read_text(encoding="utf-8")


def test_loop_in_slices_is_the_loop_in_one() -> None:
    sliced = MmcLoop(2.0, 1 / 1.2, 3, 100.0, seed=5)
    for i in range(1, 11):
        sliced.advance(500.0 * i)
    assert sliced.result() == simulate_mmc(2.0, 1 / 1.2, 3, 5_000.0, 100.0, seed=5)


@dataclass(frozen=True)
class _Steps:
    """A contender that writes each of its steps to a shared log (picklable for spawn)."""

    name: str
    steps: int
    log: str
    fail: bool = False

    def __call__(self, turn: Turn) -> str:
        for i in range(self.steps):
            with open(self.log, "a", encoding="utf-8") as f:
                f.write(f"{self.name}{i} ")
            if self.fail:
                raise ValueError("boom")
            turn()
        return self.name


def test_lockstep_takes_turns_and_skips_the_finished(tmp_path: Path) -> None:
    log = tmp_path / "log"
    out = run_lockstep(
        [_Steps("a", 3, str(log)), _Steps("b", 1, str(log)), _Steps("c", 2, str(log))]
    )
    assert out == ["a", "b", "c"]
    assert log.read_text().split() == ["a0", "b0", "c0", "a1", "c1", "a2"]


def test_lockstep_reports_a_contenders_error(tmp_path: Path) -> None:
    log = str(tmp_path / "log")
    with pytest.raises(RuntimeError, match="boom"):
        run_lockstep([_Steps("a", 2, log), _Steps("b", 2, log, fail=True)])


def test_log_benchmark_check_fails_on_a_wrong_read(tmp_path: Path) -> None:
    from benchmarks.logs import _check, write_logs
    from sim.logs.entry import ORPHAN_ACK, LogProblem
    from sim.logs.read import read_logs

    written = write_logs(tmp_path, 400)
    assert written.messages >= 400 and written.acks == written.messages - written.originals
    log = read_logs([written.hl7])
    _check("hl7", log, written)
    _check("csv", read_logs([written.csv]), written)
    with pytest.raises(AssertionError, match="hl7 log read as"):
        _check("hl7", read_logs([written.hl7, written.hl7]), written)
    log.problems.append(LogProblem(ORPHAN_ACK, "f", 1, "x"))
    with pytest.raises(AssertionError):
        _check("hl7", log, written)
