# The two commands: `make run` starts the demo portal, `make test` runs the whole suite (SQLite, then PostgreSQL).
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
UV := python3 -m uv
PY := .venv/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-sqlite test-postgres lint format check venv bench-import bench-import-postgres bench-people bench \
	bench-postgres

venv: .venv/.synced

.venv/.synced: pyproject.toml uv.lock
	@python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen
	@touch $@

# Links in the demo's emails lead to this server.
run: export PORTAL_BASE_URL ?= http://$(HOST):$(PORT)
run: venv
	$(MANAGE) migrate --noinput
	$(MANAGE) collectstatic --noinput --verbosity 0
	@echo
	$(MANAGE) load_demo
	@echo
	@echo "Career stories is running at http://$(HOST):$(PORT)/  (curation: http://$(HOST):$(PORT)/admin/)"
	@echo "Stop it with Ctrl+C. Your data stays in ./var between runs; emails are sent by a worker beside the server."
	@echo
	GUNICORN_BIND=$(HOST):$(PORT) GUNICORN_WORKERS=2 GUNICORN_THREADS=4 PORTAL_LOG_FORMAT=$${PORTAL_LOG_FORMAT:-text} exec careerportal/run-with-worker.sh

test: venv check test-sqlite test-postgres

check: venv
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

test-sqlite: venv
	$(PY) -m pytest

test-postgres: venv
	.ci/with-postgres $(PY) -m pytest

lint: venv
	.venv/bin/ruff check .

format: venv
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

bench-import: venv
	$(PY) benchmark/import_esco.py

bench-people: venv
	$(PY) benchmark/import_people.py

bench-import-postgres: venv
	.ci/with-postgres $(PY) benchmark/import_esco.py

# The traffic mix (gunicorn, wrk), pages rendered afresh, search latency: a seeded large organisation; see README.
bench: venv
	$(PY) benchmark/run.py

bench-postgres: venv
	.ci/with-postgres $(PY) benchmark/run.py
