"""Reading Mirth Connect (NextGen Connect) channel exports, versions 3.x and 4.x.

An export is XML written by Mirth's Administrator: one ``<channel>``, a ``<list>`` of them (the
"export all" file), or a server configuration backup or channel group whose ``<channels>`` holds
them. The files come from outside, so they are parsed with :mod:`defusedxml`, which refuses
entity declarations (an entity-expansion bomb) and external references instead of expanding
them.

What is read is what shapes the traffic: each destination connector's queue settings
(``destinationConnectorProperties``), its response timeout, where it sends, and, to be listed
as not modelled, its transformer, filter and response transformer steps and the channel's own
scripts. The schema moved between versions, and both forms are read:

- a channel's ``enabled`` is its own child up to 3.4 and ``exportData/metadata/enabled`` from
  3.5 on;
- transformer steps and filter rules are ``<steps><step>`` and ``<rules><rule>`` with a
  ``<type>`` up to 3.4, and ``<elements>`` of plugin classes (``...JavaScriptStep``,
  ``...RuleBuilderRule``) from 3.5 on, where a step may also be disabled;
- ``threadAssignmentVariable`` and ``queueBufferSize`` are missing from early 3.x exports and
  take Mirth's defaults (none, and the server's buffer size).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeElementTree

from sim.importers.mirth_model import (
    SUPPORTED_MAJORS,
    Channel,
    Destination,
    MirthExportError,
    Step,
)

__all__ = [
    "Channel",
    "Destination",
    "MirthExportError",
    "Step",
    "read_export",
    "read_exports",
]


def read_exports(paths: Sequence[str | Path]) -> list[Channel]:
    """Every channel of the given export files, in the order given.

    Raises:
        MirthExportError: On the first file that is missing, not XML, refused by defusedxml or
            not a Mirth channel export.
    """
    channels: list[Channel] = []
    for path in paths:
        channels += read_export(path)
    return channels


def read_export(path: str | Path) -> list[Channel]:
    """The channels of one export file (see :func:`read_exports`)."""
    file = str(path)
    root = _parse(file, _read_bytes(file))
    elements = _channel_elements(file, root)
    return [_channel(file, index, element) for index, element in enumerate(elements, start=1)]


# -- the file and its XML ---------------------------------------------------------------------


def _read_bytes(file: str) -> bytes:
    try:
        data = Path(file).read_bytes()
    except FileNotFoundError:
        raise MirthExportError(file, "no such file") from None
    except IsADirectoryError:
        raise MirthExportError(file, "is a directory, not an export file") from None
    except PermissionError:
        raise MirthExportError(file, "cannot be read: permission denied") from None
    except OSError as exc:
        raise MirthExportError(file, f"cannot be read: {exc.strerror or exc}") from None
    if not data.strip():
        raise MirthExportError(file, "is empty, not XML")
    return data


def _parse(file: str, data: bytes) -> Element:
    try:
        root: Element = SafeElementTree.fromstring(data)
    except defusedxml.EntitiesForbidden:
        raise MirthExportError(
            file,
            "refused: it declares XML entities, which a Mirth export never does (expanded, "
            "an entity-expansion bomb grows to gigabytes); defusedxml does not expand them",
        ) from None
    except defusedxml.DefusedXmlException as exc:
        raise MirthExportError(
            file, f"refused: {exc}; a Mirth export has no DTD or external references"
        ) from None
    except ParseError as exc:
        line, column = exc.position
        reason = str(exc).split(":", 1)[0]
        raise MirthExportError(
            file, f"not XML: {reason} at line {line}, column {column + 1}"
        ) from None
    return root


def _channel_elements(file: str, root: Element) -> list[Element]:
    if root.tag == "channel":
        return [root]
    if root.tag == "list":
        children = list(root)
    elif root.tag in ("serverConfiguration", "channelGroup"):
        holder = root.find("channels")
        children = [] if holder is None else list(holder)
    else:
        tag = root.tag.rsplit("}", 1)[-1]
        raise MirthExportError(
            file,
            f"not a Mirth channel export: its root element is <{tag}>; an export is a "
            "<channel>, a <list> of channels, a channel group or a server configuration",
        )
    others = sorted({child.tag for child in children if child.tag != "channel"})
    if others:
        raise MirthExportError(
            file,
            f"not a Mirth channel export: its <{root.tag}> holds <{others[0]}>, not <channel>",
        )
    if not children:
        raise MirthExportError(file, f"holds no channels (an empty <{root.tag}>)")
    return children


# -- a channel --------------------------------------------------------------------------------


def _channel(file: str, index: int, element: Element) -> Channel:
    name = (element.findtext("name") or "").strip()
    if not name:
        raise MirthExportError(file, f"channel {index} has no <name>: not a Mirth channel export")
    where = f"channel '{name}'"
    # 3.x and 4.x write the version as an attribute; 2.x wrote a <version> child.
    version = element.get("version", element.findtext("version") or "").strip()
    _check_version(file, where, version)
    destinations_holder = element.find("destinationConnectors")
    source = element.find("sourceConnector")
    if destinations_holder is None or source is None:
        missing = "destinationConnectors" if destinations_holder is None else "sourceConnector"
        raise MirthExportError(file, f"{where} has no <{missing}>: not a Mirth channel export")
    enabled_text = element.findtext("enabled")
    if enabled_text is None:
        enabled_text = element.findtext("exportData/metadata/enabled")
    source_props = _child(source, "properties")
    return Channel(
        file=file,
        id=(element.findtext("id") or "").strip(),
        name=name,
        version=version,
        enabled=_as_bool(file, where, "enabled", enabled_text, True),
        source_transport=_transport(source),
        source_listens=_listens(source_props),
        processing_threads=_as_int(
            file,
            where,
            "sourceConnectorProperties/processingThreads",
            source_props.findtext("sourceConnectorProperties/processingThreads"),
            1,
        ),
        source_transformer=_steps(source.find("transformer")),
        source_filter=_steps(source.find("filter")),
        scripts=tuple(_scripts(element)),
        destinations=tuple(
            _destination(file, where, connector)
            for connector in destinations_holder.findall("connector")
        ),
    )


def _check_version(file: str, where: str, version: str) -> None:
    match = re.match(r"(\d+)\.", version)
    if match and int(match.group(1)) < SUPPORTED_MAJORS[0]:
        raise MirthExportError(
            file,
            f"{where} is a Mirth {version} export; only 3.x and 4.x exports are read (2.x "
            "writes another schema: import it into Mirth 3 or later and export it again)",
        )


_DEFAULT_SCRIPTS = {"", "return;", "return message;"}
_SCRIPTS = (
    ("preprocessingScript", "preprocessing"),
    ("postprocessingScript", "postprocessing"),
    ("deployScript", "deploy"),
    ("undeployScript", "undeploy"),
    ("shutdownScript", "undeploy"),
)


def _scripts(element: Element) -> Iterable[str]:
    """The channel scripts whose code is more than Mirth's template (comments aside)."""
    for tag, label in _SCRIPTS:
        text = element.findtext(tag) or ""
        code = re.sub(r"//[^\n]*", "", text)
        code = re.sub(r"/\*.*?\*/", "", code, flags=re.DOTALL)
        if " ".join(code.split()) not in _DEFAULT_SCRIPTS:
            yield f"{label} script"


