"""Regenerate nordby.hl7, Nordby Hospital's made-up engine log, from truth.yaml.

    python scenarios/examples/nordby/make_log.py      (or: make nordby-log)

Three steps, each with ehrsim's own tools, then the texture of a real log:

1. ``ehrsim run truth.yaml --trace`` simulates four days of the made-up hospital (Monday to
   Thursday, one replication, its seed);
2. ``ehrsim log RUN --format hl7 --framing lines`` writes the run as the HL7 v2 log an engine
   keeps (an original per send, an ACK per answer);
3. this script keeps Tuesday 00:00 to Friday 00:00 (a log starts mid-stream: Monday only fills
   the queues of results, so a few results early on Tuesday answer orders the log does not
   hold) and rewrites what ``ehrsim log`` writes the simulator's way into what an engine at
   Nordby would write:

   - the EHR is ``NORDBY-EPJ`` (ehrsim writes ``EHR``), every application's facility
     ``NORDBY`` (MSH-4, MSH-6);
   - times carry Danish winter time's offset, ``+0100`` (MSH-7, EVN-2, ORC-9);
   - patients are medical record numbers, ``NB0001234^^^NORDBY^MR`` (ehrsim writes 1234);
   - message control ids are ``NBY00000042`` (an ACK's MSA-2 follows), placer numbers
     ``EPJ0000042``, and an order's service the department's code (``LAB-PANEL^Lab panel^L``)
     instead of the flow's id;
   - two faults a reader reports and skips: one lab order whose MSH-7 a script on the EHR side
     wrote as ``2026-02-05 08:08`` (unreadable; the ACK that answers it then answers nothing
     the reader kept) and one ACK the blood bank sent twice (an ACK for no message).

The same truth.yaml and ehrsim give the same log, byte for byte. Every message is parsed and
rewritten with python-hl7, the parser ehrsim reads logs with.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

import hl7

HERE = Path(__file__).resolve().parent
TRUTH = HERE / "truth.yaml"
LOG = HERE / "nordby.hl7"

FIRST_DAY = datetime(2026, 2, 3)
"""Tuesday 3 February 2026: the log's first day (truth.yaml starts on the Monday)."""
DAYS = 3
OFFSET = "+0100"
FACILITY = "NORDBY"
APPLICATIONS = {"EHR": "NORDBY-EPJ"}
"""ehrsim's application name -> Nordby's; the others (LABKA, RIS, PACS, ...) stay as written."""
SERVICES = {
    "lab-orders": ("LAB-PANEL", "Lab panel", "L"),
    "lab-results": ("LAB-PANEL", "Lab panel", "L"),
    "imaging-orders": ("RAD-EXAM", "Imaging examination", "L"),
    "imaging-results": ("RAD-EXAM", "Imaging examination", "L"),
    "worklist": ("RAD-EXAM", "Imaging examination", "L"),
    "bloodbank-orders": ("BB-TS", "Type and screen", "L"),
    "bloodbank-results": ("BB-TS", "Type and screen", "L"),
}
"""A flow's id (OBR-4.2 as ehrsim writes it) -> the service (OBR-4, OBX-3) Nordby uses."""

BAD_TIME_ORDER = 1000
"""The 1000th lab order kept gets the unreadable MSH-7."""
DOUBLE_ACK_FROM = "BLOODBANK"
DOUBLE_ACK = 20
"""The blood bank's 20th ACK kept is sent again, a second later."""


def ehrsim(*args: str) -> None:
    """Run an ehrsim command with this Python (the ehrsim installed beside it)."""
    subprocess.run([sys.executable, "-m", "sim", *args], check=True)


def simulated_log(folder: Path) -> str:
    """truth.yaml run with --trace and written as an HL7 log, one segment a line."""
    run = folder / "run"
    ehrsim("run", str(TRUTH), "--trace", "--out", str(run), "--quiet")
    raw = folder / "raw.hl7"
    ehrsim("log", str(run), "--format", "hl7", "--framing", "lines", "--out", str(raw))
    return raw.read_text(encoding="ascii")


def messages(text: str) -> list[hl7.Message]:
    """The log's messages: each starts at a line beginning with MSH."""
    found: list[list[str]] = []
    for line in text.splitlines():
        if line.startswith("MSH"):
            found.append([])
        found[-1].append(line)
    return [hl7.parse("\r".join(lines)) for lines in found]


