"""Writing an imported topology as a commented, partial scenario file.

Written by hand rather than by a YAML library, because the comments are half of the file: each
value says which Mirth setting it comes from, and every setting ehrsim has no key for is listed
where it belongs. Every value written is an id, a whole number or a word the scenario reader
takes as text, so no quoting is needed; comments are kept to one line each.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sim.importers.mirth_topology import Block, Entry, ImportedSystem, Topology

__all__ = ["render_topology"]

COMMENT_COLUMN = 44
"""Column at which a value's comment starts (later when the value is longer)."""

RULE_WIDTH = 100


def render_topology(topology: Topology) -> str:
    """The topology as the text of a ``partial: true`` scenario file."""
    lines = _header(topology)
    lines.append("partial: true")
    lines.append("")
    lines.append("systems:" if topology.systems else "systems: {}")
    for block in topology.blocks:
        lines.append("")
        lines += _block(block)
    return "\n".join(lines) + "\n"


def _header(topology: Topology) -> list[str]:
    per_file = Counter(block.channel.file for block in topology.blocks if not block.repeated)
    versions: dict[str, set[str]] = {}
    for block in topology.blocks:
        versions.setdefault(block.channel.file, set()).add(block.channel.version or "?")
    lines = ["# Imported by `ehrsim import mirth` from Mirth Connect channel exports:"]
    for file in dict.fromkeys(topology.files):
        count = per_file.get(file, 0)
        said = "channel" if count == 1 else "channels"
        mirth = ", ".join(sorted(versions.get(file, set())))
        lines.append(f"#   {Path(file).name}: {count} {said} (Mirth {mirth})")
    lines += [
        "#",
        "# A partial topology: one system per enabled destination connector, the destination's",
        "# queue being ehrsim's channel to that system (connections, timeout, strategy). It has no",
        "# flows, no `ack` times, no name and no horizon: a scenario that extends it adds them.",
        "# Each value says the Mirth setting it comes from; what ehrsim has no key for is listed",
        '# under "not modelled". The whole mapping: docs/import-mirth.md.',
        "",
    ]
    return lines


def _block(block: Block) -> list[str]:
    channel = block.channel
    mirth = f"Mirth {channel.version}" if channel.version else "no version"
    state = "" if channel.enabled else ", disabled"
    title = f"  # == channel '{_one_line(channel.name)}' ({mirth}{state}) "
    lines = [title + "=" * max(3, RULE_WIDTH - len(title))]
    lines += [f"  #   {_one_line(note)}" for note in block.notes]
    if block.not_modelled:
        lines.append("  #   not modelled:")
        lines += [f"  #     {_one_line(item)}" for item in block.not_modelled]
    for system in block.systems:
        lines += _system(system)
    lines += [f"  # not a system: {_one_line(line)}" for line in block.skipped]
    return lines


def _system(system: ImportedSystem) -> list[str]:
    destination = system.destination
    lines = [
        f"  {system.id}:",
        f"    # destination '{_one_line(destination.name)}' ({_one_line(destination.transport)})",
    ]
    lines += _entries(system.entries, 4)
    if system.not_modelled:
        lines.append("    # not modelled:")
        lines += [f"    #   {_one_line(item)}" for item in system.not_modelled]
    return lines


def _entries(entries: tuple[Entry, ...], indent: int) -> list[str]:
    lines: list[str] = []
    pad = " " * indent
    for entry in entries:
        if isinstance(entry.value, tuple):
            lines.append(_with_comment(f"{pad}{entry.key}:", entry.comment))
            lines += _entries(entry.value, indent + 2)
            continue
        text = f"{entry.key}: {entry.value}"
        lines.append(
            _with_comment(f"{pad}# {text}" if entry.commented else f"{pad}{text}", entry.comment)
        )
    return lines


def _with_comment(line: str, comment: str) -> str:
    if not comment:
        return line
    return f"{line.ljust(COMMENT_COLUMN - 1)} # {_one_line(comment)}"


def _one_line(text: str) -> str:
    """Text from an export, safe inside a one-line comment."""
    return " ".join(text.split())
