"""The report layer: a run's results folder (CSV, JSON, PNG), the terminal tables' content, and
the reports (HTML, Markdown) of a results folder.

- :mod:`sim.report.results`: the folder's place, run ids, atomic writing, summary/run JSON.
- :mod:`sim.report.csvs`: timeseries, latency, events, replications and trace CSV files.
- :mod:`sim.report.plots`: the PNGs of a run (backlog, people, clinical, latency) and of a
  comparison (backlog, destinations, metrics); the only package that imports matplotlib, and
  it is imported only when a results folder is written.
- :mod:`sim.report.tables`: rows of text for the CLI's tables (rendering stays in the CLI).
- :mod:`sim.report.comparison`: the results folder of ``ehrsim compare`` and its tables' rows.
- :mod:`sim.report.compare_text`: a comparison's labels, values, paired differences and
  trade-offs in words.
- The report of a results folder (``ehrsim report``): :mod:`sim.report.folder` reads the folder
  back (and lists the figures a report embeds, with their captions);
  :mod:`sim.report.run_content`, :mod:`sim.report.compare_content`,
  :mod:`sim.report.sweep_content`, :mod:`sim.report.plan_content` and their pieces
  (:mod:`sim.report.content`, :mod:`sim.report.scenario_words`, :mod:`sim.report.gantt`) say
  what it shows; :mod:`sim.report.html` and :mod:`sim.report.markdown` lay it out with the
  templates in ``templates/``; :mod:`sim.report.publish` writes the files.

The core (scenario, model, metrics, experiments) never imports this package.
"""
