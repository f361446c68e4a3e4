"""ehrsim: a chaos and resilience testbed for hospital integration engines.

The public API: load a scenario, look at its expected load, run it, compare its variants,
sweep a grid of its keys, find the smallest value of a knob that meets a target, map which
triggers it survives; and fit a scenario to an engine's message log (:func:`calibrate`, on
what :func:`sim.logs.read.read_logs` read).  The command line (`ehrsim`) and the notebooks
use exactly these functions; the core never prints or writes.
"""

from __future__ import annotations

# First: decides, before the core loads, whether its compiled build is current (sim/_compiled.py).
from sim._compiled import CORE_FROM_SOURCES  # noqa: F401
from sim.calibration import Calibration, CalibrationError, calibrate
from sim.experiments.capacity import CapacityResult, find_capacity
from sim.experiments.compare import Comparison, compare
from sim.experiments.executors import Executor, open_executor
from sim.experiments.metastability import MetastabilityResult, find_metastability
from sim.experiments.plan import Plan, plan
from sim.experiments.run import ReplicationResult, RunResult, run
from sim.experiments.sweep import SweepResult, sweep
from sim.scenario import ScenarioError, load_scenario

__version__ = "0.1.0"

__all__ = [
    "Calibration",
    "CalibrationError",
    "CapacityResult",
    "Comparison",
    "Executor",
    "MetastabilityResult",
    "Plan",
    "ReplicationResult",
    "RunResult",
    "ScenarioError",
    "SweepResult",
    "__version__",
    "calibrate",
    "compare",
    "find_capacity",
    "find_metastability",
    "load_scenario",
    "open_executor",
    "plan",
    "run",
    "sweep",
]
