# Everything a fresh machine needs: `make demo` and `make test` set up .venv themselves.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
EXAMPLES := examples/submissions/hw1_autograd

.PHONY: setup demo test selftest build bench clean

$(STAMP): requirements.lock pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	@echo "== the reference solution of hw1_autograd (all checks, hidden included)"
	$(BIN)/grader grade solutions/hw1_autograd --assignment hw1_autograd
	@echo "== a student's partially right submission (public self-check)"
	$(BIN)/grader check $(EXAMPLES)/partial.py --assignment hw1_autograd || true

test: setup
	$(BIN)/grader build --check
	$(BIN)/python -m pytest -q

selftest: setup
	$(BIN)/grader selftest

build: setup
	$(BIN)/grader build

bench: setup
	$(BIN)/python bench/bench_hw1.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
