"""The catalogue of fault kinds and the rules each one follows in a scenario file.

One entry per kind: what its ``target`` names, whether it takes a ``severity`` and what that
means, whether it lasts ``for`` a while, and which extra keys it accepts. The loader checks every
fault against its entry, so adding a fault kind to the format is adding one entry here (and its
behaviour in the model).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = ["FAULT_KINDS", "FAULT_OPTIONS", "FaultKind", "TargetKind"]

TargetKind = Literal["none", "system", "systems", "flow", "node"]
"""What a fault's ``target`` names: nothing, one system, a system or a list of systems (or
``all``: every system under ``systems`` but ``ehr``), a flow, a node index."""


@dataclass(frozen=True)
class FaultKind:
    """The rules of one fault kind.

    Attributes:
        summary: One line for ``ehrsim`` listings and error messages.
        target: What ``target`` names.
        target_default: Used when ``target`` is absent; ``None`` makes it required (unless
            ``target`` is ``"none"``).
        allow_all: Whether ``target: all`` is accepted.
        severity: ``"none"`` (refused), ``"optional"`` (``severity_default`` applies) or
            ``"required"``.
        severity_default: The value of an optional severity.
        severity_is_share: Severity is a share in (0, 1]; otherwise a positive factor.
        severity_meaning: What the number means, for messages.
        has_for: Whether the fault lasts ``for`` a duration (required) or ends otherwise.
        options: Extra keys this kind accepts beyond ``kind, name, at, for, target, severity``.
        on_receiver: It acts on what a system receives (acks, filing, replies), so a system it
            names must be the receiver of some flow; otherwise it would change nothing.
        whole_modes: Modes that act in full, so a severity below 1 would be ignored: mode ->
            why, and the fix, for the error message.
    """

    summary: str
    target: TargetKind = "none"
    target_default: str | int | None = None
    allow_all: bool = False
    severity: Literal["none", "optional", "required"] = "none"
    severity_default: float | None = None
    severity_is_share: bool = False
    severity_meaning: str = ""
    has_for: bool = True
    options: frozenset[str] = frozenset()
    on_receiver: bool = False
    whole_modes: dict[str, str] = field(default_factory=dict, hash=False)


FAULT_KINDS: dict[str, FaultKind] = {
    "engine-stall": FaultKind(
        summary="the engine stops sending (mode hold) or accepting (mode refuse)",
        severity="optional",
        severity_default=1.0,
        severity_is_share=True,
        severity_meaning="the share of channel capacity lost (1 = nothing moves)",
        options=frozenset({"mode", "poison_share"}),
        whole_modes={
            "refuse": "which stops accepting outright (severity 1); leave severity out, or use "
            "mode: hold to lose a share of the capacity"
        },
    ),
    "node-crash": FaultKind(
        summary="an integration server node dies and is repaired after 'for'",
        target="node",
        target_default=0,
    ),
    "engine-slowdown": FaultKind(
        summary="the transform takes longer",
        severity="required",
        severity_meaning="the factor on transform time (e.g. 3)",
    ),
    "system-outage": FaultKind(
        summary="the system is down: sends to it time out, what it sends waits in its outbox",
        target="systems",
        allow_all=True,
    ),
    "system-slowdown": FaultKind(
        summary="the system acknowledges and files more slowly",
        target="systems",
        target_default="all",
        allow_all=True,
        on_receiver=True,
        severity="required",
        severity_meaning="the factor on ack and filing time (e.g. 4)",
    ),
    "partition": FaultKind(
        summary="the engine and the listed systems cannot reach each other",
        target="systems",
        allow_all=True,
    ),
    "ack-loss": FaultKind(
        summary="ACKs are lost after filing, so resends file duplicates",
        target="systems",
        target_default="all",
        allow_all=True,
        on_receiver=True,
        severity="required",
        severity_is_share=True,
        severity_meaning="the share of ACKs lost (e.g. 0.2)",
    ),
    "poison-message": FaultKind(
        summary="the next message sent after 'at' is refused until fixed or given up",
        target="system",
        has_for=False,
        options=frozenset({"code"}),
        on_receiver=True,
    ),
    "surge": FaultKind(
        summary="more messages arrive",
        target="flow",
        target_default="all",
        allow_all=True,
        severity="required",
        severity_meaning="the factor on the arrival rate (e.g. 1.4)",
    ),
}
"""Every fault kind of the format, by the name scenario files use."""

FAULT_OPTIONS: frozenset[str] = frozenset().union(*(kind.options for kind in FAULT_KINDS.values()))
"""Keys that only some kinds accept."""
