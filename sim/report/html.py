"""The HTML report: one self-contained file a board member can open, read and print.

Every figure is inside the file (the PNGs as ``data:`` URIs, the fault timeline as inline
SVG), the styles are inline, and a Content-Security-Policy forbids loading anything else, so
the page requests nothing over the network and can be mailed as it is. Templates are Jinja2
with autoescaping on: a name from a scenario file (a title, a fault, a variant) is always
text, never markup.
"""

from __future__ import annotations

import base64
import json
import re
import struct
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

if TYPE_CHECKING:
    from sim.report.content import Report
    from sim.report.gantt import Gantt

__all__ = ["data_uri", "environment", "png_size", "render_html", "render_svg"]

_PNG = b"\x89PNG\r\n\x1a\n"


@cache
def environment() -> Environment:
    """The templates of :mod:`sim.report` (package data), autoescaped as HTML and SVG."""
    env = Environment(
        loader=PackageLoader("sim.report", "templates"),
        autoescape=select_autoescape(["html", "svg"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["lines"] = _lines
    env.filters["json"] = _json
    env.filters["sentence"] = _sentence
    env.filters["breakable"] = _breakable
    return env


def _lines(text: str) -> Markup:
    """A cell's text with its line breaks as ``<br>`` (each line escaped)."""
    return Markup("<br>").join(escape(line) for line in str(text).split("\n"))


def _breakable(text: str) -> Markup:
    """Lines of names and paths that may wrap after ``_``, ``.`` and ``-`` (``<wbr>``), not
    inside a word; each line escaped."""
    lines = []
    for line in str(text).split("\n"):
        parts = re.split(r"(?<=[_.-])", line)
        lines.append(Markup("<wbr>").join(escape(p) for p in parts))
    return Markup("<br>").join(lines)


def _sentence(text: str) -> str:
    """The text with its first letter upper case (the rest as it is: ``STAT`` stays)."""
    return text[:1].upper() + text[1:]


def _json(value: Any) -> str:
    """A number as JSON text (``330.0``, ``null``) for a ``data-`` attribute."""
    return json.dumps(value)


def png_size(data: bytes) -> tuple[int, int]:
    """A PNG's width and height in pixels, from its header (``(0, 0)`` if it is no PNG)."""
    if len(data) < 24 or not data.startswith(_PNG):
        return 0, 0
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def data_uri(data: bytes) -> str:
    """A PNG as a ``data:`` URI."""
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def render_svg(timeline: Gantt, *, standalone: bool) -> str:
    """The fault timeline as SVG: inline in the HTML, or a file of its own (``standalone``)."""
    return environment().get_template("faults.svg").render(g=timeline, standalone=standalone)


def render_html(report: Report, folder: Path, version: str) -> str:
    """The report as one HTML page, its figures read from ``folder`` and embedded."""
    figures = []
    for fig in report.figures:
        data = (folder / fig.name).read_bytes()
        width, height = png_size(data)
        figures.append(
            {
                "name": fig.name,
                "caption": fig.caption,
                "uri": data_uri(data),
                "w": width,
                "h": height,
            }
        )
    timeline = Markup(render_svg(report.timeline, standalone=False)) if report.timeline else None
    template = environment().get_template(f"{report.kind}.html")
    return template.render(r=report, figures=figures, timeline=timeline, version=version)
