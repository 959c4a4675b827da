# Two commands for a fresh machine (see README): `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
STUDIO := .venv-studio
BIN := $(VENV)/bin
CORPUS ?= ../shared/corpus/pool.jsonl

.PHONY: setup studio demo test test-fast model evaluate bench synthetic

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

studio: $(STUDIO)/.installed

$(STUDIO)/.installed: scripts/install_studio.sh
	bash scripts/install_studio.sh $(STUDIO)

demo: setup
	$(BIN)/vnpolicy predict tests/data/sample_article.txt --format json

test: setup studio
	$(BIN)/python -m pytest

test-fast: setup
	$(BIN)/python -m pytest -m "not integration and not slow"

# the hand-annotated texts written for training (annotations/synthetic/README.md) as training records
synthetic: setup
	$(BIN)/python scripts/ann_to_records.py $(sort $(wildcard annotations/synthetic/*.ann)) --output annotations/train/synthetic.jsonl

model: setup
	$(BIN)/vnpolicy train --train annotations/train --output models/default --seed 0 --corpus $(CORPUS)
	$(BIN)/python scripts/bench_model.py --model models/default --train annotations/train --corpus $(CORPUS)

evaluate: setup
	$(BIN)/vnpolicy evaluate --model models/default --report-dir reports/gold --output-json reports/gold/report.json

bench: setup
	$(BIN)/python scripts/bench_predict.py
