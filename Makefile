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

.PHONY: screenshots run test install vendor browser pdf-deps lint bench test-postgres clean

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

# Vendored from npm at build time (pinned, not committed): the NL Design System / Rijkshuisstijl
# community CSS, the Fira Sans font the community's tokens name (SIL OFL 1.1), and axe-core for the
# accessibility tests (tests/web/test_accessibility.py; never served by the app).
RHC_TOKENS := 11.1.0
RHC_COMPONENTS := 12.0.0
FIRA_SANS := 5.3.0
AXE_CORE := 4.14.1
FONTS := src/chatarchief/web/static/vendor/fira-sans
AXE := tests/vendor/axe-core
vendor: $(VENDOR)/components.css $(FONTS)/fira-sans.css $(AXE)/axe.min.js
$(VENDOR)/components.css:
	rm -rf .npm-tmp/rhc && mkdir -p $(VENDOR) .npm-tmp/rhc
	cd .npm-tmp/rhc && npm pack --silent @rijkshuisstijl-community/design-tokens@$(RHC_TOKENS) @rijkshuisstijl-community/components-css@$(RHC_COMPONENTS) >/dev/null
	cd .npm-tmp/rhc && for f in *.tgz; do tar xzf $$f && mv package $${f%.tgz}; done
	cp .npm-tmp/rhc/rijkshuisstijl-community-design-tokens-$(RHC_TOKENS)/dist/index.css $(VENDOR)/design-tokens.css
	cp .npm-tmp/rhc/rijkshuisstijl-community-components-css-$(RHC_COMPONENTS)/dist/index.css $(VENDOR)/components.css
	rm -rf .npm-tmp/rhc
# Fira Sans 400, 400 italic, 600 and 700 in woff2 (every subset; the browser fetches what a page needs).
$(FONTS)/fira-sans.css:
	rm -rf .npm-tmp/fonts && mkdir -p $(FONTS)/files .npm-tmp/fonts
	cd .npm-tmp/fonts && npm pack --silent @fontsource/fira-sans@$(FIRA_SANS) >/dev/null && tar xzf *.tgz
	for w in 400 400-italic 600 700; do sed -E "s#, url\(\./files/[^)]*\.woff\) format\('woff'\)##" .npm-tmp/fonts/package/$$w.css; done > .npm-tmp/fonts/fira-sans.css
	cp .npm-tmp/fonts/package/files/*-400-normal.woff2 .npm-tmp/fonts/package/files/*-400-italic.woff2 \
	   .npm-tmp/fonts/package/files/*-600-normal.woff2 .npm-tmp/fonts/package/files/*-700-normal.woff2 $(FONTS)/files/
	cp .npm-tmp/fonts/package/LICENSE $(FONTS)/LICENSE
	mv .npm-tmp/fonts/fira-sans.css $(FONTS)/fira-sans.css
	rm -rf .npm-tmp/fonts
$(AXE)/axe.min.js:
	rm -rf .npm-tmp/axe && mkdir -p $(AXE) .npm-tmp/axe
	cd .npm-tmp/axe && npm pack --silent axe-core@$(AXE_CORE) >/dev/null && tar xzf *.tgz
	cp .npm-tmp/axe/package/LICENSE $(AXE)/LICENSE
	cp .npm-tmp/axe/package/axe.min.js $(AXE)/axe.min.js
	rm -rf .npm-tmp/axe

run: install
	$(BIN)/chatarchief migrate
	$(BIN)/chatarchief demo
	@echo "Open http://127.0.0.1:$(PORT)/ : user 'demo', password 'demo-wachtwoord-2026', TOTP code: run '$(BIN)/python -m chatarchief.web.demo_totp' (see README)."
	$(BIN)/chatarchief worker & WORKER=$$!; trap "kill $$WORKER" EXIT INT TERM; $(BIN)/chatarchief serve --port $(PORT)

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

# refresh the screenshots in docs/screenshots/ from the browser journeys
screenshots: install browser
	CHATARCHIEF_SCREENSHOTS=1 $(BIN)/pytest -q -m browser
