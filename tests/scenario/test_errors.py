"""Tests of Problem and ScenarioError: how problems read, and did-you-mean."""

from __future__ import annotations

import pickle

from sim.scenario.errors import Problem, ScenarioError, did_you_mean, show


class TestProblem:
    def test_file_line_path_message(self) -> None:
        """A problem reads 'file:line: key.path: message'."""
        problem = Problem("scenarios/x.yaml", 14, "flows.lab-orders.rate", "'25OO/h' is not a rate")
        assert str(problem) == "scenarios/x.yaml:14: flows.lab-orders.rate: '25OO/h' is not a rate"

    def test_whole_file_and_option_origins(self) -> None:
        """A file-wide problem has no path; a --set problem names the option and key."""
        assert str(Problem("x.yaml", 1, "", "the file is empty")) == "x.yaml:1: the file is empty"
        assert str(Problem("x.yaml", None, "", "no such file")) == "x.yaml: no such file"
        assert str(Problem("--set", None, "strategy.queues", "bad")) == "--set strategy.queues: bad"


class TestScenarioError:
    def test_one_line_per_problem(self) -> None:
        """str() of the error is one line per problem, in order."""
        problems = [Problem("a.yaml", 1, "name", "x"), Problem("a.yaml", 2, "seed", "y")]
        error = ScenarioError(problems)
        assert str(error) == "a.yaml:1: name: x\na.yaml:2: seed: y"

    def test_pickles_with_its_problems(self) -> None:
        """The error survives pickling with every problem intact."""
        error = ScenarioError([Problem("a.yaml", 1, "name", "x")])
        again = pickle.loads(pickle.dumps(error))
        assert again.problems == error.problems
        assert str(again) == str(error)


class TestHelpers:
    def test_did_you_mean(self) -> None:
        """A close match (ignoring case) is suggested; nothing when nothing is close."""
        assert did_you_mean("rat", ["rate", "trace"]) == "; did you mean 'rate'?"
        assert did_you_mean("RATE", ["rate"]) == "; did you mean 'rate'?"
        assert did_you_mean("colour", ["rate", "trace"]) == ""

    def test_show(self) -> None:
        """Values are shown as the user would recognise them, long text cut."""
        assert [show(v) for v in (None, True, "x", "", 2.5, {}, [])] == [
            "nothing (null)", "true", "'x'", "''", "2.5", "a mapping", "a list",
        ]  # fmt: skip
        assert show("a" * 100) == "'" + "a" * 59 + "…'"
