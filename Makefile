# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
LAB_ARGS ?=
PY     := $(VENV)/bin/python
ANN    := $(VENV)/bin/ann-course
STAMP  := $(VENV)/.installed

.PHONY: venv build demo test lint lab bench clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

venv: $(STAMP)

build: venv  ## regenerate course/ and examples/ from solutions/
	$(ANN) build

# The sample class is ours: without bubblewrap, `make demo` grades it without a sandbox and says so.
demo: venv  ## build the release, grade the bundled sample class, print the result
	$(ANN) build
	@if command -v bwrap >/dev/null; then $(ANN) grade examples/submitted --out demo-out; else \
	  echo "make demo: bubblewrap (bwrap) is not installed: grading the bundled sample class" \
	    "WITHOUT a sandbox (--trust-submissions); install it to grade real submissions" >&2; \
	  $(ANN) grade examples/submitted --out demo-out --trust-submissions; fi

# Two processes, a test file each at a time (a file's fixtures stay in one process); the slowest
# tests are listed at the end.
test: venv  ## lint, type-check, then the whole test suite
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(PY) -m pytest -n 2 --dist loadfile --durations=25

lint: venv
	$(PY) -m ruff check .

lab: venv  ## JupyterLab on the student release (e.g. make lab LAB_ARGS="--no-browser --port 8899")
	$(ANN) lab $(LAB_ARGS)

bench: venv  ## speed figures (printed, never asserted)
	$(PY) bench/bench_train.py

clean:
	rm -rf demo-out .nbgrader
