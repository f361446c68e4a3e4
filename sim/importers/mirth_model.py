"""What a Mirth Connect channel export says, as ehrsim reads it: channels, destination
connectors and their steps (filled by :mod:`sim.importers.mirth`)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SUPPORTED_MAJORS", "Channel", "Destination", "MirthExportError", "Step"]

SUPPORTED_MAJORS = (3, 4)
"""The Mirth major versions whose export schema this reader knows."""


class MirthExportError(Exception):
    """A file that cannot be read as a Mirth channel export, said with the file and why."""

    def __init__(self, file: str, message: str) -> None:
        super().__init__(f"{file}: {message}")
        self.file = file
        self.message = message


@dataclass(frozen=True, slots=True)
class Step:
    """One transformer step or filter rule: code ehrsim does not run (only its time counts)."""

    kind: str
    """What it is: ``JavaScript``, ``Mapper``, ``RuleBuilder``, ``XSLT``..."""
    name: str
    enabled: bool = True

    def describe(self) -> str:
        """``JavaScript 'Set MSH-5'`` (and ``(disabled)`` when it is)."""
        text = f"{self.kind} '{self.name}'" if self.name else self.kind
        return text if self.enabled else f"{text} (disabled)"


@dataclass(frozen=True, slots=True)
class Destination:
    """One destination connector of a channel, with the settings ehrsim reads or reports."""

    name: str
    enabled: bool
    transport: str
    """Mirth's ``transportName``: ``TCP Sender``, ``HTTP Sender``, ``Channel Writer``..."""
    properties_class: str
    queue_enabled: bool
    send_first: bool
    retry_count: int
    retry_interval_ms: int
    rotate: bool
    thread_count: int
    thread_assignment_variable: str
    queue_buffer_size: int | None
    validate_response: bool
    wait_for_previous: bool
    target: str
    """Where it sends, as Mirth has it (``host:port``, a URL, a channel id); ``""`` unknown."""
    timeout_key: str
    """Its response timeout's element (``responseTimeout``, ``socketTimeout``), or ``""``."""
    timeout_ms: str
    """That element's text, in milliseconds (a ``${variable}`` is kept as written)."""
    ignore_response: bool
    queue_on_response_timeout: bool
    transformer: tuple[Step, ...]
    filter: tuple[Step, ...]
    response_transformer: tuple[Step, ...]

    @property
    def is_channel_writer(self) -> bool:
        """A route to another channel of the same engine, not to a system."""
        return self.properties_class.endswith(".VmDispatcherProperties")


@dataclass(frozen=True, slots=True)
class Channel:
    """One Mirth channel: a source and its destination connectors."""

    file: str
    id: str
    name: str
    version: str
    """The export's ``version`` attribute (``4.5.2``), ``""`` when it has none."""
    enabled: bool
    source_transport: str
    source_listens: str
    """The source's listening address (``0.0.0.0:6661``), ``""`` for a polling source."""
    processing_threads: int
    source_transformer: tuple[Step, ...]
    source_filter: tuple[Step, ...]
    scripts: tuple[str, ...]
    """The channel scripts that do more than Mirth's template (``preprocessing``...)."""
    destinations: tuple[Destination, ...]
