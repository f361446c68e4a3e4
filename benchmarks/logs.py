"""How fast are engines' message logs read (`sim.logs.read_logs`, the reader `ehrsim calibrate`
stands on)?

A synthetic day-and-more of a hospital's traffic is written to a temporary folder, twice: an
HL7 v2 log, MLLP-framed, of ``sizes.log_messages`` messages (originals and their ACKs: orders
EPIC to LAB and RIS with PID, PV1, ORC, OBR and NTE; results LAB to EPIC with PID, OBR and six
OBX; admissions EPIC to LAB; one in fifty negative ACKs, one in a hundred sent twice), and the
same originals as a CSV table, one row per original carrying its ACK. Each repetition reads
both (in an order that rotates); the figure is the median of the CPU seconds, and what was read
is checked against what was written (every original, every ACK joined, nothing skipped).

Beside it, on a sample of the HL7 messages: python-hl7's parse of each whole message against
the reader's own per-message work (framed segments and fields cut to those read, then parsed
by python-hl7 and the fields read), which is why the reader hands the parser only that.
"""

from __future__ import annotations

import random
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks.common import Sizes, cpu_time, median, rotated

if TYPE_CHECKING:
    from sim.logs.entry import ReadLog

START = datetime(2026, 1, 5, tzinfo=UTC)
SAMPLE = 20_000
"""Messages of the whole-message parse comparison (fewer in a quick run)."""
RATE_PER_S = 1.5
"""Originals a second: 300,000 messages span about 28 hours."""


@dataclass
class LogsResult:
    """Every repetition of reading the two logs, and the parse comparison."""

    messages: int
    originals: int
    acks: int
    hl7_bytes: int
    csv_bytes: int
    hl7_cpu: list[float] = field(default_factory=list)
    csv_cpu: list[float] = field(default_factory=list)
    sample: int = 0
    whole_parse_cpu: float = 0.0
    reader_cpu: float = 0.0

    @property
    def hl7_rate(self) -> float:
        """HL7 messages (originals and ACKs) read per CPU-second, median."""
        return self.messages / median(self.hl7_cpu)

    @property
    def csv_rate(self) -> float:
        """CSV rows (an original with its ACK each) read per CPU-second, median."""
        return self.originals / median(self.csv_cpu)


@dataclass(frozen=True)
class _Original:
    time: datetime
    source: str
    destination: str
    kind: str
    control: str
    segments: tuple[str, ...]
    ack_after_s: float
    code: str
    patient: str
    priority: str
    placer: str


def _stamp(when: datetime) -> str:
    return when.strftime("%Y%m%d%H%M%S.") + f"{when.microsecond // 1000:03d}+0000"


def _originals(messages: int, seed: int = 15) -> list[_Original]:
    """Made-up traffic: about `messages` HL7 messages' worth of originals (each with an ACK,
    one in a hundred resent)."""
    rng = random.Random(seed)
    out: list[_Original] = []
    now = START
    i = 0
    while 2 * len(out) < messages:
        i += 1
        now += timedelta(seconds=rng.expovariate(RATE_PER_S))
        patient = f"MRN{rng.randrange(40_000):06d}"
        placer = f"PL{i:08d}"
        priority = rng.choices("SAR", (1, 2, 7))[0]
        stamp = _stamp(now)
        pid = (
            f"PID|1||{patient}^^^HOSP^MR||Testperson^Alex^Q||19700101|U|||"
            "1 Made-up Street^^Town^^0000||555-0100"
        )
        draw = rng.random()
        if draw < 0.5:
            source, destination, kind = "EPIC", rng.choice(("LAB", "RIS")), "ORM^O01^ORM_O01"
            body = (
                pid,
                "PV1|1|I|W1^12^1^HOSP||||1234^Doctor^Made^Up|||MED||||||||V1",
                f"ORC|NW|{placer}^EPIC||G{i}|||^^^{stamp}^^{priority}|||{stamp}|||1234^Doctor",
                f"OBR|1|{placer}^EPIC||CBC^Complete blood count^L|||{stamp}"
                + "|" * 20
                + f"^^^^^{priority}",
                "NTE|1||Made-up order for a benchmark",
                "NTE|2||Second comment line",
            )
        elif draw < 0.9:
            source, destination, kind = "LAB", "EPIC", "ORU^R01^ORU_R01"
            body = (
                pid,
                f"OBR|1|{placer}^EPIC|F{i}^LAB|CBC^Complete blood count^L|||{stamp}"
                + "|" * 15
                + f"{stamp}||LAB|F",
                *(
                    f"OBX|{k}|NM|{code}^{code}^L||{rng.uniform(1, 10):.1f}|10*9/L|1-10|N|||F"
                    for k, code in enumerate(("WBC", "RBC", "HGB", "HCT", "PLT", "MCV"), start=1)
                ),
            )
        else:
            source, destination, kind = "EPIC", "LAB", "ADT^A01^ADT_A01"
            body = (
                f"EVN|A01|{stamp}",
                pid,
                "PV1|1|I|W1^12^1^HOSP||||1234^Doctor^Made^Up|||MED||||||||V1",
            )
        control = f"{source}{i:09d}"
        msh = f"MSH|^~\\&|{source}|HOSP|{destination}|HOSP|{stamp}||{kind}|{control}|P|2.5"
        code = "AE" if rng.random() < 0.02 else "AA"
        after = rng.lognormvariate(-1.0, 0.8)
        out.append(
            _Original(
                now,
                source,
                destination,
                kind,
                control,
                (msh, *body),
                after,
                code,
                patient,
                {"S": "stat", "A": "urgent", "R": "routine"}[priority],
                placer,
            )
        )
    return out


