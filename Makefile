# The two commands of the README's quick start, and the checks CI runs.
#   make demo   create .venv with pinned versions, install ehrsim, run the December 2017 replay
#   make test   run the test suite (installing first when needed)
# The install compiles the simulation core with mypyc (setup.py); after editing the core,
# `make core` recompiles it (until then the edited Python sources run, with a warning).
VENV ?= .venv
BIN := $(VENV)/bin
SCENARIO ?= december-2017

.PHONY: install core check-core demo test test-all lint bench clean

$(VENV)/.installed: pyproject.toml setup.py constraints.txt
	python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

install: $(VENV)/.installed

core: install
	$(BIN)/python setup.py --quiet build_ext --inplace

check-core: install
	@$(BIN)/python -c "import sys, sim._compiled as c; c.is_compiled() or sys.exit('the core is not compiled: see the install output')"
	@echo "the compiled core is installed and current"

demo: install
	$(BIN)/ehrsim run $(SCENARIO)

test: install
	$(BIN)/python -m pytest -q

test-all: install
	$(BIN)/python -m pytest -q -m ''

lint: install
	$(BIN)/ruff check sim tests benchmarks setup.py
	$(BIN)/ruff format --check sim tests benchmarks setup.py
	$(BIN)/mypy sim

bench: install
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build sim/_compiled_sources.json
	find sim -name '*.so' -delete
