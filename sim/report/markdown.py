"""The Markdown report: the same content as the HTML one, for a wiki, a repository or a ticket.

Its figures are files beside it in ``report-figures/`` (the folder's PNGs copied, and the fault
timeline as an SVG), linked by relative paths. Every value the templates print is escaped for
Markdown unless the report wrote it as Markdown itself (:class:`MarkdownText`), the way
autoescaping works for HTML: a name from a scenario file (``<script>``, ``*bold*``, ``a|b``)
is shown as the text it is, never as markup, a link or a table column.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined

if TYPE_CHECKING:
    from sim.report.content import Report

__all__ = ["FIGURES_DIR", "MarkdownText", "environment", "md_escape", "render_markdown"]

FIGURES_DIR = "report-figures"
"""The folder beside report.md that holds its figures."""

TIMELINE = "faults.svg"
"""The fault timeline's file name in :data:`FIGURES_DIR`."""

_INLINE = re.compile(r"([\\`*_\[\]|~#])")
"""Characters that start inline markup (emphasis, code, links, table cells, strikethrough,
headings) anywhere in a line; ``<``, ``>`` and ``&`` become entities."""
_LINE_START = re.compile(r"^([-+=])(?=[\s=-]|$)")
"""A list item, a thematic break or a setext heading underline at the start of a line."""
_ORDERED = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")
"""An ordered list item at the start of a line."""


class MarkdownText(str):
    """Markdown the report wrote itself (a table cell's line breaks, a link): never escaped."""

    __slots__ = ()


def md_escape(text: object) -> MarkdownText:
    """Plain text as Markdown that renders as exactly that text, on one line.

    ``&``, ``<`` and ``>`` become entities (no HTML, no autolink); the characters of inline
    markup get a backslash; a leading list, heading or ordered-list marker too.
    """
    if isinstance(text, MarkdownText):
        return text
    plain = " ".join(str(text).split("\n")).strip()
    plain = plain.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    plain = _INLINE.sub(r"\\\1", plain)
    plain = _LINE_START.sub(r"\\\1", plain)
    return MarkdownText(_ORDERED.sub(r"\1\\\2", plain))


def _finalize(value: Any) -> str:
    """What ``{{ value }}`` prints in a Markdown template: escaped unless MarkdownText."""
    if value is None:
        return ""
    return md_escape(value)


def _cell(text: object) -> MarkdownText:
    """A table cell: each line escaped, the lines joined by ``<br>``."""
    return MarkdownText("<br>".join(md_escape(line) for line in str(text).split("\n")))


def _raw(text: object) -> MarkdownText:
    """A macro's output: Markdown whose values its own ``{{ }}`` already escaped."""
    return MarkdownText(str(text))


def _path(name: str) -> MarkdownText:
    """A figure's relative link target (percent-encoded)."""
    return MarkdownText(f"{FIGURES_DIR}/{quote(name)}")


@cache
def environment() -> Environment:
    """The Markdown templates (package data), every printed value escaped by ``finalize``."""
    env = Environment(
        loader=PackageLoader("sim.report", "templates"),
        autoescape=False,
        finalize=_finalize,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["cell"] = _cell
    env.filters["path"] = _path
    env.filters["raw"] = _raw
    return env


def render_markdown(report: Report, version: str) -> str:
    """The report as Markdown; its figures are expected in :data:`FIGURES_DIR` beside it
    (the report's figures under their names, the fault timeline as :data:`TIMELINE`)."""
    template = environment().get_template(f"{report.kind}.md")
    return template.render(r=report, version=version, timeline=TIMELINE)
