"""Mirth channels as ehrsim systems: ids, queue settings, and what has no ehrsim key.

One system per enabled destination connector (a Mirth destination is one queue with its own
threads, as an ehrsim system is one channel); the mapping of each setting, and why, is in
``docs/import-mirth.md``. Everything Mirth configures that ehrsim has no key for is kept as a
"not modelled" line, both in the topology's comments and in :attr:`Topology.messages`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from sim.importers.mirth_ids import base_id, unique_id
from sim.importers.mirth_model import SUPPORTED_MAJORS, Channel, Destination, Step

__all__ = [
    "ACK_PLACEHOLDER",
    "Block",
    "Entry",
    "ImportedSystem",
    "Topology",
    "duration",
    "topology_from_channels",
]

ACK_PLACEHOLDER = "lognormal(81ms, 102ms)"
"""The commented ``ack`` each system gets: median 50 ms, P95 250 ms (the shipped topology's)."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One key of a system as it is written: a value or a nested mapping, and a comment.

    ``commented`` writes the line as a comment (a placeholder, or a key deliberately left at
    ehrsim's default); ``value`` is then the text after the key.
    """

    key: str
    value: str | int | tuple[Entry, ...]
    comment: str = ""
    commented: bool = False


@dataclass(frozen=True, slots=True)
class ImportedSystem:
    """One destination connector as an ehrsim system."""

    id: str
    destination: Destination
    entries: tuple[Entry, ...]
    not_modelled: tuple[str, ...]


@dataclass(slots=True)
class Block:
    """One channel: its systems, and comments for what it has that is not a system."""

    channel: Channel
    systems: list[ImportedSystem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Destinations that are not systems (disabled, routes to channels), one line each."""
    not_modelled: list[str] = field(default_factory=list)
    """What the channel itself has that ehrsim has no key for (source, scripts)."""
    notes: list[str] = field(default_factory=list)
    """Anything else said about the channel (its version, a repeated id)."""
    repeated: bool = False
    """The same channel (by id) was read before, from this file or an earlier one."""


@dataclass(slots=True)
class Topology:
    """The imported topology: channel blocks in export order, and the lines for stderr."""

    files: list[str]
    blocks: list[Block]
    messages: list[str]

    @property
    def systems(self) -> list[ImportedSystem]:
        """Every imported system, in order."""
        return [system for block in self.blocks for system in block.systems]


def topology_from_channels(files: list[str], channels: list[Channel]) -> Topology:
    """Map channels (in export order) to systems; ids are given in that order."""
    topology = Topology(files=files, blocks=[], messages=[])
    taken: dict[str, str] = {}
    seen_ids: dict[str, Channel] = {}
    for channel in channels:
        block = Block(channel)
        topology.blocks.append(block)
        where = f"{channel.file}: channel '{channel.name}'"
        earlier = seen_ids.get(channel.id) if channel.id else None
        if earlier is not None:
            said = "the same channel (id {}) as in {}: read once"
            block.repeated = True
            block.notes.append(said.format(channel.id, Path(earlier.file).name))
            topology.messages.append(f"note: {where}: {said.format(channel.id, earlier.file)}")
            continue
        if channel.id:
            seen_ids[channel.id] = channel
        _check_version(channel, block, topology, where)
        for item in _channel_not_modelled(channel) if channel.enabled else []:
            block.not_modelled.append(item)
            topology.messages.append(f"not modelled: {where}: {item}")
        for destination in channel.destinations:
            there = f"{where}, destination '{destination.name}'"
            skip = _why_not_a_system(channel, destination)
            if skip:
                block.skipped.append(f"destination '{destination.name}': {skip}")
                topology.messages.append(f"not a system: {there}: {skip}")
                continue
            system_id, note = unique_id(base_id(channel, destination), taken)
            taken[system_id] = f"channel '{channel.name}', destination '{destination.name}'"
            if note:
                topology.messages.append(f"note: {there}: {note}")
            system = _system(system_id, channel, destination)
            block.systems.append(system)
            for item in system.not_modelled:
                topology.messages.append(f"not modelled: {there}: {item}")
    return topology


# -- what is not a system, and what a channel has that ehrsim has no key for -----------------


def _why_not_a_system(channel: Channel, destination: Destination) -> str:
    sends = f" to {destination.target}" if destination.target else ""
    kind = f"({destination.transport}{sends})"
    if not channel.enabled:
        return f"its channel is disabled in Mirth {kind}"
    if not destination.enabled:
        return f"disabled in Mirth {kind}"
    if destination.is_channel_writer:
        target = destination.target or "(none)"
        return f"routes to channel {target} inside the engine ({destination.transport})"
    return ""


def _check_version(channel: Channel, block: Block, topology: Topology, where: str) -> None:
    match = re.match(r"(\d+)\.", channel.version)
    if match and int(match.group(1)) in SUPPORTED_MAJORS:
        return
    said = f"Mirth {channel.version}" if channel.version else "no Mirth version"
    note = f"the export says {said}; read as a 3.x/4.x export"
    block.notes.append(note)
    topology.messages.append(f"warning: {where}: {note}")


def _channel_not_modelled(channel: Channel) -> list[str]:
    found: list[str] = []
    if channel.source_listens:
        found.append(f"source {channel.source_transport} listens on {channel.source_listens}")
    found += _steps_line("source transformer", channel.source_transformer, "step")
    found += _steps_line("source filter", channel.source_filter, "rule")
    found += [f"{script} (code)" for script in channel.scripts]
    if channel.processing_threads > 1:
        found.append(
            f"processingThreads {channel.processing_threads} (the engine's transform station, "
            "engine.cores, plays that part)"
        )
    return found


def _steps_line(what: str, steps: tuple[Step, ...], noun: str) -> list[str]:
    if not steps:
        return []
    plural = noun if len(steps) == 1 else f"{noun}s"
    return [f"{what}: {len(steps)} {plural}: " + ", ".join(step.describe() for step in steps)]


# -- one system -------------------------------------------------------------------------------


def duration(ms: int) -> str:
    """Milliseconds in the largest unit that keeps them whole: ``30000`` -> ``30s``."""
    for unit, size in (("d", 86_400_000), ("h", 3_600_000), ("min", 60_000), ("s", 1000)):
        if ms % size == 0:
            return f"{ms // size}{unit}"
    return f"{ms}ms"


def _system(system_id: str, channel: Channel, destination: Destination) -> ImportedSystem:
    not_modelled: list[str] = []
    entries = [*_connections(channel, destination, not_modelled)]
    entries += _timeout(destination, not_modelled)
    entries.append(
        Entry(
            "ack",
            ACK_PLACEHOLDER,
            "placeholder: measure it from the engine's log (ehrsim calibrate --extends)",
            commented=True,
        )
    )
    entries.append(Entry("strategy", tuple(_strategy(channel, destination, not_modelled))))
    return ImportedSystem(
        id=system_id,
        destination=destination,
        entries=tuple(entries),
        not_modelled=tuple(_destination_not_modelled(destination) + not_modelled),
    )


def _connections(
    channel: Channel, destination: Destination, not_modelled: list[str]
) -> list[Entry]:
    if destination.queue_enabled:
        return [
            Entry(
                "connections", destination.thread_count, f"threadCount {destination.thread_count}"
            )
        ]
    threads = channel.processing_threads
    not_modelled.append(
        "queue off: Mirth sends in the channel's own thread, so a slow or failing destination "
        "also holds the channel's other destinations and its sender"
    )
    said = "thread" if threads == 1 else "threads"
    return [
        Entry(
            "connections",
            threads,
            f"queue off: sends in the channel's {threads} processing {said} (threadCount "
            f"{destination.thread_count} is unused)",
        )
    ]


def _timeout(destination: Destination, not_modelled: list[str]) -> list[Entry]:
    key, text = destination.timeout_key, destination.timeout_ms
    if not key:
        return []
    if destination.ignore_response:
        not_modelled.append(
            f"ignoreResponse: Mirth does not wait for a response ({key} {text} unused); give "
            "this system a short ack"
        )
        return []
    if not text.isdigit():
        not_modelled.append(f"{key} '{text}' is not a number of milliseconds (a variable?)")
        return []
    if int(text) == 0:
        not_modelled.append(
            f"{key} 0 waits for ever; ehrsim's timeout is finite (the format's default 30s applies)"
        )
        return []
    return [Entry("timeout", duration(int(text)), f"{key} {text} ms")]


def _strategy(channel: Channel, destination: Destination, not_modelled: list[str]) -> list[Entry]:
    return [
        _order(channel, destination),
        Entry("retry", tuple(_retry(destination))),
        *_on_reply(destination, not_modelled),
    ]


def _order(channel: Channel, destination: Destination) -> Entry:
    if not destination.queue_enabled:
        threads = channel.processing_threads
        if threads == 1:
            return Entry("order", "strict", "queue off, one processing thread: one at a time")
        return Entry("order", "none", f"queue off, {threads} processing threads in parallel")
    threads = destination.thread_count
    variable = destination.thread_assignment_variable
    if threads == 1:
        return Entry("order", "strict", "one queue thread: in order, one message in flight")
    if variable:
        return Entry(
            "order",
            "per-patient",
            f"threadAssignmentVariable '{variable}': in order within one value",
        )
    return Entry("order", "none", f"{threads} queue threads, no threadAssignmentVariable")


def _retry(destination: Destination) -> list[Entry]:
    interval = destination.retry_interval_ms
    count = destination.retry_count
    if interval > 0:
        entries = [
            Entry("backoff", "fixed", "Mirth waits the same interval before every retry"),
            Entry("first", duration(interval), f"retryIntervalMillis {interval}"),
        ]
    else:
        entries = [Entry("backoff", "immediate", "retryIntervalMillis 0")]
    if not destination.queue_enabled:
        entries.append(
            Entry("attempts", count + 1, f"retryCount {count}: 1 send and {count} retries")
        )
        entries.append(Entry("then", "dead-letter", "queue off: then Mirth errors the message"))
        return entries
    inline = count + 1 if destination.send_first else 1
    if destination.rotate:
        said = (
            f"retryCount {count}: sent {inline} times before it is queued"
            if destination.send_first
            else f"queue always: sent once before it rotates (retryCount {count} unused)"
        )
        entries.append(Entry("attempts", inline, said))
        entries.append(
            Entry("then", "park", "rotate: a failed message goes to the back of the queue")
        )
        return entries
    said = (
        f"retryCount {count} counts the sends before Mirth queues it"
        if destination.send_first
        else f"retryCount {count} is unused with the queue always on"
    )
    entries.append(
        Entry(
            "attempts",
            "unlimited",
            f"a queued message is retried until it goes through; {said}",
            commented=True,
        )
    )
    return entries


def _on_reply(destination: Destination, not_modelled: list[str]) -> list[Entry]:
    """NAK and timeout handling where Mirth's differs from ehrsim's default (AE retried, AR
    dead-lettered, a timeout retried)."""
    if not destination.properties_class.endswith(".TcpDispatcherProperties"):
        return []
    if destination.ignore_response:
        return []
    replies: list[Entry] = []
    if not destination.validate_response:
        not_modelled.append(
            "validateResponse off: Mirth counts any response, a NAK included, as sent; "
            "ehrsim acts on AE and AR"
        )
    elif destination.queue_enabled:
        replies += [
            Entry("AE", "dead-letter", "validateResponse: a NAK errors the message (not queued)"),
            Entry("AR", "dead-letter"),
        ]
    else:
        replies.append(Entry("AR", "retry", "queue off: Mirth retries a NAK like any failure"))
    if destination.queue_enabled and not destination.queue_on_response_timeout:
        replies.append(
            Entry("timeout", "dead-letter", "queueOnResponseTimeout off: a timeout errors it")
        )
    return [Entry("on_reply", tuple(replies))] if replies else []


def _destination_not_modelled(destination: Destination) -> list[str]:
    found: list[str] = []
    if destination.target:
        found.append(f"sends to {destination.target} ({destination.transport})")
    if destination.queue_enabled and destination.queue_buffer_size is not None:
        found.append(f"queueBufferSize {destination.queue_buffer_size}")
    found += _steps_line("transformer", destination.transformer, "step")
    found += _steps_line("filter", destination.filter, "rule")
    found += _steps_line("response transformer", destination.response_transformer, "step")
    return found
