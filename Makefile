# Two commands: `make run` (the product on localhost:8000) and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run test install migrate demo serve bench clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) scripts/ensure_database.py
	$(PY) manage.py migrate --noinput

test: install
	$(PY) scripts/ensure_database.py
	$(PY) -m pytest

demo: migrate
	$(PY) manage.py demo_setup

run: demo
	PORT=$(PORT) PY=$(PY) sh scripts/serve.sh

bench: install
	$(PY) bench/import_bench.py
	$(PY) bench/recluster_bench.py
	$(PY) bench/rescore_bench.py

clean:
	rm -rf var staticfiles .pytest_cache
