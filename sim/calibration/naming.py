"""Flows, the ids applications get in a scenario, and which application is the EHR.

A flow is what a log's messages share: the sending application, the receiving application
and the message type, as written. An application's id is its name lowercased and slugified
(``LAB KA`` becomes ``lab-ka``) unless ``--map`` renames it; the EHR's id is always ``ehr``, as
the scenario format wants one end of every flow to be ``ehr``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from sim.logs.entry import LogEntry
from sim.slugs import slugify

__all__ = ["CalibrationError", "FlowKey", "Naming", "flow_keys", "name_applications", "slug"]

EHR = "ehr"
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


class CalibrationError(ValueError):
    """A log or an option that calibration cannot work with: the message says what to change."""


class FlowKey(NamedTuple):
    """What identifies a flow in a log."""

    source: str
    destination: str
    message: str


def flow_keys(entries: Iterable[LogEntry]) -> list[FlowKey]:
    """Every flow of the entries, sorted (for stable output)."""
    return sorted({FlowKey(e.source, e.destination, e.message) for e in entries})


def slug(text: str) -> str:
    """``text`` as an id: the importer's rule (:func:`sim.slugs.slugify`), so that an
    application's id joins the topology imported from the same engine."""
    return slugify(text)


def _ehr_of(keys: Sequence[FlowKey], ehr: str | None, apps: list[str]) -> str:
    if ehr is not None:
        if ehr in apps:
            return ehr
        folded = [app for app in apps if app.lower() == ehr.lower()]
        if len(folded) == 1:
            return folded[0]
        raise CalibrationError(
            f"--ehr {ehr}: no application of that name in the log; its applications are "
            f"{', '.join(apps)}"
        )
    candidates = [app for app in apps if all(app in (k.source, k.destination) for k in keys)]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise CalibrationError(
            "no application takes part in every flow, so which one is the EHR cannot be told; "
            f"name it with --ehr APP (the applications: {', '.join(apps)})"
        )
    raise CalibrationError(
        f"{len(candidates)} applications take part in every flow ({', '.join(candidates)}); "
        "name the EHR with --ehr APP"
    )


@dataclass(frozen=True)
class Naming:
    """Which application is the EHR and the scenario id of every application."""

    ehr: str
    """The EHR application, as written in the log."""
    ids: dict[str, str]
    """Application as written -> its id in the scenario (the EHR's is ``ehr``)."""
    mapped: dict[str, str]
    """The renames ``--map`` asked for (application -> id)."""

    def flow_id(self, key: FlowKey, taken: set[str]) -> str:
        """A new flow id, ``<from>-<to>-<type>-<event>`` (``ehr-labka-oml-o21``), made unique."""
        kind = slug(" ".join(key.message.split("^")[:2])) or "message"
        base = f"{self.ids[key.source]}-{self.ids[key.destination]}-{kind}"
        found, number = base, 1
        while found in taken:
            number += 1
            found = f"{base}-{number}"
        taken.add(found)
        return found


def parse_map(items: Sequence[str]) -> dict[str, str]:
    """``APP=ID`` options as a mapping; raises :class:`CalibrationError` on a malformed one."""
    mapped: dict[str, str] = {}
    for item in items:
        app, sep, new = item.partition("=")
        app, new = app.strip(), new.strip()
        if not sep or not app or not new:
            raise CalibrationError(f"--map {item}: write APP=ID, e.g. --map 'LAB KA=labka'")
        if not _ID.fullmatch(new):
            raise CalibrationError(
                f"--map {item}: '{new}' is not a valid id; use letters, digits, '-' and '_'"
            )
        if app in mapped and mapped[app] != new:
            raise CalibrationError(f"--map names {app} twice ({mapped[app]}, {new})")
        mapped[app] = new
    return mapped


def name_applications(
    keys: Sequence[FlowKey], ehr: str | None = None, mapped: Mapping[str, str] | None = None
) -> Naming:
    """Find the EHR and give every application its id.

    Raises:
        CalibrationError: No EHR or several (without ``ehr``), an unknown ``ehr`` or mapped
            application, the EHR mapped to an id other than ``ehr``, or two applications that
            would share an id.
    """
    mapped = dict(mapped or {})
    apps = sorted({k.source for k in keys} | {k.destination for k in keys})
    the_ehr = _ehr_of(keys, ehr, apps)
    for app, new in mapped.items():
        if app not in apps:
            raise CalibrationError(
                f"--map {app}={new}: no application '{app}' in the log; its applications are "
                f"{', '.join(apps)}"
            )
        if app == the_ehr and new != EHR:
            raise CalibrationError(
                f"--map {app}={new}: {app} is the EHR, whose id is always 'ehr' (the format "
                "wants one end of every flow to be ehr)"
            )
    ids: dict[str, str] = {}
    for app in apps:
        ids[app] = EHR if app == the_ehr else mapped.get(app, slug(app))
        if not ids[app]:
            raise CalibrationError(
                f"application '{app}' has no letters or digits to make an id of; name it with "
                f"--map '{app}=ID'"
            )
    owners: dict[str, str] = {}
    for app, new in ids.items():
        if new in owners:
            raise CalibrationError(
                f"applications '{owners[new]}' and '{app}' would both get the id '{new}'; "
                f"tell them apart with --map '{app}=ID'"
            )
        owners[new] = app
    return Naming(the_ehr, ids, mapped)
