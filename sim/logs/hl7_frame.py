"""Cutting an HL7 v2 log's text into messages, each a list of segments.

Two framings are read, told apart by the file's first character that is not white space:

- MLLP (``0x0B`` opens it): each message sits between ``0x0B`` and ``0x1C`` (the ``0x0D`` the
  protocol puts after ``0x1C`` is taken when present). Only white space may stand between
  frames; anything else, and a frame never closed, stops the read (:class:`LogError`).
- Lines: one segment a line; a line starting with ``MSH`` starts a message. Lines before the
  first ``MSH`` form a message of their own, which has no MSH (counted, not fatal); a file
  where no line starts with ``MSH`` is no HL7 log (say, a CSV read as HL7) and stops the read.

Segments end in ``\\r``, ``\\n`` or ``\\r\\n``, mixed freely within a file or a message. Blank
segments are dropped, and so are the batch envelope's (``FHS``, ``BHS``, ``BTS``, ``FTS``):
they wrap messages rather than being part of one. Messages are numbered from 1 in file order,
whatever they turn out to be (originals, ACKs, skipped ones), so a number finds the message in
the file.
"""

from __future__ import annotations

from collections.abc import Iterator

from sim.logs.entry import LogError

START_BLOCK = "\x0b"
END_BLOCK = "\x1c"
_ENVELOPE = frozenset({"FHS", "BHS", "BTS", "FTS"})
_WHITE = " \t\r\n"


def segments_of(text: str) -> list[str]:
    """The segments of one message's text: split at any line end, blanks and envelopes out."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [line for line in lines if line.strip(" \t") and line[:3] not in _ENVELOPE]


def is_mllp(text: str) -> bool:
    """Whether the text is MLLP-framed (its first character past white space opens a block)."""
    return text.lstrip(_WHITE)[:1] == START_BLOCK


def messages(file: str, text: str) -> Iterator[tuple[int, list[str]]]:
    """(number, segments) of each message of a log's text, in file order."""
    if is_mllp(text):
        return _framed(file, text)
    return _lines(file, text)


def _framed(file: str, text: str) -> Iterator[tuple[int, list[str]]]:
    number = 0
    pos = 0
    size = len(text)
    while True:
        while pos < size and text[pos] in _WHITE:
            pos += 1
        if pos >= size:
            return
        number += 1
        if text[pos] != START_BLOCK:
            snippet = text[pos : pos + 20].split(START_BLOCK)[0]
            raise LogError(
                file,
                number,
                "MLLP frame",
                f"text outside an MLLP frame at offset {pos}: {snippet!r}",
            )
        end = text.find(END_BLOCK, pos + 1)
        reopened = text.find(START_BLOCK, pos + 1, end if end >= 0 else size)
        if end < 0 or reopened >= 0:
            raise LogError(
                file,
                number,
                "MLLP frame",
                f"the frame opened at offset {pos} is never closed (no 0x1C before "
                + ("the next 0x0B)" if reopened >= 0 else "the end of the file)"),
            )
        yield number, segments_of(text[pos + 1 : end])
        pos = end + 1
        if pos < size and text[pos] == "\r":
            pos += 1


def _lines(file: str, text: str) -> Iterator[tuple[int, list[str]]]:
    number = 0
    current: list[str] = []
    for segment in segments_of(text):
        if START_BLOCK in segment or END_BLOCK in segment:
            starts = segment.strip(START_BLOCK + END_BLOCK).startswith("MSH") and current
            raise LogError(
                file,
                number + (2 if starts else 1),
                "MLLP frame",
                "an MLLP frame byte in a file that does not start with one (0x0B)",
            )
        if segment.startswith("MSH") and current:
            number += 1
            yield number, current
            current = []
        current.append(segment)
    if current:
        if number == 0 and not current[0].startswith("MSH"):
            raise LogError(file, None, None, "no line starts with MSH: not an HL7 v2 log")
        yield number + 1, current
