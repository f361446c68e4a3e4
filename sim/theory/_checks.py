"""Argument checks shared by the theory modules.

Every check raises ValueError with a message that names the argument and the value, because
these functions are called with numbers taken from scenario files and the caller should not
have to guess which one was wrong.
"""

from __future__ import annotations

import math
import operator


def nonnegative(name: str, value: float) -> float:
    """Returns ``value`` as a float after checking that it is finite and at least 0."""
    x = float(value)
    if not math.isfinite(x) or x < 0.0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return x


def positive(name: str, value: float) -> float:
    """Returns ``value`` as a float after checking that it is finite and above 0."""
    x = float(value)
    if not math.isfinite(x) or x <= 0.0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return x


def servers(name: str, value: int) -> int:
    """Returns ``value`` as an int after checking that it is a whole number of servers >= 1."""
    try:
        c = operator.index(value)
    except TypeError:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}") from None
    if c < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    return c


def stable(rho: float, detail: str) -> None:
    """Raises ValueError when a utilisation is 1 or more (no steady state exists).

    Args:
        rho: Utilisation of the station (arrival rate over total service rate).
        detail: The inputs that gave ``rho``, for the message.
    """
    if rho >= 1.0:
        raise ValueError(
            f"unstable: utilisation rho = {rho:.6g} >= 1 ({detail}); the queue grows without "
            "bound and has no steady state"
        )
