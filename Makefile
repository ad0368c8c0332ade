# Madoguchi: `make run` starts everything on one machine, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3.11
UV_VERSION := 0.13.9
UV := .tools/uv/bin/uv
VENV := .venv
export RASA_TELEMETRY_ENABLED := false

.PHONY: run test lint typecheck venv clean

$(UV):
	$(PYTHON) -m venv .tools/uv
	.tools/uv/bin/pip install --quiet uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --extra whisper
	touch $@

venv: $(VENV)/.synced

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

test: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest

# `make run` hooks for the other pieces: RUN_PREREQS are targets to build first (models, Rasa's venv
# and trained model); RUN_WITH adds supervised processes as --with "NAME=COMMAND", e.g.
#   RUN_PREREQS += rasa-model
#   RUN_WITH += --with "rasa=$(MAKE) --no-print-directory rasa-serve"
RUN_PREREQS ?=
RUN_WITH ?=

# Migrates the database, creates the demo account, starts web app + worker (+ RUN_WITH), prints the
# URL and login; Ctrl-C stops everything. Second expansion lets RUN_PREREQS be extended anywhere below.
.SECONDEXPANSION:
run: venv $$(RUN_PREREQS)
	$(VENV)/bin/madoguchi run $(RUN_WITH)

clean:
	rm -rf $(VENV) .tools
