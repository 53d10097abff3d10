# sealreview — 2 commands: `make run` (scan the bundled example forms into out/) and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
OUT ?= out
EXAMPLES := examples/forms

.PHONY: setup run test lint examples bench clean

setup:
	@./.ci/setup

run: setup
	$(VENV)/bin/sealreview scan $(EXAMPLES) --out $(OUT)
	@echo "台帳を作成しました / register written: $(OUT)/register.xlsx, $(OUT)/register.csv, $(OUT)/register.jsonl"

test: setup
	$(PY) -m pytest -q -p no:cacheprovider --timeout=900

lint: setup
	$(VENV)/bin/ruff check flows extractors classifiers rules output tests bench examples

examples: setup
	$(PY) examples/make_examples.py --out $(EXAMPLES)

bench: setup
	$(PY) bench/eval_detect.py --regen
	$(PY) bench/eval_real.py
	$(PY) bench/bench_extract.py

clean:
	rm -rf $(OUT) .prefect .pytest_cache