# -- connectors -------------------------------------------------------------------------------


def _destination(file: str, channel: str, connector: Element) -> Destination:
    name = (connector.findtext("name") or "").strip()
    where = f"{channel}, destination '{name}'"
    props = _child(connector, "properties")
    queue = props.find("destinationConnectorProperties")
    if queue is None:
        queue = Element("destinationConnectorProperties")
    timeout_key = next((key for key in _TIMEOUT_KEYS if props.find(key) is not None), "")

    def flag(tag: str, default: bool, holder: Element = queue) -> bool:
        return _as_bool(file, where, tag, holder.findtext(tag), default)

    def number(tag: str, default: int) -> int:
        return _as_int(
            file, where, f"destinationConnectorProperties/{tag}", queue.findtext(tag), default
        )

    buffer_text = queue.findtext("queueBufferSize")
    return Destination(
        name=name,
        enabled=_as_bool(file, where, "enabled", connector.findtext("enabled"), True),
        transport=_transport(connector),
        properties_class=props.get("class", ""),
        queue_enabled=flag("queueEnabled", False),
        send_first=flag("sendFirst", False),
        retry_count=number("retryCount", 0),
        retry_interval_ms=number("retryIntervalMillis", 10000),
        rotate=flag("rotate", False),
        thread_count=number("threadCount", 1),
        thread_assignment_variable=(queue.findtext("threadAssignmentVariable") or "").strip(),
        queue_buffer_size=None if buffer_text is None else number("queueBufferSize", 0),
        validate_response=flag("validateResponse", False),
        wait_for_previous=flag("waitForPrevious", True, connector),
        target=_target(props),
        timeout_key=timeout_key,
        timeout_ms=(props.findtext(timeout_key) or "").strip() if timeout_key else "",
        ignore_response=flag("ignoreResponse", False, props),
        queue_on_response_timeout=flag("queueOnResponseTimeout", True, props),
        transformer=_steps(connector.find("transformer")),
        filter=_steps(connector.find("filter")),
        response_transformer=_steps(connector.find("responseTransformer")),
    )


