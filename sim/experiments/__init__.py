"""Experiments over scenarios: planning, replications, comparisons, parameter sweeps, and the
theory comparison."""