@dataclass(frozen=True)
class Written:
    """The two logs written and what they hold."""

    hl7: Path
    csv: Path
    messages: int
    """HL7 messages: originals, resends and ACKs."""
    originals: int
    """Originals in the HL7 log, resends included (the CSV has one row per original)."""
    acks: int


def write_logs(folder: Path, messages: int) -> Written:
    """The HL7 (MLLP) and CSV logs of the same made-up traffic."""
    originals = _originals(messages)
    rng = random.Random(16)
    framed: list[tuple[datetime, str]] = []
    acks = 0
    for o in originals:
        framed.append((o.time, "\x0b" + "\r".join(o.segments) + "\r\x1c\r"))
        ack_at = o.time + timedelta(seconds=o.ack_after_s)
        if rng.random() < 0.01:  # a resend under the same MSH-10; the ACK answers it
            o_resent = o.time + timedelta(seconds=o.ack_after_s / 2)
            framed.append((o_resent, "\x0b" + "\r".join(o.segments) + "\r\x1c\r"))
        ack = (
            f"MSH|^~\\&|{o.destination}|HOSP|{o.source}|HOSP|{_stamp(ack_at)}||ACK^{o.kind[4:7]}"
            f"|A{o.control}|P|2.5\rMSA|{o.code}|{o.control}"
        )
        framed.append((ack_at, "\x0b" + ack + "\r\x1c\r"))
        acks += 1
    framed.sort(key=lambda pair: pair[0])
    hl7_path = folder / "engine.hl7"
    hl7_path.write_text("".join(text for _, text in framed), encoding="utf-8", newline="")
    rows = ["time,source,destination,message,status,ack_ms,patient,priority,placer"]
    for o in originals:
        stamp = o.time.strftime("%Y-%m-%dT%H:%M:%S.") + f"{o.time.microsecond // 1000:03d}Z"
        rows.append(
            f"{stamp},{o.source},{o.destination},{o.kind[:7]},{o.code},"
            f"{o.ack_after_s * 1000:.0f},{o.patient},{o.priority},{o.placer}"
        )
    csv_path = folder / "engine.csv"
    csv_path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return Written(hl7_path, csv_path, len(framed), len(framed) - acks, acks)


def measure(sizes: Sizes) -> LogsResult:
    """Write both logs, read each `sizes.repeats` times (checking what was read), and compare
    python-hl7 on whole messages with the reader's own work on a sample."""
    from sim.logs.read import read_logs

    with tempfile.TemporaryDirectory(prefix="ehrsim-logs-") as tmp:
        written = write_logs(Path(tmp), sizes.log_messages)
        result = LogsResult(
            messages=written.messages,
            originals=written.originals,
            acks=written.acks,
            hl7_bytes=written.hl7.stat().st_size,
            csv_bytes=written.csv.stat().st_size,
        )
        readers = {"hl7": written.hl7, "csv": written.csv}
        for k in range(sizes.repeats):
            for name in rotated(list(readers), k):
                log, cpu = cpu_time(lambda path=readers[name]: read_logs([path]))
                _check(name, log, written)
                (result.hl7_cpu if name == "hl7" else result.csv_cpu).append(cpu)
        _compare_parse(result, written.hl7, min(SAMPLE, sizes.log_messages))
    return result


def _check(name: str, log: ReadLog, written: Written) -> None:
    matched = sum(1 for e in log.entries if e.ack_code is not None)
    expected = (written.originals, written.acks) if name == "hl7" else (written.acks,) * 2
    got = (len(log.entries), matched)
    assert got == expected and not log.problems, f"{name} log read as {got}, not {expected}"


def _compare_parse(result: LogsResult, path: Path, sample: int) -> None:
    """CPU seconds of python-hl7 parsing `sample` whole messages, and of the reader's own
    per-message work (cut, parse, fields) on the same messages."""
    import hl7

    from sim.logs.hl7_fields import read_message
    from sim.logs.hl7_frame import messages

    text = path.read_text(encoding="utf-8")
    batch = [m for _, m in zip(range(sample), messages(str(path), text), strict=False)]
    whole = ["\r".join(segments) for _, segments in batch]
    _, result.whole_parse_cpu = cpu_time(lambda: [hl7.parse(m) for m in whole])
    _, result.reader_cpu = cpu_time(lambda: [read_message("f", n, s) for n, s in batch])
    result.sample = len(batch)
