"""Reading engines' message logs, whatever their format: the entry point calibration calls.

A file's format is given (``hl7``, ``csv``) or told from its content: MLLP's start byte
(0x0B) or text starting with ``MSH`` (or a batch's ``FHS``/``BHS``) is HL7 v2; a first line
naming the CSV columns is CSV. Files of one format are read together (an ACK may sit in
another file than its original); the entries of both formats come out in one time order.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Final

from sim.logs.csv_read import REQUIRED, is_csv_header, read_csv
from sim.logs.entry import LogError, ReadLog
from sim.logs.hl7_read import read_hl7
from sim.logs.text import decode, read_bytes

FORMATS: Final = ("hl7", "csv")


def read_logs(paths: Sequence[str | Path], fmt: str | None = None) -> ReadLog:
    """Read the log files at `paths` (format `fmt`, or detected per file) as one log.

    Entries are in time order (``time_s``; ties keep the files' order as given, then message
    order); problems in file and message order. A file that cannot be read at all raises
    :class:`LogError` naming it (and the message or row, and the field, where there is one).
    """
    if fmt is not None and fmt not in FORMATS:
        raise ValueError(f"log format {fmt!r} is none of {', '.join(FORMATS)}")
    texts: dict[str, list[tuple[str, str]]] = {name: [] for name in FORMATS}
    files = []
    for path in paths:
        file = str(path)
        text = decode(file, read_bytes(path))
        files.append(file)
        texts[fmt or detect(file, text)].append((file, text))
    hl7 = read_hl7(texts["hl7"])
    tables = read_csv(texts["csv"])
    order = {file: i for i, file in enumerate(files)}
    entries = [*hl7.entries, *tables.entries]
    entries.sort(key=lambda e: (e.time_s, order[e.file]))  # stable within a file
    return ReadLog(entries=entries, problems=hl7.problems, files=files, acks=hl7.acks)


def detect(file: str, text: str) -> str:
    """The format of a log file's text (``hl7`` or ``csv``); a :class:`LogError` if neither.

    A file holding only white space reads as HL7 with no message."""
    start = text.lstrip(" \t\r\n")  # not str.lstrip(): it takes MLLP's 0x0B for white space
    if not start or start[0] == "\x0b" or start[:3] in ("MSH", "FHS", "BHS"):
        return "hl7"
    first = start.splitlines()[0]
    if is_csv_header(first):
        return "csv"
    raise LogError(
        file,
        None,
        None,
        "neither an HL7 v2 log (MLLP 0x0B or a first segment MSH) nor a CSV log (a header "
        f"naming {', '.join(REQUIRED)}); the file starts {first[:40]!r}",
    )
