# chatarchief: two commands do everything on a fresh machine.
#   make run   installs into .venv, migrates the embedded database, loads demo data, serves the web app
#   make test  installs (incl. Debian chromium for browser tests) and runs every test
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
VENDOR := src/chatarchief/web/static/vendor/rhc
PORT ?= 8000
export CHATARCHIEF_DATA_DIR ?= $(CURDIR)/data
# the PostgreSQL database of `make test-postgres` (pytest-django tests in test_<name>_gw<N>)
PG_URL ?= postgres://postgres@127.0.0.1:5432/chatarchief

.PHONY: run test install vendor browser pdf-deps lint bench test-postgres clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) vendor pdf-deps $(VENV)/.names-cache

# WeasyPrint (PDF renditions, Woo PDFs, receipts) needs Pango and a font to embed (DejaVu).
pdf-deps:
	@{ ldconfig -p | grep -q libpangoft2-1.0.so.0 && test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf; } || { (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core; }

# deduce (Dutch person names for redaction suggestions) builds its lookup cache once (about a minute).
$(VENV)/.names-cache: $(STAMP)
	$(BIN)/python -c "from chatarchief.core.redact import warm_name_finder; warm_name_finder()"
	touch $@

# NL Design System / Rijkshuisstijl community CSS, vendored from npm at build time (not committed).
vendor: $(VENDOR)/components.css
$(VENDOR)/components.css:
	mkdir -p $(VENDOR) .npm-tmp
	cd .npm-tmp && npm pack --silent @rijkshuisstijl-community/design-tokens@11.1.0 @rijkshuisstijl-community/components-css@12.0.0 >/dev/null
	cd .npm-tmp && for f in *.tgz; do tar xzf $$f && mv package $${f%.tgz}; done
	cp .npm-tmp/rijkshuisstijl-community-design-tokens-11.1.0/dist/index.css $(VENDOR)/design-tokens.css
	cp .npm-tmp/rijkshuisstijl-community-components-css-12.0.0/dist/index.css $(VENDOR)/components.css
	rm -rf .npm-tmp

run: install
	$(BIN)/chatarchief migrate
	$(BIN)/chatarchief demo
	@echo "Open http://127.0.0.1:$(PORT)/ : user 'demo', password 'demo-wachtwoord-2026', TOTP code: run '$(BIN)/python -m chatarchief.web.demo_totp' (see README)."
	$(BIN)/chatarchief serve --port $(PORT)

browser:
	@test -x /usr/bin/chromium || { (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core; }

test: install browser
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src/chatarchief/core
	$(BIN)/pytest -n 2 -q -m "not browser"
	$(BIN)/pytest -q -m browser  # headless Chromium journeys, in one process (Playwright + live server)

test-postgres: install
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -n 2 -q -m "not browser" tests

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src/chatarchief/core

bench: install
	$(BIN)/python bench/bench_whatsapp_parse.py
	$(BIN)/python bench/bench_ingest.py

clean:
	rm -rf $(VENV) data .pytest_cache
