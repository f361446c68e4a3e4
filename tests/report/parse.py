"""Reading a report back as a reader's tools see it: the HTML's tags, data- attributes and
cell texts; the Markdown's tables, links and images as a CommonMark parser sees them."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token


class Page(HTMLParser):
    """Start tags with attributes, elements with data-metric and their text, every element
    with a data- attribute and its text (``elements``), and the text of every table cell and
    headline card value. A ``<br>`` is a line break in the text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.metrics: list[dict[str, str]] = []
        self.elements: list[dict[str, str]] = []
        self.cells: list[str] = []
        self._stack: list[tuple[str, dict[str, str], list[str]]] = []
        self._value = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        self.tags.append((tag, found))
        if tag == "br" and self._stack:
            self._stack[-1][2].append("\n")
        if tag in ("br", "img", "meta", "wbr", "line", "rect"):
            return
        self._stack.append((tag, found, []))

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            name, attrs, text = self._stack.pop()
            joined = "".join(text).strip()
            if self._stack:
                self._stack[-1][2].append("".join(text))
            if "value" in attrs.get("class", "").split():
                self._value = joined
            if any(key.startswith("data-") for key in attrs):
                self.elements.append({**attrs, "tag": name, "text": joined})
            if "data-metric" in attrs and name in ("div", "td"):
                shown = self._value if name == "div" else joined
                self.metrics.append({**attrs, "text": joined, "shown": shown})
            if name == "td" or "value" in attrs.get("class", "").split():
                self.cells.append(joined)
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._stack:
            self._stack[-1][2].append(data)


def page(path: Path) -> Page:
    """The report.html at ``path``, parsed."""
    parsed = Page()
    parsed.feed(path.read_text(encoding="utf-8"))
    return parsed


def tokens(path: Path) -> list[Token]:
    """The report.md at ``path`` as CommonMark tokens, with tables."""
    return MarkdownIt("commonmark").enable("table").parse(path.read_text(encoding="utf-8"))


def tables(toks: list[Token]) -> list[tuple[list[str], list[list[str]]]]:
    """Each table's header cells and body rows, as the parser sees them."""
    out: list[tuple[list[str], list[list[str]]]] = []
    header: list[str] = []
    rows: list[list[str]] = []
    row: list[str] = []
    part = ""
    for i, tok in enumerate(toks):
        if tok.type == "table_open":
            header, rows = [], []
        elif tok.type in ("thead_open", "tbody_open"):
            part = tok.type[:5]
        elif tok.type == "tr_open":
            row = []
        elif tok.type in ("th_open", "td_open"):
            row.append(toks[i + 1].content if toks[i + 1].type == "inline" else "")
        elif tok.type == "tr_close":
            if part == "thead":
                header = row
            else:
                rows.append(row)
        elif tok.type == "table_close":
            out.append((header, rows))
    return out


def table(toks: list[Token], first: str) -> tuple[list[str], list[list[str]]]:
    found = [t for t in tables(toks) if t[0] and t[0][0] == first]
    assert len(found) == 1, [t[0] for t in tables(toks)]
    return found[0]


def targets(toks: list[Token]) -> list[str]:
    """Every link and image target in the document."""
    out = []
    for tok in toks:
        for child in tok.children or []:
            if child.type == "image":
                out.append(str(child.attrs["src"]))
            elif child.type == "link_open":
                out.append(str(child.attrs["href"]))
    return out


def plain(cell: str) -> str:
    """A cell's inline Markdown as its text (escapes removed, <br> as a line break)."""
    html = MarkdownIt("commonmark").renderInline(cell)
    return (
        html.replace("<br>", "\n").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    )
