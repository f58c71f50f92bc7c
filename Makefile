# EduCredit — the two commands are `make demo` and `make test`; everything else supports them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | sha256sum | cut -c1-12)
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/educredit
DEMO_SCALE ?= 0.0005

# Python may cache compiled modules: an environment that forbids it (PYTHONDONTWRITEBYTECODE)
# makes every test worker, server and subprocess compile the project from source again.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: demo test test-sqlite test-postgres check install browser pdf-fonts messages serve bench clean

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "EduCredit needs Python >= 3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP) messages

messages: $(STAMP) pdf-fonts
	@command -v msgfmt >/dev/null || scripts/apt-install gettext
	cd src/educredit && ../../$(BIN)/educredit compilemessages -v 0

# Credit reports are PDFs laid out by WeasyPrint (Pango) with Chinese fonts embedded.
pdf-fonts:
	@scripts/apt-install libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk

# The headless browser and CJK fonts the browser tests use come from Debian's packages.
browser:
	@scripts/apt-install chromium fonts-noto-cjk

demo: install
	$(BIN)/educredit migrate --no-input -v 0
	$(BIN)/educredit demo --scale $(DEMO_SCALE)
	$(BIN)/educredit demo_serve 127.0.0.1:8000

test: install browser
	$(MAKE) test-sqlite
	$(MAKE) test-postgres

test-sqlite:
	@echo "== test suite on SQLite"
	env -u DATABASE_URL $(BIN)/pytest -p no:cacheprovider -n 2

test-postgres:
	@echo "== test suite on PostgreSQL ($(PG_TEST_URL))"
	DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -p no:cacheprovider -n 2

check: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy src
	$(BIN)/educredit makemigrations --check --dry-run

# The HTTP benchmark's load generator (wrk) comes from Debian's packages.
bench: install
	@scripts/apt-install wrk
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) var/*.sqlite3 var/test-* .pytest_cache .mypy_cache .ruff_cache
