# The two commands of the README's quick start, and the checks CI runs.
#   make demo   create .venv with pinned versions, install ehrsim, run the December 2017 replay
#   make test   run the test suite (installing first when needed)
# The install compiles the simulation core with mypyc (setup.py); after editing the core,
# `make core` recompiles it (until then the edited Python sources run, with a warning).
#   make notebooks  execute notebooks/*.ipynb top to bottom in fresh kernels (MPLBACKEND=Agg) and
#                save them with their outputs, as committed (about a minute and a half)
#   make nordby  the shipped example of a hospital's own engine (README "Your own engine: the
#                Nordby example"): import its Mirth export, calibrate from its HL7 log, run the
#                stall; `make nordby-log` regenerates that log from the made-up world truth.yaml
#   make mutate  mutation testing of the engine's hot modules (mutmut 3, pure Python, about two
#                hours on 2 cores; not part of CI): results in mutants/, `$(BIN)/mutmut browse`;
#                the survivors judged equivalent, and why, are in docs/mutation-survivors.md
VENV ?= .venv
BIN := $(VENV)/bin
SCENARIO ?= december-2017

.PHONY: install core check-core demo test test-all lint bench notebooks nordby nordby-log mutate clean

$(VENV)/.installed: pyproject.toml setup.py constraints.txt
	python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test,browser]'
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

notebooks: install
	MPLBACKEND=Agg $(BIN)/python -m sim.teaching.notebooks notebooks/*.ipynb

# The commands are those of the README; tests/test_nordby_example.py checks that the committed
# topology.yaml and nordby.yaml are what they write.
nordby: install
	$(BIN)/ehrsim import mirth scenarios/examples/nordby/mirth-export.xml --out scenarios/examples/nordby/topology.yaml
	$(BIN)/ehrsim calibrate scenarios/examples/nordby/nordby.hl7 --extends scenarios/examples/nordby/topology.yaml --map RIS=radiology-orders --map PACS=pacs-broker --map BLOODBANK=blood-bank --map MEDCOM=medcom-vans-gateway --out scenarios/examples/nordby/nordby.yaml
	$(BIN)/ehrsim run nordby-stall

nordby-log: install
	$(BIN)/python scenarios/examples/nordby/make_log.py

# The `mutate` extra of pyproject.toml, at the versions of constraints.txt.
$(VENV)/.mutate-installed: $(VENV)/.installed pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet -c constraints.txt $$($(BIN)/python -c \
	  "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['optional-dependencies']['mutate'])")
	touch $@

# [tool.mutmut] in pyproject.toml says what is mutated and which tests run (marker `mutation`).
# mutmut copies all of sim/ into mutants/, compiled modules too: EHRSIM_PURE_PYTHON=1 routes every
# module of the build record to its (mutated) source, and a compiled module without that record
# would load instead of the mutants, so the run refuses it.
# mutmut keeps the results of unchanged functions in mutants/: `rm -rf mutants` starts afresh.
MUTATE_JOBS ?= 2
mutate: $(VENV)/.mutate-installed
	@for d in sim mutants/sim; do \
	  if [ -n "$$(find $$d -name '*.so' 2>/dev/null)" ] && [ ! -f $$d/_compiled_sources.json ]; then \
	    echo "$$d holds compiled modules without their build record: mutmut would test them, not the mutants; delete $$d/**/*.so" >&2; exit 2; fi; \
	done
	EHRSIM_PURE_PYTHON=1 $(BIN)/mutmut run --max-children $(MUTATE_JOBS)
	EHRSIM_PURE_PYTHON=1 $(BIN)/mutmut export-cicd-stats
	@cat mutants/mutmut-cicd-stats.json; echo

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build sim/_compiled_sources.json mutants
	find sim -name '*.so' -delete
