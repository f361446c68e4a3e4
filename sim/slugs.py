"""Ids made from names people wrote (applications in a log, destinations in an engine's
configuration): one rule, so that an id calibrated from a log joins the topology imported from
the same engine (``Røntgen`` is ``roentgen`` in both)."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["slugify"]

_FOLD = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ß": "ss", "œ": "oe", "ð": "d"})
"""Letters that Unicode decomposition does not reduce to ASCII, as Danish and German spell
them without their own letters."""


def slugify(text: str) -> str:
    """``'Blood Bank (ProSang)'`` -> ``'blood-bank-prosang'``: lower case, ASCII, ``-``."""
    folded = unicodedata.normalize("NFKD", text.lower().translate(_FOLD))
    ascii_text = folded.encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