def wall(stamp: str) -> datetime:
    """An MSH-7 as ehrsim writes it (``YYYYMMDDHHMMSS.SSS``) as a date and time."""
    return datetime.strptime(stamp, "%Y%m%d%H%M%S.%f")


def has(message: hl7.Message, name: str) -> bool:
    """Whether the message holds a segment `name`."""
    return any(str(segment[0]) == name for segment in message)


def components(message: hl7.Message, parts: tuple[str, ...]) -> str:
    """A field of several components, each escaped, joined by the message's own separator."""
    return str(message.separators[3]).join(str(message.escape(part)) for part in parts)


def retexture(message: hl7.Message) -> None:
    """Nordby's names, offsets, ids and services in place of the simulator's."""
    msh = message.segment("MSH")
    for field in (3, 5):
        app = str(msh(field))
        msh.assign_field(APPLICATIONS.get(app, app), field)
    msh.assign_field(FACILITY, 4)
    msh.assign_field(FACILITY, 6)
    msh.assign_field(str(msh(7)) + OFFSET, 7)
    if str(msh(9)) == "ACK":
        msa = message.segment("MSA")
        msa.assign_field(f"NBY{int(str(msa(2))):08d}", 2)
        return
    msh.assign_field(f"NBY{int(str(msh(10))):08d}", 10)
    pid = message.segment("PID")
    mrn = f"NB{int(str(pid(3))):07d}"
    pid.assign_field(components(message, (mrn, "", "", FACILITY, "MR")), 3)
    if has(message, "EVN"):
        evn = message.segment("EVN")
        evn.assign_field(str(evn(2)) + OFFSET, 2)
    if has(message, "ORC"):
        orc = message.segment("ORC")
        placer = f"EPJ{int(str(orc(2))):07d}"
        orc.assign_field(placer, 2)
        orc.assign_field(str(orc(9)) + OFFSET, 9)
        obr = message.segment("OBR")
        obr.assign_field(placer, 2)
        service = SERVICES[str(message.extract_field("OBR", 1, 4, 1, 2))]
        for segment_name, field in (("OBR", 4), ("OBX", 3)):
            if has(message, segment_name):
                message.segment(segment_name).assign_field(components(message, service), field)


def textured(raw: list[hl7.Message]) -> list[hl7.Message]:
    """The kept days' messages, retextured, with the two faults of a real log."""
    start, end = FIRST_DAY, FIRST_DAY + timedelta(days=DAYS)
    kept = [m for m in raw if start <= wall(str(m.segment("MSH")(7))) < end]
    out: list[hl7.Message] = []
    lab_orders = acks = 0
    for message in kept:
        msh = message.segment("MSH")
        sender, kind = str(msh(3)), str(msh(9))
        retexture(message)
        out.append(message)
        if sender == "EHR" and kind.startswith("OML"):
            lab_orders += 1
            if lab_orders == BAD_TIME_ORDER:
                written = wall(str(msh(7)).removesuffix(OFFSET))
                msh.assign_field(f"{written:%Y-%m-%d %H:%M}", 7)
        if sender == DOUBLE_ACK_FROM and kind == "ACK":
            acks += 1
            if acks == DOUBLE_ACK:
                again = hl7.parse(str(message))
                again_msh = again.segment("MSH")
                sent = wall(str(again_msh(7)).removesuffix(OFFSET)) + timedelta(seconds=1)
                again_msh.assign_field(
                    f"{sent:%Y%m%d%H%M%S}.{sent.microsecond // 1000:03d}" + OFFSET, 7
                )
                again_msh.assign_field(str(again_msh(10)) + "R", 10)
                out.append(again)
    return out


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="nordby-") as folder:
        raw = messages(simulated_log(Path(folder)))
    lines = "".join(str(segment) + "\n" for message in textured(raw) for segment in message)
    staged = LOG.with_name(f".{LOG.name}.partial")
    staged.write_text(lines, encoding="ascii")
    staged.replace(LOG)
    print(f"wrote {LOG} ({lines.count('MSH|'):,} messages)")


if __name__ == "__main__":
    main()
