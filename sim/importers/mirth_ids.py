"""The ids of imported systems: a Mirth destination's name (or its channel's) as an ehrsim id.

The rules, in order (``docs/import-mirth.md``): the destination's name slugified; the channel's
name for Mirth's default names (``Destination 1``...); ``medcom-`` in front for a destination
whose own name or channel's name mentions MedCom; ``-2``, ``-3``... for later destinations of an
id already given.
"""

from __future__ import annotations

import re

from sim.importers.mirth_model import Channel, Destination
from sim.scenario.scalars import resolve_plain
from sim.slugs import slugify

__all__ = ["MAX_ID", "base_id", "is_medcom", "unique_id"]

MAX_ID = 90
"""Longest id written, leaving room for a ``-N`` suffix under the format's 100 characters."""

_DEFAULT_NAME = re.compile(r"Destination \d+")
"""The names Mirth gives new destinations."""


def is_medcom(channel: Channel, destination: Destination) -> bool:
    """A destination is MedCom's when its own name or its channel's mentions MedCom."""
    return any(
        "medcom" in slugify(name).replace("-", "") for name in (destination.name, channel.name)
    )


def base_id(channel: Channel, destination: Destination) -> str:
    """The id a destination asks for, before clashes with earlier ones are settled."""
    named = destination.name if not _DEFAULT_NAME.fullmatch(destination.name) else channel.name
    base = (slugify(named) or slugify(channel.name) or "system")[:MAX_ID].rstrip("-")
    if is_medcom(channel, destination) and not base.startswith("medcom"):
        base = f"medcom-{base}"[:MAX_ID].rstrip("-")
    if not isinstance(resolve_plain(base), str):
        base = f"{base[: MAX_ID - 7]}-system"  # '123' or 'true' would be read as a number
    return base


def unique_id(base: str, taken: dict[str, str]) -> tuple[str, str]:
    """The id itself if free, else ``base-2``, ``base-3``...; and what to say about it.

    Args:
        base: The id asked for (:func:`base_id`).
        taken: Ids given so far -> who has them (``channel 'C', destination 'D'``); the caller
            records the new one.

    Returns:
        The id, and a note naming who has ``base`` (``""`` when ``base`` was free).
    """
    system_id, number = base, 1
    while system_id in taken:
        number += 1
        system_id = f"{base}-{number}"
    if system_id == base:
        return system_id, ""
    hint = (
        "; ehrsim has one EHR ('ehr'): merge the channels into it by hand if both deliver to "
        "the EHR"
        if base == "ehr"
        else ""
    )
    return system_id, f"id '{base}' is taken by {taken[base]}: this one is '{system_id}'{hint}"
