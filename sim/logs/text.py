"""The bytes of a log file as text, or a :class:`LogError` saying why they are not.

Logs are UTF-8 or, failing that, Latin-1 (every byte is a character there, so a cp1252 or
ISO 8859-1 export still reads; HL7's MSH-18 is not consulted). A leading byte-order mark is
dropped. A file holding NUL or other control characters than tab, line ends and MLLP's frame
bytes (0x0B, 0x1C) is not a log but something else (a zip, a database file) and stops the read.
"""

from __future__ import annotations

import re
from pathlib import Path

from sim.logs.entry import LogError

_NOT_TEXT = re.compile(rb"[\x00-\x08\x0c\x0e-\x1a\x1d-\x1f\x7f]")
"""Bytes no text log holds: C0 controls other than \\t, \\n, \\r, 0x0B and 0x1C, and DEL."""
_BOM = b"\xef\xbb\xbf"


def read_bytes(path: str | Path) -> bytes:
    """The file's bytes; a missing or unreadable file is a :class:`LogError` naming it."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise LogError(str(path), None, None, f"cannot read the file ({exc.strerror})") from None


def decode(file: str, data: bytes) -> str:
    """The text of a log file's bytes (UTF-8, else Latin-1), without a byte-order mark."""
    bad = _NOT_TEXT.search(data)
    if bad is not None:
        byte = data[bad.start()]
        raise LogError(
            file, None, None, f"not a text file (byte 0x{byte:02X} at offset {bad.start()})"
        )
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")
