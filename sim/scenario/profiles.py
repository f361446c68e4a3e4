"""The named shapes of a day (``profile: lab``), from ``domain.md`` section 7.1.

Each is 24 hourly weights, 00:00 first, in percent of the daily volume; the model uses them
relative to their mean, so only the shape matters, never the scale.
"""

from __future__ import annotations

__all__ = ["FLAT", "PROFILES", "P_DAY", "P_LAB", "P_LAB_RES", "P_MIX", "profile_name"]

FLAT: tuple[float, ...] = (1.0,) * 24
"""The same volume every hour."""

P_LAB: tuple[float, ...] = (
    1.5, 1.2, 1.0, 1.0, 1.2, 2.0, 5.0, 12.0, 12.0, 9.0, 6.5, 5.5,
    5.0, 5.0, 4.8, 4.5, 4.0, 3.5, 3.2, 3.0, 2.8, 2.5, 2.0, 1.8,
)  # fmt: skip
"""Lab, blood-bank and microbiology orders: morning sampling rounds peak at 07-09."""

P_LAB_RES: tuple[float, ...] = P_LAB[-2:] + P_LAB[:-2]
"""Lab and blood-bank results: P_LAB two hours later."""

P_DAY: tuple[float, ...] = (1.2,) * 7 + (3.0,) + (9.0,) * 8 + (4.0,) + (1.8,) * 7
"""Radiology, pathology, microbiology results and MedCom: elective daytime work."""

P_MIX: tuple[float, ...] = tuple((lab + day) / 2 for lab, day in zip(P_LAB, P_DAY, strict=True))
"""ECG: the average of P_LAB and P_DAY."""

PROFILES: dict[str, tuple[float, ...]] = {
    "flat": FLAT,
    "lab": P_LAB,
    "lab-results": P_LAB_RES,
    "day": P_DAY,
    "mixed": P_MIX,
}
"""Every named profile by the name scenario files use."""


def profile_name(values: tuple[float, ...]) -> str | None:
    """The name of a named profile with exactly these values, if there is one."""
    for name, shape in PROFILES.items():
        if shape == values:
            return name
    return None
