#!/usr/bin/env bash
# The project's test command (README): lint, type-check, then the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM=offscreen
echo "== ruff"
ruff check composer tests packaging scripts
echo "== import-linter (layers: .importlinter)"
lint-imports --no-cache
echo "== mypy (strict, composer/)"
mypy
echo "== pytest"
python -m pytest -q -p no:cacheprovider "$@"
