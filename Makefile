# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SEED := seeds/000_0281386bebb0d4b9.txt

.PHONY: demo test install install-test lint train bench soak split clean examples

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# An editable install leaves the package uncompiled; where PYTHONDONTWRITEBYTECODE is set, every run would compile
# it again (~40 ms of start-up), so compile it once as a wheel install does.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/python -m compileall -q framing
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

demo: install
	$(BIN)/framing analyze $(SEED)

test: install-test
	$(BIN)/ruff check framing tests scripts bench examples
	$(BIN)/python -m pytest -q

train: install-test
	$(BIN)/framing train data/train --real data/real --out framing/model

# The report examples in examples/ (needs chromium for the screenshot).
examples: install-test
	$(BIN)/framing analyze $(SEED) --format json > examples/seed_analysis.json
	$(BIN)/python scripts/readme_tables.py
	$(BIN)/framing analyze $(SEED) --html examples/seed_report.html > /dev/null
	chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --proxy-server=127.0.0.1:9 --window-size=1200,1600 \
	  --screenshot=examples/seed_report.png file://$(CURDIR)/examples/seed_report.html 2>/dev/null
	$(BIN)/framing batch examples/corpus_dated.jsonl -o examples/corpus_dated_results.jsonl --group-by outlet --jobs 1 -q --force
	$(BIN)/framing summarize examples/corpus_dated_results.jsonl --report examples/charts

# Soak test (bench/soak.py → bench/SOAK.md): all 7,580 real articles plus 5 % bad files, killed and resumed,
# compared with an uninterrupted run; long (several full passes), so not part of `make test` (tests/test_soak.py
# runs it scaled down). Needs ../shared/corpus; SOAK_ARGS="--docs 1000 --skip-dask" for a shorter one.
soak: install-test
	$(BIN)/python bench/soak.py $(SOAK_ARGS)

split:
	$(BIN)/python scripts/split_data.py

bench: install-test
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python bench/run.py
	$(BIN)/python bench/real.py
	$(BIN)/python bench/limits.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
