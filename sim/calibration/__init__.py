"""Calibration: a scenario fitted to an engine's message log.

:func:`calibrate` takes the entries a log reader produced (:mod:`sim.logs`) and fits, per flow
(sending application, receiving application, message type), the daily rate, the hourly profile,
the weekday pattern and the priority mix; per receiving system, the ACK-time distribution and
the share of negative ACKs; and the replies that link results to their orders. The result,
:class:`Calibration`, holds every fit with its interval and the number of messages behind it;
:mod:`sim.calibration.scenario_text` writes it as a commented scenario and
:mod:`sim.calibration.record` as calibration.json. Modules, one job each:

- :mod:`.naming`: flows, application ids, which application is the EHR;
- :mod:`.window`: the days a log covers, on its own wall clock;
- :mod:`.counts`: rate, hourly profile and weekday pattern (Poisson and binomial intervals);
- :mod:`.shares`: the priority mix and the share of negative ACKs;
- :mod:`.durations`: a duration distribution chosen by a goodness-of-fit test;
- :mod:`.replies`: results matched to their orders by placer number;
- :mod:`.topology`: what a file given to ``--extends`` already has;
- :mod:`.fit`: all of it, for a whole log;
- :mod:`.numbers`, :mod:`.scenario_text`: the scenario as commented YAML text;
- :mod:`.record`: calibration.json.

Writing the files (and the figures, :mod:`sim.report.plots.calibration`) is the report layer's
job: :mod:`sim.report.calibration`. scipy is imported by the functions that fit, not at the top,
so that ``import sim`` stays quick.
"""

from sim.calibration.fit import Calibration, calibrate
from sim.calibration.naming import CalibrationError

__all__ = ["Calibration", "CalibrationError", "calibrate"]
