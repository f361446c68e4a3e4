"""Engines' message logs: the records read from them (:mod:`sim.logs.entry`), the readers of
HL7 v2 and CSV logs, and the writers that turn a simulated run's trace into such a log."""
