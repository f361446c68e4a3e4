"""The HTML report without a browser: self-contained, exact figures beside the readable
ones, integers with thousands separators."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import pytest

from sim.metrics.registry import lookup
from sim.report.content import figure_text, interval_text
from sim.report.folder import FIGURES
from sim.report.run_content import HEADLINES
from tests.report.conftest import Folders, Grids, read_json
from tests.report.parse import page


def test_integers_have_thousands_separators() -> None:
    """12,345 in every unit that counts; intervals too."""
    assert figure_text("messages.delivered", 12345.0) == "12,345"
    assert figure_text("peak_backlog", 1234567.4) == "1,234,567"
    assert figure_text("late.stat", 42.25) == "42.2"
    assert figure_text("staff_hours.clerks", 1234.56) == "1,234.6 h"
    assert interval_text("messages.created", (80660.3, 83612.9)) == "80,660 – 83,613"


ALL = ["run", "compare", "sweep", "sweep2", "plan"]
"""Every report of the tests: a run's, a comparison's, a sweep's of one parameter and of two,
and a plan's."""


@pytest.fixture
def reports(folders: Folders, grids: Grids) -> dict[str, Path]:
    """Each folder of :data:`ALL` by name."""
    return {
        "run": folders.run,
        "compare": folders.compare,
        "sweep": grids.sweep,
        "sweep2": grids.sweep2,
        "plan": grids.plan,
    }


@pytest.mark.parametrize("name", ALL)
def test_no_number_without_separators(reports: dict[str, Path], name: str) -> None:
    """No table cell or headline value holds four digits in a row (a count of 1,000 or more
    printed without its separators)."""
    cells = page(reports[name] / "report.html").cells
    assert len(cells) > 20
    if name in ("run", "sweep"):  # ~6,000 messages delivered; ~2,400 at each point
        assert any(re.fullmatch(r"\d,\d{3}(\n.*)?", c) for c in cells)
    bad = [c for c in cells if re.search(r"(?<![\d.,])\d{4,}", c)]
    assert bad == []


@pytest.mark.parametrize("name", ALL)
def test_the_page_needs_nothing_else(reports: dict[str, Path], name: str) -> None:
    """One file: no src or href outside it but data: images and #anchors, no stylesheet
    link, no script, and a Content-Security-Policy that forbids loading anything else."""
    folder = reports[name]
    kind = read_json(folder / "run.json")["kind"]
    parsed = page(folder / "report.html")
    names = [tag for tag, _ in parsed.tags]
    assert "script" not in names and "link" not in names and "iframe" not in names
    images = [attrs["src"] for tag, attrs in parsed.tags if tag == "img"]
    present = [f.name for f in FIGURES[kind] if (folder / f.name).is_file()]
    assert len(images) == len(present) >= (2 if kind in ("run", "compare") else 1)
    assert all(src.startswith("data:image/png;base64,") for src in images)
    for tag, attrs in parsed.tags:
        for key in ("src", "href"):
            if key in attrs and not (tag == "img" and key == "src"):
                assert attrs[key].startswith("#"), (tag, attrs)
    csp = [
        a
        for t, a in parsed.tags
        if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    ]
    assert csp and csp[0]["content"].startswith("default-src 'none'; img-src data:")
    assert names.count("svg") == (1 if kind in ("run", "compare") else 0)  # the fault timeline


@pytest.mark.parametrize("name", ALL)
def test_every_figure_is_the_folders_png(reports: dict[str, Path], name: str) -> None:
    """Each embedded image is, byte for byte, the folder's PNG its figure names."""
    folder = reports[name]
    kind = read_json(folder / "run.json")["kind"]
    html = (folder / "report.html").read_text()
    found = re.findall(
        r'<figure data-figure="([^"]+)">\s*<img src="data:image/png;base64,([^"]+)"', html
    )
    assert [name for name, _ in found] == [
        f.name for f in FIGURES[kind] if (folder / f.name).is_file()
    ]
    assert found
    for figure, data in found:
        assert base64.b64decode(data) == (folder / figure).read_bytes()


def test_run_headlines_carry_summary_values(folders: Folders) -> None:
    """Each headline card's data-value is summary.json's figure, its text that figure for
    people, its interval summary.json's ci95."""
    summary: dict[str, Any] = read_json(folders.run / "summary.json")
    cards = [m for m in page(folders.run / "report.html").metrics if m.get("class") == "card"]
    assert [m["data-metric"] for m in cards] == [p for p, _ in HEADLINES]
    for card in cards:
        value = lookup(summary, card["data-metric"])
        assert json.loads(card["data-value"]) == value
        assert card["shown"] == figure_text(card["data-metric"], value)
        if "data-ci-low" in card:
            ci = lookup(summary["ci95"], card["data-metric"])
            assert [json.loads(card["data-ci-low"]), json.loads(card["data-ci-high"])] == ci


def test_hypotheses_say_pass_or_fail(folders: Folders) -> None:
    """The hypothesis of the world holds: its row says PASS."""
    html = (folders.run / "report.html").read_text()
    row = re.search(r'<tr data-hypothesis="messages.lost">.*?</tr>', html)
    assert row is not None and '<td class="pass">PASS</td>' in row.group(0)
    assert "The hypothesis holds." in html


def test_compare_cells_carry_summary_means(folders: Folders) -> None:
    """Every data-metric cell of the comparison (the ranking and every metric) holds the
    variant's mean from summary.json."""
    data = read_json(folders.compare / "summary.json")
    cells = page(folders.compare / "report.html").metrics
    assert len(cells) == len(data["variants"]) * (1 + len(data["metrics"]))
    for cell in cells:
        figure = data["variants"][cell["data-variant"]]["figures"][cell["data-metric"]]
        assert json.loads(cell["data-value"]) == figure["mean"]
    ranking = [c["data-variant"] for c in cells if c["data-metric"] == data["metrics"][0]][
        : len(data["ranking"])
    ]
    assert ranking == data["ranking"]


def test_compare_says_what_the_ranking_may_claim(folders: Folders) -> None:
    """The warning, what the ranking ranks by, the paired verdicts, the trade-off sentence
    and the Pareto front, from summary.json."""
    data = read_json(folders.compare / "summary.json")
    html = (folders.compare / "report.html").read_text()
    assert data["warnings"] and all(w in html for w in data["warnings"])
    assert "Ranked by recovery time (lower is better; ties broken by the next metric)" in html
    assert "not distinguishable" in html
    trade = data["trade_offs"][0]
    assert trade["variant"] == "expire"
    expired = round(trade["given_up"][0]["increase"])
    assert "expire beats baseline on peak backlog by " in html
    assert f"while sending {expired:,} messages to paper (expired)" in html
    if len(data["pareto"]) == len(data["variants"]):
        assert "Every variant is on the Pareto front of the 11 compared metrics" in html
    else:
        assert f"better on one): {', '.join(data['pareto'])}." in html
