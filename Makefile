# Everything a fresh machine needs: `make demo` and `make test` set up .venv themselves.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
EXAMPLES := examples/submissions/hw1_autograd

.PHONY: setup bytecode sandbox browser demo test test-fast lint selftest mutation build bench bench-bulk bench-profile bench-load bench-pytest bench-cluster bench-suite test-two-doors clean

$(STAMP): requirements.lock pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

# Python may run with PYTHONDONTWRITEBYTECODE=1 (CI images and this project's own machines
# set it): then no process caches the grader's compiled modules, and every grader command,
# worker, fork server and fresh child compiles them again (~0.5 s each, dozens of times in
# `make test`). compileall writes them once (seconds; nothing to do when up to date).
bytecode: setup
	@$(BIN)/python -m compileall -q -j 0 grader tests bench

# The grading sandbox (grader/sandbox.py) needs bubblewrap from the OS packages:
# installed here when we may (root + apt-get), otherwise a loud warning and the
# sandbox tests are skipped (grading then runs without isolation, and says so).
sandbox:
	@if command -v bwrap >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "== installing bubblewrap (grading sandbox)"; \
	  (apt-get install -y -qq bubblewrap >/dev/null 2>&1 || \
	   (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq bubblewrap >/dev/null 2>&1)) || \
	  echo "WARNING: could not install bubblewrap; grading will run WITHOUT a sandbox" >&2; \
	else echo "WARNING: bubblewrap (bwrap) is not installed and cannot be installed here" \
	  "(need root and apt-get); grading will run WITHOUT a sandbox" >&2; fi

# A real browser for the tests that render pages (tests/e2e/test_class_report.py): Debian's
# chromium when we may install it (root + apt-get); otherwise those tests skip, loudly.
browser:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "== installing chromium (headless page tests)"; \
	  (apt-get update -qq >/dev/null 2>&1; apt-get install -y -qq chromium >/dev/null 2>&1) || \
	  echo "WARNING: could not install chromium; the page-rendering tests will be skipped" >&2; \
	else echo "WARNING: chromium is not installed; the page-rendering tests will be skipped" >&2; fi

demo: setup sandbox bytecode
	@echo "== the reference solution of hw1_autograd (all checks, hidden included)"
	$(BIN)/grader grade solutions/hw1_autograd --assignment hw1_autograd
	@echo "== a student's partially right submission (public self-check)"
	$(BIN)/grader check $(EXAMPLES)/partial.py --assignment hw1_autograd || true
	@echo "== the same work pasted into the student notebook (graded cell by cell)"
	$(BIN)/grader check $(EXAMPLES)/partial.ipynb --assignment hw1_autograd || true

# The whole suite, what CI runs: generated files fresh, import contracts, every test, on
# two pytest-xdist workers: each test file (selftest: each assignment) on one worker, tests
# marked `exclusive` alone on the machine (tests/conftest.py). Output: xdist's dots with
# the percentage done, then the 15 slowest tests. `grader build --check` and `lint-imports`
# run beside the tests (seconds each, while xdist starts); their output is shown when they
# fail, and any failure fails the target.
PYTEST_XDIST := -n 2 --dist loadfile
test: setup sandbox browser bytecode
	@logs=$$(mktemp -d); \
	$(BIN)/grader build --check > $$logs/build 2>&1 & build=$$!; \
	$(BIN)/lint-imports > $$logs/lint 2>&1 & lint=$$!; \
	status=0; $(BIN)/python -m pytest $(PYTEST_XDIST) --durations=15 || status=$$?; \
	if wait $$build; then echo "grader build --check: generated files are fresh"; \
	else cat $$logs/build; echo "FAILED: grader build --check (run: make build)"; status=1; fi; \
	if wait $$lint; then tail -n 1 $$logs/lint; \
	else cat $$logs/lint; echo "FAILED: lint-imports"; status=1; fi; \
	rm -rf $$logs; exit $$status

# The inner loop: import contracts and the unit layer (tests/unit: no nbgrader, no
# selftest, no notebook execution, nothing marked slow), hypothesis's `fast` profile
# (a tenth of each property's examples; `make test` runs them all).
test-fast: setup bytecode
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q tests/unit -m "not slow" --hypothesis-profile=fast $(PYTEST_XDIST)

lint: setup
	$(BIN)/lint-imports

selftest: setup
	$(BIN)/grader selftest

# Generated mutants of the reference solutions (issue 19), not part of `make test`:
# e.g. make mutation ARGS="--sample 30 --exercise nn_fit"
mutation: setup
	$(BIN)/grader mutation $(ARGS)

build: setup
	$(BIN)/grader build

bench: setup
	$(BIN)/python bench/bench_hw1.py

# grade-all vs nbgrader autograde on the same 20 notebooks (untouched, then completed), the
# machinery's share of correct work, and the per-phase profile: one run, about 10 minutes.
bench-bulk: setup
	$(BIN)/python bench/bench_bulk.py

# One submission as grade-all grades it, per phase (medians of 5): where the machinery goes.
bench-profile: setup
	$(BIN)/python bench/bench_profile.py

# Quiet vs loaded (4 busy processes per core, each in its own session): scores must be equal.
bench-load: setup
	$(BIN)/python bench/bench_load.py

# grade-all here against `--cluster local:2` (Dask) on the same class: the overhead per submission.
bench-cluster: setup sandbox
	$(BIN)/python bench/bench_cluster.py

# make test's pytest with the machine's CPU counted around it: busy and idle CPU-s (the wall's
# floor on these cores), the summed test time per scheduling group, and, with root, the
# kernel's process accounting (Debian's acct, installed here when we may): the fork servers'
# children (students' code) apart from everything else.
bench-suite: setup sandbox browser bytecode
	@command -v accton >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
	  && apt-get install -y -qq acct >/dev/null 2>&1; } || echo "no acct: no per-process CPU split" >&2
	$(BIN)/python bench/bench_suite.py $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis

# Every selftest case through both doors (grader grade's route and pytest --submission).
test-two-doors: setup
	$(BIN)/python -m pytest -q tests/e2e/test_selftest.py --two-doors=all

bench-pytest: setup
	$(BIN)/python bench/bench_pytest.py
