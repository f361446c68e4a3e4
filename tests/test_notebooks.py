"""The teaching notebooks run top to bottom in a fresh kernel and compute what their text says.

Each notebook is executed by nbclient with ``MPLBACKEND=Agg`` (as CI sets it), exactly as
``make notebooks`` executes it; any cell that raises fails the test. Its fresh outputs must hold
at least two figures, and its last cell's JSON (the values the text relies on) must agree with
queueing theory and with the directions the text claims. Marked ``notebook``: ``.ci/run``
runs them (about a minute and a half in all on 2 cores).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sim.teaching.notebooks import checks, execute, figures

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
NAMES = (
    "01-queues-and-littles-law.ipynb",
    "02-december-2017.ipynb",
    "03-strategies.ipynb",
    "04-capacity-planning.ipynb",
    "05-what-if.ipynb",
)


def _queues(c: dict[str, Any]) -> None:
    """01: the simulated waits agree with Erlang C and Pollaczek-Khinchine; Little's law."""
    assert c["curve_points"] == 6
    assert c["curve_inside_ci"] >= 5  # a 95 % interval may miss once in six
    assert c["curve_max_rel_error"] < 0.10
    low, high = c["mm3_ci95"]
    assert c["mm3_rel_error"] < 0.05
    assert low < c["mm3_wait_s"] < high
    assert c["mm3_erlang_c_wait_s"] == pytest.approx(0.6472 / 6, rel=1e-3)  # the file's header
    assert c["little_L"] == pytest.approx(c["little_lambda"] * c["little_W_s"], rel=0.02)
    assert c["pk_max_rel_error"] < 0.12
    pk = c["pk"]
    assert pk["theory/mg1-constant"]["pk"] == pytest.approx(0.200, rel=1e-6)
    assert pk["theory/mg1-lognormal"]["pk"] == pytest.approx(0.650, rel=1e-6)  # at ρ = 0.8
    waits = [pk[n]["sim"] for n in ("theory/mg1-constant", "theory/mm1", "theory/mg1-lognormal")]
    assert waits == sorted(waits)  # more variable service, longer waits at the same load
    assert c["md1_over_mm1"] == pytest.approx(0.5, abs=0.05)


def _december(c: dict[str, Any]) -> None:
    """02: λ·T on one channel; MedCom near λ·T, the order channels below it (paper), the
    results far above it (replies); the people's work outlasts the transport."""
    assert c["stall_fluid_backlog"] == pytest.approx(c["stall_rate"] * c["stall_length_s"])
    assert c["stall_sim_backlog"] == pytest.approx(c["stall_fluid_backlog"], rel=0.03)
    assert c["december_medcom_sim"] == pytest.approx(c["december_medcom_fluid"], rel=0.05)
    ratios = c["december_fluid_ratio"]
    for sid in ("labka", "ris", "ecg", "bloodbank"):
        assert 0.7 < ratios[sid] < 0.97, sid
    assert ratios["ehr"] > 2
    assert c["people_recovery_time_s"] > 2 * c["recovery_time_s"]
    assert c["ehr_peak_after_restore_s"] > 3600
    assert c["on_paper"] > 0 and c["clerk_hours"] > 0 and c["late_stat"] > 0


def _strategies(c: dict[str, Any]) -> None:
    """03: per-patient beats strict, bulkheads beat a shared queue, a breaker protects the
    healthy interfaces, immediate retry is metastable, the honest verdicts."""
    assert c["plugs"] >= 1
    assert c["recovery_four_connections_s"] < c["recovery_strict_s"] < c["recovery_shared_s"]
    assert c["recovery_drain_1_s"] > c["recovery_four_connections_s"]
    peaks = c["breaker_ris_peak"]
    assert peaks["a queue per destination"] <= peaks["shared + breaker"] < peaks["shared"]
    surge = c["surge"]
    assert surge["baseline"]["recovery_time_s"] is None
    assert surge["baseline"]["goodput_share"] < 0.2
    assert surge["jittered-backoff"]["goodput_share"] > 0.8
    assert surge["drain-9-5"]["recovery_time_s"] < surge["drain-8"]["recovery_time_s"]
    assert c["ranking"][-1] == "shared-queue"
    assert "four-connections" in c["not_distinguishable_from_best"]
    assert c["priority_recovery_distinguishable"] is False
    assert c["trade_offs"] == ["expire-to-paper"]


def _capacity(c: dict[str, Any]) -> None:
    """04: peaks near λ·T at every point; the plan's answer meets the target and the value
    below does not; the fluid model asks for no more than the plan."""
    for row in c["sweep"]:
        assert row["peak"] == pytest.approx(row["fluid_peak"], rel=0.08)
        if row["recovery_s"] is not None and row["fluid_drain_s"] is not None:
            assert row["recovery_s"] >= row["fluid_drain_s"]
    answer = c["plan_answer"]
    points = c["plan_points"]
    assert points[str(answer)]["verdict"] == "met"
    assert points[str(answer)]["bound"] < c["plan_target_s"]
    assert points[str(answer - 1)]["verdict"] != "met"
    assert c["fluid_answer"] <= answer == c["decision_answer"]


def _what_if(c: dict[str, Any]) -> None:
    """05: a longer stall, a larger peak (near λ·T per channel); more connections under
    per-patient order, a shorter recovery."""
    assert c["peak_4h"] > 1.5 * c["peak_2h"]
    for hours in ("2h", "4h"):
        for sid, expected in c[f"lambda_t_{hours}"].items():
            assert c[f"peaks_{hours}"][sid] == pytest.approx(expected, rel=0.08), (hours, sid)
    assert c["recovery_4_connections_s"] < c["recovery_1_connection_s"]
    assert c["recovery_drain_1_s"] > c["recovery_4_connections_s"]


EXPECTED: dict[str, Callable[[dict[str, Any]], None]] = {
    NAMES[0]: _queues,
    NAMES[1]: _december,
    NAMES[2]: _strategies,
    NAMES[3]: _capacity,
    NAMES[4]: _what_if,
}


class TestNotebookFiles:
    def test_the_notebooks_are_these(self) -> None:
        """The repository ships exactly the teaching notebooks these tests check."""
        assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == sorted(NAMES)

    @pytest.mark.parametrize("name", NAMES)
    def test_committed_with_outputs_and_checks(self, name: str) -> None:
        """A reader browsing the repository sees figures and numbers: the committed notebook
        holds its outputs and its checks, and they pass the same checks as a fresh run."""
        import nbformat

        notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
        assert figures(notebook) >= 2
        EXPECTED[name](checks(notebook))

    @pytest.mark.parametrize("name", NAMES)
    def test_figures_show_whatever_the_backend(self, name: str) -> None:
        """Figures are displayed inline (``%matplotlib inline`` and ``display``), never left
        to a backend that CI sets to Agg, and no notebook shells out."""
        import nbformat

        notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
        code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
        assert code[0].startswith("%matplotlib inline")
        source = "\n".join(code)
        assert "matplotlib.use(" not in source
        assert "subprocess" not in source and "\n!" not in source and "%%bash" not in source


@pytest.mark.notebook
@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_fresh_and_its_checks_hold(name: str) -> None:
    """Every cell runs in a fresh kernel under MPLBACKEND=Agg, at least two figures come out,
    and the computed values agree with theory and with the text."""
    notebook, _seconds = execute(NOTEBOOKS / name)
    assert figures(notebook) >= 2
    EXPECTED[name](checks(notebook))
