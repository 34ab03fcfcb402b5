# summit-briefs: `make` builds the dataset, `make test` runs the tests.
# Both set up .venv on first use (and refresh it when pyproject.toml changes).

.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
BRIEFS := $(BIN)/briefs
RUNTIME_STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
PIP := $(BIN)/python -m pip --disable-pip-version-check --quiet

.PHONY: all build ingest nlp code report train evaluate bench status docs test lint clean help

all: build ## Build the dataset: data/raw/ -> data/processed/ (default)

$(RUNTIME_STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed (set PYTHON=...)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -e .
	@touch $@

$(TEST_STAMP): $(RUNTIME_STAMP)
	$(PIP) install -e '.[test]'
	@touch $@

build: $(RUNTIME_STAMP) ## Run every stage; only new or changed files are redone
	$(BRIEFS) build

ingest: $(RUNTIME_STAMP) ## Extract text and metadata into the documents table
	$(BRIEFS) ingest

nlp: $(RUNTIME_STAMP) ## Sentences, actor/proposal mentions and positions (spaCy)
	$(BRIEFS) nlp

code: $(RUNTIME_STAMP) ## Codebook codes per sentence and document (codes, doc_codes)
	$(BRIEFS) code

report: build ## Write data/processed/report.html from the tables (builds first)
	$(BRIEFS) report

train: $(RUNTIME_STAMP) ## Train the classifiers from data/annotations/ (models/)
	$(BRIEFS) train

evaluate: $(RUNTIME_STAMP) ## Precision/recall/F1 against the gold data in data/annotations/
	$(BRIEFS) evaluate --per-id

BENCH_ARGS ?= --json bench.json
bench: $(TEST_STAMP) ## Benchmark on a synthetic corpus (BENCH_ARGS="--docs 50" for a quick run)
	$(BIN)/python -m pipeline.bench $(BENCH_ARGS)

status: $(RUNTIME_STAMP) ## One line per file under data/raw/
	$(BRIEFS) status

docs: $(RUNTIME_STAMP) ## Regenerate docs/tables.md from the schema
	$(BRIEFS) docs

test: $(TEST_STAMP) ## Run the test suite
	$(BIN)/python -m pytest

lint: $(TEST_STAMP) ## Check code style with ruff
	$(BIN)/ruff check pipeline tests

clean: ## Remove generated data (data/interim/, data/processed/, models/); never data/raw/
	rm -rf data/interim models
	find data/processed -mindepth 1 ! -name .gitkeep -delete

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'
