# The two commands: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
FLASK := $(BIN)/flask --app course_app
COURSE ?= modules/engaging-online
# A worker per core, at most 4 (each has its own database and browser); more arguments, e.g.
# `make suite PYTEST_ARGS="tests/web/test_map.py -n 0 -x"`, come after and win.
WORKERS := -n auto --maxprocesses 4
PYTEST_ARGS ?=

.PHONY: run test quick lint suite install install-test db serve bench bench-seed bench-run clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/activate pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

# One pip run for the app and its test tools; it installs all that `run` needs too.
# The accessibility checks' tools (axe-core, vnu.jar) come from npm when npm is here; without
# them those checks are skipped with the reason (and fail in CI, where REQUIRE_BROWSER=1).
$(VENV)/.installed-test: $(BIN)/activate pyproject.toml package-lock.json
	$(BIN)/pip install --quiet -e '.[test]'
	if command -v npm >/dev/null 2>&1; then npm ci --ignore-scripts --no-audit --no-fund --silent; fi
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

db: install
	$(FLASK) db upgrade
	$(FLASK) course import $(COURSE)
	$(FLASK) demo --if-empty

# The web server and a jobs worker (emails, digests) side by side; Ctrl-C stops both (the
# shell's trap ends the worker when the server stops). Links in emails point at this address
# unless BASE_URL says otherwise. Without MAIL_SERVER, mail goes to /admin/mailbox.
run: db
	@echo "Serving on http://$(HOST):$(PORT) with a jobs worker  (Ctrl-C stops both)"
	@export BASE_URL="$${BASE_URL:-http://$(HOST):$(PORT)}"; \
	$(FLASK) jobs send-due --any-hour; \
	$(FLASK) jobs worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host $(HOST) --port $(PORT)

# Lint first (the quick failure), then the whole suite on both cores.
test: lint suite

# The loop while you work: lint, then the unit and web tests (no browser), about a third of
# the suite's time. `make test` before you push: it runs everything.
quick: lint
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest $(WORKERS) tests/unit tests/web $(PYTEST_ARGS)

# ruff, the import contract (.importlinter) and bandit (no medium or high findings but those
# marked `# nosec` once reviewed: docs/security.md) all
# report, then lint fails if any found something.
lint: install-test
	$(BIN)/ruff check . ; ruff=$$?; \
	$(BIN)/lint-imports; imports=$$?; \
	$(BIN)/bandit -q -c pyproject.toml -r course_app -ll; bandit=$$?; \
	exit $$(( ruff || imports || bandit ))

# pytest keeps its rewritten test modules (and Python its bytecode) only where bytecode may be
# written; in a shell that forbids it each worker would recompile them all on every run.
suite: install-test
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest $(WORKERS) $(PYTEST_ARGS)

bench: install-test
	$(BIN)/python bench/run.py

# Large data and load tests: see bench/README.md (SEED_ARGS, RUN_ARGS pass flags through).
bench-seed: install-test
	bench/seed $(SEED_ARGS)

bench-run: install-test
	bench/run $(RUN_ARGS)

clean:
	rm -rf $(VENV) instance/*.sqlite* .pytest_cache
