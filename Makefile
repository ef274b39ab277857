# Two commands do all set-up on a fresh machine (see README):
#   make repair   create/reuse .venv, install, run `mtfix repair` on the seed article
#   make test     create/reuse .venv, install, run the test suite (offline)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.mtfix-installed
SEED   := seeds/000_66fd05bfb1d0cc1a.txt

.PHONY: install repair test bench

# torch is pinned and installed first: an unpinned torch pulls a multi-GB CUDA build.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e '.[test,ray]'
	touch $(STAMP)

install: $(STAMP)

repair: $(STAMP)
	mkdir -p out
	$(BIN)/mtfix repair $(SEED) --out out/repaired.txt --report out/report.json --html out/report.html $(ARGS)

test: $(STAMP)
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python scripts/bench.py
