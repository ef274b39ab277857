# Two commands do all set-up on a fresh machine (see README):
#   make repair   create/reuse .venv, install, run `mtfix repair` on the seed article
#   make test     create/reuse .venv, install, run the test suite (offline)
#   make test-all   the same plus the tests marked slow (exhaustive matrices)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.mtfix-installed
SEED   := seeds/000_66fd05bfb1d0cc1a.txt

.PHONY: install repair test test-all bench bench-publish dictionaries

# torch is pinned and installed first: an unpinned torch pulls a multi-GB CUDA build.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e '.[test,ray]'
	touch $(STAMP)

install: $(STAMP)

# The corpus `align` filter reads the FreeDict Arabic-English dictionaries (GPL-2+, so not
# shipped) from Debian's dictd folder; without them it judges anchors only. Best effort:
# needs apt-get and root (or sudo); otherwise it says how and carries on.
dictionaries:
	@if [ -f /usr/share/dictd/freedict-ara-eng.index ] && [ -f /usr/share/dictd/freedict-eng-ara.index ]; then :; \
	elif command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	  (apt-get install -y -q --no-install-recommends dict-freedict-ara-eng dict-freedict-eng-ara >/dev/null || \
	   (apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends dict-freedict-ara-eng dict-freedict-eng-ara >/dev/null)) || \
	  echo "note: could not install dict-freedict-ara-eng dict-freedict-eng-ara (align filter: anchors only)"; \
	else echo "note: run 'sudo apt-get install dict-freedict-ara-eng dict-freedict-eng-ara' for the align filter"; fi

# mtfix repair makes out/ itself (and never leaves it empty when it fails).
repair: $(STAMP)
	$(BIN)/mtfix repair $(SEED) --out out/repaired.txt --report out/report.json --html out/report.html $(ARGS)

test: $(STAMP) dictionaries
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(BIN)/python -m pytest -q $(PYTEST_ARGS)

test-all: $(STAMP) dictionaries
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(BIN)/python -m pytest -q -m "slow or not slow" $(PYTEST_ARGS)

# A benchmark run writes under out/bench/ (git-ignored); `make bench-publish` replaces the
# tracked bench/bench.md and bench/bench.json that the README quotes.
bench: $(STAMP)
	$(BIN)/python scripts/bench.py --out out/bench $(ARGS)
	$(BIN)/python scripts/bench_speed.py --out out/bench

bench-publish: $(STAMP)
	$(BIN)/python scripts/bench.py --out bench $(ARGS)
