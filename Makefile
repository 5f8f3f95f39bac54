# Two commands: `make run` and `make test` (see README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export PORT ?= 8000
# Python may cache compiled modules in the venv and the tree (both git-ignored). Where the
# environment forbids it (PYTHONDONTWRITEBYTECODE, set on some CI images), every process
# compiles every module it imports from source: ~1.5 s of CPU per app process, and the
# test suite starts well over a hundred of them (45 s of its 6 minutes here).
unexport PYTHONDONTWRITEBYTECODE
# Test processes (pytest-xdist, whole files per process): one more than the usable CPUs, as
# tests often wait (on a browser, a subprocess, a socket) and an extra process fills those
# gaps (2 CPUs: 346 s with two processes, 317 s with three, 342 s with four); 0 = no extra
# processes, the plain single-process run (one CPU, where workers would only add start-up).
TEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; n = len(os.sched_getaffinity(0)); print(n + 1 if n > 1 else 0)' 2>/dev/null || echo 0)

.PHONY: setup run test lint pairs demo index bench clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)

# uv (installed into the venv from PyPI) resolves and installs the same versions as pip in a
# quarter of the time (60 s → 15 s on a clean clone); pip does it where uv cannot be had or fails.
$(STAMP): pyproject.toml | $(BIN)/python
	( $(BIN)/python -m pip install --quiet --disable-pip-version-check uv \
	  && $(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[test]' ) \
	|| ( $(BIN)/python -m pip install --quiet --upgrade pip && $(BIN)/python -m pip install --quiet -e '.[test]' )
	touch $(STAMP)

setup: $(STAMP)
	$(BIN)/monozukuri db upgrade

demo: setup
	$(BIN)/monozukuri setup-demo

run: demo
	@echo "==> http://127.0.0.1:$(PORT)/  (bot playground: http://127.0.0.1:$(PORT)/playground)"
	@echo "==> staff console: http://127.0.0.1:$(PORT)/admin/"
	@echo "==> first console account: $(BIN)/monozukuri staff create --email you@example.jp --name 'お名前' --role admin"
	$(BIN)/monozukuri serve --with-worker

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

pairs: $(STAMP)
	$(BIN)/python tools/package_pairs.py

test: setup lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

bench: setup
	# The benches; the other files in bench/ are their shared parts (servers, load generators, kits).
	for f in line_webhook line_worker web_pages kpi search fanout; do \
		$(BIN)/python bench/$$f.py || exit 1; done

clean:
	rm -rf $(VENV) instance test-artifacts
