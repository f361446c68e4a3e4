"""Experiments over scenarios: planning, replications, and the theory comparison."""
