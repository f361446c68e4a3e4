# The two commands of the README's quick start, and the checks CI runs.
#   make demo   create .venv with pinned versions, install ehrsim, run the December 2017 replay
#   make test   run the test suite (installing first when needed)
VENV ?= .venv
BIN := $(VENV)/bin
SCENARIO ?= december-2017

.PHONY: install demo test test-all lint bench clean

$(VENV)/.installed: pyproject.toml constraints.txt
	python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/ehrsim run $(SCENARIO)

test: install
	$(BIN)/python -m pytest -q

test-all: install
	$(BIN)/python -m pytest -q -m ''

lint: install
	$(BIN)/ruff check sim tests benchmarks
	$(BIN)/ruff format --check sim tests benchmarks
	$(BIN)/mypy sim

bench: install
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
