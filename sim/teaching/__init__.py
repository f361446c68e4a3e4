"""Helpers for the teaching notebooks (``notebooks/``): what the notebooks show, built from
the public API, so that no model logic lives in a notebook.

- :mod:`sim.teaching.whatif`: the interactive what-if's update function (one replication of
  the small world ``small-plug`` under chosen settings), usable without widgets;
- :mod:`sim.teaching.widgets`: its sliders (ipywidgets, imported only there);
- :mod:`sim.teaching.world`: the diagram of a scenario's world (senders, engine, receivers);
- :mod:`sim.teaching.figures`: the results folder's figures for a run, a comparison, a sweep
  or a plan, as matplotlib figures to show inline.

The simulation core never imports this package (a ruff rule enforces it): it sits on top of
the public API, beside the command line.
"""