_TIMEOUT_KEYS = ("responseTimeout", "socketTimeout")
"""The response timeout of a TCP sender, and of an HTTP or web service sender."""

_TARGETS = (
    (".VmDispatcherProperties", ("channelId",), ""),
    (".TcpDispatcherProperties", ("remoteAddress", "remotePort"), ":"),
    (".SmtpDispatcherProperties", ("smtpHost", "smtpPort"), ":"),
    (".DICOMDispatcherProperties", ("host", "port"), ":"),
    (".WebServiceDispatcherProperties", ("locationURI",), ""),
    (".DatabaseDispatcherProperties", ("url",), ""),
    (".FileDispatcherProperties", ("scheme", "host"), "://"),
)


def _target(props: Element) -> str:
    """Where a destination sends, as its connector's properties say it."""
    cls = props.get("class", "")
    for suffix, keys, joint in _TARGETS:
        if cls.endswith(suffix):
            parts = [(props.findtext(key) or "").strip() for key in keys]
            if suffix == ".FileDispatcherProperties":
                parts[0] = parts[0].lower()
            return joint.join(part for part in parts if part)
    return (props.findtext("host") or "").strip()


def _listens(props: Element) -> str:
    host = (props.findtext("listenerConnectorProperties/host") or "").strip()
    port = (props.findtext("listenerConnectorProperties/port") or "").strip()
    return f"{host}:{port}" if port else ""


def _transport(connector: Element) -> str:
    transport = (connector.findtext("transportName") or "").strip()
    if transport:
        return transport
    cls = _child(connector, "properties").get("class", "")
    return cls.rsplit(".", 1)[-1].removesuffix("Properties") or "unknown"


def _steps(element: Element | None) -> tuple[Step, ...]:
    """A transformer's steps or a filter's rules, in the 3.5+ and the 3.0-3.4 schema."""
    if element is None:
        return ()
    steps: list[Step] = []
    holder = element.find("elements")
    if holder is not None:
        for child in holder:
            kind = child.tag.rsplit(".", 1)[-1]
            for suffix in ("Step", "Rule"):
                kind = kind.removesuffix(suffix) or kind
            enabled = (child.findtext("enabled") or "true").strip().lower() != "false"
            steps.append(Step(kind, (child.findtext("name") or "").strip(), enabled))
        return tuple(steps)
    for path in ("steps/step", "rules/rule"):
        for child in element.findall(path):
            kind = (child.findtext("type") or "").strip() or "step"
            steps.append(Step(kind, (child.findtext("name") or "").strip()))
    return tuple(steps)


def _child(element: Element, tag: str) -> Element:
    found = element.find(tag)
    return Element(tag) if found is None else found


def _as_bool(file: str, where: str, key: str, text: str | None, default: bool) -> bool:
    if text is None or not text.strip():
        return default
    value = text.strip().lower()
    if value not in ("true", "false"):
        raise MirthExportError(file, f"{where}: <{key}> is '{text.strip()}', not true or false")
    return value == "true"


def _as_int(file: str, where: str, key: str, text: str | None, default: int) -> int:
    if text is None or not text.strip():
        return default
    try:
        value = int(text.strip())
    except ValueError:
        raise MirthExportError(
            file, f"{where}: <{key}> is '{text.strip()}', not a whole number"
        ) from None
    if value < 0:
        raise MirthExportError(file, f"{where}: <{key}> is {value}, below 0")
    return value
