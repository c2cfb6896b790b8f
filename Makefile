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

demo: venv  ## build the release, grade the bundled sample class, print the result
	$(ANN) build
	$(ANN) grade examples/submitted --out demo-out

test: venv  ## lint, then the whole test suite
	$(PY) -m ruff check .
	$(PY) -m pytest

lint: venv
	$(PY) -m ruff check .

lab: venv  ## JupyterLab on the student release (e.g. make lab LAB_ARGS="--no-browser --port 8899")
	$(ANN) lab $(LAB_ARGS)

bench: venv  ## speed figures (printed, never asserted)
	$(PY) bench/bench_train.py

clean:
	rm -rf demo-out .nbgrader
