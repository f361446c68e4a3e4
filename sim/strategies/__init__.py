"""Queueing strategies, each a small class registered by the name the scenario YAML uses."""

from sim.strategies.disciplines import DISCIPLINES, Discipline, register_discipline
from sim.strategies.retry import BACKOFFS, JITTERS, RetryPolicy

__all__ = [
    "BACKOFFS",
    "DISCIPLINES",
    "JITTERS",
    "Discipline",
    "RetryPolicy",
    "register_discipline",
]
