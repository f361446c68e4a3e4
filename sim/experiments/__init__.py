"""Experiments over scenarios: planning, replications, comparisons, parameter sweeps, capacity
planning (the smallest knob that meets a target), and the theory comparison."""
