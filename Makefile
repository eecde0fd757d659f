# DutyChain: `make run` serves the demo bureau, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_WORKERS ?= 2

.PHONY: venv run worker test lint messages clean bench bench-seed bench-run bench-duties \
	bench-duties-run bench-assessments bench-assessments-run

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "DutyChain needs Python 3.11+"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

venv: $(STAMP)

# Migrate, load the demo bureau (idempotent), open the last finished quarter,
# start a Celery worker with beat in the background, and serve the site.
run: venv
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py open_quarter
	$(BIN)/python manage.py open_annual_reports
	$(BIN)/python manage.py remind
	DEBUG=$${DEBUG:-1} $(BIN)/celery -A config worker --beat --loglevel=info --concurrency=1 \
		--schedule=var/celerybeat-schedule >var/celery.log 2>&1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	echo "Celery worker and beat: pid $$worker, log var/celery.log"; \
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py runserver $(HOST):$(PORT)

worker: venv
	$(BIN)/celery -A config worker --beat --loglevel=info

lint: venv
	$(BIN)/ruff check .

# The whole suite: system checks, migrations in step with models, lint, the layers' contract
# (import-linter, pyproject.toml: pages and the API over the flows, over the records, over
# the org chart), then
# the tests (in parallel), then the tests that start a real Celery worker
# (alone: parallel workers would share the broker), then the journeys in
# Chromium against a live server (alone and in order: one browser at a time
# keeps their timing steady on a small machine, and a failure reads as the
# browser's; they are skipped without /usr/bin/chromium unless CI is set).
# Screenshots: test-artifacts/screenshots/.
test: venv
	$(BIN)/python manage.py check --fail-level WARNING
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/pytest -p no:cacheprovider -n $(PYTEST_WORKERS) -m "not worker and not browser" tests
	$(BIN)/pytest -p no:cacheprovider -m worker tests
	$(BIN)/pytest -p no:cacheprovider -m browser tests

# The benchmark (not part of `make test`; README, "Benchmark"): builds a city in the
# PostgreSQL database BENCH_DATABASE_URL (emptied first: give it a database of its own),
# then measures it and writes bench/RESULTS.md. Celery jobs go to Redis BENCH_BROKER_URL.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/bench
BENCH_BROKER_URL ?= redis://127.0.0.1:6379/1
BENCH_UNITS ?= 5000
BENCH_YEARS ?= 3
BENCH_ENV = DATABASE_URL=$(BENCH_DATABASE_URL) CELERY_BROKER_URL=$(BENCH_BROKER_URL) \
	DJANGO_SETTINGS_MODULE=bench.settings

bench: bench-seed bench-run

bench-seed: venv
	$(BENCH_ENV) $(BIN)/python manage.py migrate --noinput
	$(BENCH_ENV) $(BIN)/python manage.py flush --noinput
	$(BENCH_ENV) $(BIN)/python manage.py bench_seed --units $(BENCH_UNITS) --years $(BENCH_YEARS)

bench-run: venv
	$(BENCH_ENV) $(BIN)/python -W ignore -m bench.run

# The duty records at city scale (README, "Benchmark"; bench/duties.py), in a database of its
# own (emptied first): BENCH_UNITS units, this year's 40-item list, BENCH_DUTIES_PER_ITEM
# records a unit and item (2 million at 5,000 × 10) written with COPY; then the duty pages
# and API lists are measured and their section of bench/RESULTS.md is replaced.
BENCH_DUTIES_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/bench_duties
BENCH_DUTIES_PER_ITEM ?= 10
BENCH_DUTIES_ENV = DATABASE_URL=$(BENCH_DUTIES_DATABASE_URL) DJANGO_SETTINGS_MODULE=bench.settings

bench-duties: venv
	$(BENCH_DUTIES_ENV) $(BIN)/python manage.py migrate --noinput
	$(BENCH_DUTIES_ENV) $(BIN)/python manage.py flush --noinput
	$(BENCH_DUTIES_ENV) $(BIN)/python manage.py bench_seed_duties --units $(BENCH_UNITS) \
		--per-item $(BENCH_DUTIES_PER_ITEM)
	$(BENCH_DUTIES_ENV) $(BIN)/python -W ignore -m bench.duties

bench-duties-run: venv
	$(BENCH_DUTIES_ENV) $(BIN)/python -W ignore -m bench.duties

# The year-end assessment's nightly scoring at city scale (README, "Benchmark";
# bench/assessments.py), in a database of its own (emptied first): the duty records' city
# (BENCH_UNITS units, BENCH_ASSESSMENTS_PER_ITEM records a unit and item) with this year's
# reports and problems; then this year's assessment is created and `assessments_nightly`
# timed and its queries counted at BENCH_UNITS and at the first 500 units, and its section of
# bench/RESULTS.md is replaced. `bench-assessments-run` measures the city already seeded.
BENCH_ASSESSMENTS_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/bench_assess
BENCH_ASSESSMENTS_PER_ITEM ?= 10
BENCH_ASSESSMENTS_ENV = DATABASE_URL=$(BENCH_ASSESSMENTS_DATABASE_URL) \
	DJANGO_SETTINGS_MODULE=bench.settings

bench-assessments: venv
	$(BENCH_ASSESSMENTS_ENV) $(BIN)/python manage.py migrate --noinput
	$(BENCH_ASSESSMENTS_ENV) $(BIN)/python manage.py flush --noinput
	$(BENCH_ASSESSMENTS_ENV) $(BIN)/python manage.py bench_seed_assessments \
		--units $(BENCH_UNITS) --per-item $(BENCH_ASSESSMENTS_PER_ITEM)
	$(BENCH_ASSESSMENTS_ENV) $(BIN)/python -W ignore -m bench.assessments

bench-assessments-run: venv
	$(BENCH_ASSESSMENTS_ENV) $(BIN)/python -W ignore -m bench.assessments

messages: venv
	$(BIN)/python manage.py makemessages -l zh_Hans -l en --no-location --no-obsolete --ignore='.venv/*' --ignore='var/*'
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf var staticfiles .pytest_cache .ruff_cache test-artifacts
