"""The message type that names a flow, the same from an HL7 log's MSH-9 and a CSV's ``message``.

A flow is (sender, receiver, message type), so both readers must write a type alike. The type
is the message code and trigger event (``ORM^O01``). HL7's third component, the message
structure (``ORM_O01``), follows from the two and is left out; but a third component that is
no structure name (three characters, ``_``, three) is a local mark that tells flows with the
same ends and type apart, and is kept: ``ehrsim log`` writes a flow's id there
(``ADT^A08^notes``) for flows that would otherwise merge (:mod:`sim.logs.traced`).
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["STRUCTURE", "message_type", "written_type"]

STRUCTURE: Final = re.compile(r"[A-Z][A-Z0-9]{2}_[A-Z0-9]{3}", re.IGNORECASE)
"""An HL7 message structure (table 0354's form: ``ORU_R01``, ``ADT_A01``)."""


def message_type(code: str, event: str = "", structure: str = "") -> str:
    """The type naming a flow from MSH-9's components (code, trigger event, structure)."""
    if structure and not STRUCTURE.fullmatch(structure):
        return f"{code}^{event}^{structure}"
    return f"{code}^{event}" if event else code


def written_type(text: str) -> str:
    """A type as a CSV log writes it (``ORU^R01^ORU_R01``), named as :func:`message_type`
    names the same MSH-9; text that is no ``code^event^structure`` is kept as written."""
    parts = text.split("^")
    if len(parts) == 3 and all(parts):
        return message_type(*parts)
    return text
