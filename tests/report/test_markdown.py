"""The Markdown report parses as Markdown: its tables are tables with the expected header
and rows, and every link and image points to a file beside it."""

from __future__ import annotations

from typing import Any

import pytest
from markdown_it.token import Token

from sim.report.content import figure_text
from sim.report.folder import FIGURES
from sim.report.run_content import HEADLINES
from sim.report.tables import human_count
from tests.report.conftest import Folders, read_json
from tests.report.parse import plain, table, tables, targets, tokens


@pytest.fixture(scope="module")
def run_doc(folders: Folders) -> list[Token]:
    return tokens(folders.run / "report.md")


@pytest.fixture(scope="module")
def compare_doc(folders: Folders) -> list[Token]:
    return tokens(folders.compare / "report.md")


class TestRunMarkdown:
    @pytest.fixture
    def doc(self, run_doc: list[Token]) -> list[Token]:
        return run_doc

    def test_headline_table(self, doc: list[Token], folders: Folders) -> None:
        """A row per headline figure, its value as the HTML shows it."""
        header, rows = table(doc, "figure")
        assert header == ["figure", "value", "95 % interval", "what it is"]
        assert [r[0] for r in rows] == [label for _, label in HEADLINES]
        summary: dict[str, Any] = read_json(folders.run / "summary.json")
        delivered = rows[[p for p, _ in HEADLINES].index("messages.delivered")]
        assert plain(delivered[1]) == figure_text(
            "messages.delivered", summary["messages"]["delivered"]
        )

    def test_destination_table(self, doc: list[Token], folders: Folders) -> None:
        """A row per destination in summary.json's order, with its peak backlog."""
        header, rows = table(doc, "system")
        assert header == [
            "system",
            "peak backlog",
            "at",
            "oldest age",
            "wait mean",
            "wait p95",
            "recovery",
        ]
        queues = read_json(folders.run / "summary.json")["queues"]
        assert [r[0] for r in rows] == list(queues) == ["lab", "ehr", "ris"]
        assert [plain(r[1]) for r in rows] == [
            human_count(q["peak_backlog"]) for q in queues.values()
        ]

    def test_late_orders_and_people(self, doc: list[Token]) -> None:
        """Late orders by class (three rows) and the people's work (six rows)."""
        header, rows = table(doc, "class")
        assert header == ["class", "late orders", "95 % CI", "share of decided orders"]
        assert [r[0] for r in rows] == ["STAT", "urgent", "routine"]
        people = [t for t in tables(doc) if t[0][1:] == ["value", "95 % CI"]]
        assert len(people) == 1 and len(people[0][1]) == 6
        assert people[0][1][0][0] == "clerk hours (back-entry and reconciliation)"

    def test_scenario_tables(self, doc: list[Token]) -> None:
        """The flows and the channels with their effective strategy."""
        header, rows = table(doc, "flow")
        assert [r[0] for r in rows] == ["orders", "results", "imaging"]
        assert [plain(r[1]) for r in rows] == ["ehr → lab", "lab → ehr", "ehr → ris"]
        header, rows = table(doc, "destination")
        assert header[-1] == "strategy"
        assert {r[0]: r[-1] for r in rows} == dict.fromkeys(
            ["lab", "ehr", "ris"], "per-patient, fifo, retry every 30s"
        )

    def test_every_link_and_image_exists(self, doc: list[Token], folders: Folders) -> None:
        """The figures and the fault timeline, relative to report.md, all on disk."""
        found = targets(doc)
        present = [f.name for f in FIGURES["run"] if (folders.run / f.name).is_file()]
        assert sorted(found) == sorted(f"report-figures/{n}" for n in [*present, "faults.svg"])
        for target in found:
            assert (folders.run / target).is_file(), target
        assert "report-figures/faults.svg" in found


class TestCompareMarkdown:
    @pytest.fixture
    def doc(self, compare_doc: list[Token]) -> list[Token]:
        return compare_doc

    def test_ranking_table(self, doc: list[Token], folders: Folders) -> None:
        """The ranking: what it ranks by in the header, a row per variant best first, the
        trade-off's price in its column."""
        data = read_json(folders.compare / "summary.json")
        header, rows = table(doc, "#")
        assert header == [
            "#", "variant", "recovery time", "95 % interval", "vs best (paired)", "Pareto",
            "wins by giving up", "recovered", "failed hypotheses",
        ]  # fmt: skip
        assert [r[1] for r in rows] == data["ranking"]
        assert [r[0] for r in rows] == ["1", "2", "3"]
        given = {r[1]: plain(r[6]) for r in rows}
        assert given["expire"].startswith("+") and given["expire"].endswith(" expired")
        assert given["baseline"] == ""

    def test_metrics_table(self, doc: list[Token], folders: Folders) -> None:
        """Every compared metric, a column per variant in ranking order."""
        data = read_json(folders.compare / "summary.json")
        header, rows = table(doc, "metric")
        assert header == ["metric", *data["ranking"]]
        assert len(rows) == len(data["metrics"])

    def test_every_link_and_image_exists(self, doc: list[Token], folders: Folders) -> None:
        found = targets(doc)
        assert "report-figures/faults.svg" in found and "report-figures/backlog.png" in found
        for target in found:
            assert (folders.compare / target).is_file(), target
