"""Names from a scenario file are text, never markup, in the HTML and the Markdown report."""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from sim.scenario import load_scenario
from tests.report.conftest import DRAIN, METASTABLE, WORLD, invoke

TITLE = "<script>alert(1)</script>"
FAULT = "*lab* down | [click](http://evil.example) <img src=x onerror=alert(2)> & `x`"
VARIANT = "<b>v</b>"


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text of <h1> and <title>."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: dict[str, str] = {}
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._open and self._open[-1] in ("h1", "title"):
            self.text[self._open[-1]] = self.text.get(self._open[-1], "") + data


def parse(html: str) -> Tags:
    tags = Tags()
    tags.feed(html)
    return tags


def hostile_world() -> str:
    text = WORLD.replace("title: Small world for the report", f"title: '{TITLE}'")
    text = text.replace("{name: lab down,", f"{{name: '{FAULT}',")
    text = text.replace("  expire: {strategy: {expire: {after: 15min}}}\n", "")
    return text.replace(
        "  shared: {strategy: {queues: shared}}", f"  '{VARIANT}': {{strategy: {{queues: shared}}}}"
    )


def hostile_drain() -> str:
    """The sweep's and plan's world (tests/data/drain.yaml) with the hostile title and fault."""
    text = DRAIN.read_text()
    text = re.sub(r"(?m)^title: .*$", f"title: '{TITLE}'", text)
    return text.replace("{name: stall,", f"{{name: '{FAULT}',")


def hostile_metastable() -> str:
    """The map's world (tests/data/metastable.yaml) with the hostile title and fault."""
    text = METASTABLE.read_text()
    text = re.sub(r"(?m)^title: .*$", f"title: '{TITLE}'", text)
    return text.replace("{name: engine stall,", f"{{name: '{FAULT}',")


KINDS = ["run", "compare", "sweep", "plan", "metastability"]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A run and a comparison (one replication, two hours) of a world whose title, fault and
    variant names hold HTML and Markdown, a sweep and a plan (two replications, two values)
    of a world whose title and fault do, and a metastability map (one replication, four
    points) of another such world."""
    base = tmp_path_factory.mktemp("hostile")
    (base / "world.yaml").write_text(hostile_world())
    (base / "drain.yaml").write_text(hostile_drain())
    (base / "metastable.yaml").write_text(hostile_metastable())
    commands = {
        command: [command, "world.yaml", "--replications", "1", "--set", "horizon=2h"]
        for command in ("run", "compare")
    }
    commands["sweep"] = ["sweep", "drain.yaml", "--param", "systems.server.connections=2,4",
                         "--replications", "2", "--no-cache"]  # fmt: skip
    commands["plan"] = ["plan", "drain.yaml", "--vary", "systems.server.connections=2..4",
                        "--target", "recovery_time_s < 160s", "--set", "replications=2",
                        "--replications-max", "2", "--no-cache"]  # fmt: skip
    commands["metastability"] = ["metastability", "metastable.yaml", "--magnitude", "0.1..0.5",
                                 "--duration", "3s..30s", "--steps", "2", "--replications", "1",
                                 "--no-cache"]  # fmt: skip
    old = Path.cwd()
    os.chdir(base)
    try:
        for kind, command in commands.items():
            result = invoke(*command, "--jobs", "1", "-q", "--out", kind, "--report-format", "both")
            assert result.exit_code == 0, result.output
    finally:
        os.chdir(old)
    return {kind: base / kind for kind in KINDS}


def test_the_world_really_holds_the_names(hostile: tuple[Path, Path]) -> None:
    """The names reach the results (so the tests below test something)."""
    assert load_scenario(hostile["run"] / "scenario.yaml").title == TITLE
    assert FAULT in (hostile["run"] / "events.csv").read_text()
    assert (hostile["compare"] / "variants" / "%3Cb%3Ev%3C%2Fb%3E" / "timeseries.csv").is_file()
    for kind in ("sweep", "plan", "metastability"):
        scenario = load_scenario(hostile[kind] / "scenario.yaml")
        assert scenario.title == TITLE and scenario.faults[0].name == FAULT


@pytest.mark.parametrize("kind", KINDS)
def test_html_shows_the_names_as_text(hostile: dict[str, Path], kind: str) -> None:
    """No <script>, <b> or injected <img>/<a> element; the heading's text is the title."""
    html = (hostile[kind] / "report.html").read_text()
    page = parse(html)
    names = [tag for tag, _ in page.tags]
    assert "script" not in names and "b" not in names and "a" not in names[:3]
    assert page.text["h1"] == TITLE
    assert page.text["title"].startswith(TITLE)
    for tag, attrs in page.tags:
        assert "onerror" not in attrs
        if tag == "img":
            assert (attrs["src"] or "").startswith("data:image/png;base64,")
        for key in ("src", "href"):
            value = attrs.get(key) or ""
            assert not value.startswith(("http:", "https:", "//")), (tag, attrs)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html


@pytest.mark.parametrize("kind", KINDS)
def test_markdown_shows_the_names_as_text(hostile: dict[str, Path], kind: str) -> None:
    """Rendered by a Markdown parser, the report holds no element from a name: no script, no
    link, no image but the report's figures, no emphasis; the title is the heading's text."""
    text = (hostile[kind] / "report.md").read_text()
    assert "<script>" not in text and "<img" not in text and "<b>" not in text
    html = MarkdownIt("commonmark").enable("table").render(text)
    page = parse(html)
    names = [tag for tag, _ in page.tags]
    assert "script" not in names and "a" not in names and "b" not in names
    assert "<em>lab</em>" not in html and "code" not in names
    assert page.text["h1"] == TITLE
    for tag, attrs in page.tags:
        if tag == "img":
            assert (attrs["src"] or "").startswith("report-figures/"), attrs
    assert "*lab* down | [click](http://evil.example) &lt;img src=x onerror=alert(2)&gt;" in html


def test_the_timeline_svg_holds_the_fault_name_as_text(hostile: dict[str, Path]) -> None:
    """report-figures/faults.svg is XML whose text is the fault's name (nothing injected)."""
    from xml.etree import ElementTree

    svg = ElementTree.parse(hostile["run"] / "report-figures" / "faults.svg").getroot()
    texts = [el.text for el in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert FAULT in texts
    assert not list(svg.iter("{http://www.w3.org/2000/svg}img"))
