#!/usr/bin/env bash
# Sets up whatever is missing, then runs the whole test suite:
#   1. linters: ruff, import-linter (the layering contracts), mypy on services/ and hardware/
#   2. services/ and hardware/ tests in .venv-core, which has no PySide6 (proves the layering)
#   3. the whole suite in .venv, offscreen, against SQLite and a throwaway PostgreSQL server
# Extra arguments go to the last pytest run (e.g. -k map, -x).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
log() { printf '[test] %s\n' "$*" >&2; }

bash scripts/setup.sh --core

export QT_QPA_PLATFORM=offscreen
export PYTHONDONTWRITEBYTECODE=1

log "ruff"
.venv/bin/ruff check .
log "import-linter"
.venv/bin/lint-imports --no-cache
log "mypy"
.venv/bin/mypy

# pytest's exit code 5 means "no tests ran": a broken collection, never a pass.
run_pytest() {
  local rc=0
  "$@" || rc=$?
  if [ "$rc" -eq 5 ]; then log "pytest collected no tests"; return 1; fi
  return "$rc"
}

PG_DIR="$(mktemp -d /tmp/safecampus-pg.XXXXXX)"
cleanup() { bash scripts/pg_test_server.sh stop "$PG_DIR" || true; }
trap cleanup EXIT
if [ -z "${SAFECAMPUS_TEST_PG_URL:-}" ]; then
  SAFECAMPUS_TEST_PG_URL="$(bash scripts/pg_test_server.sh start "$PG_DIR")"
  export SAFECAMPUS_TEST_PG_URL
fi
# With a server at hand, a PostgreSQL test that cannot reach it fails instead of skipping.
export SAFECAMPUS_REQUIRE_PG=1

log "core tests without PySide6 (.venv-core)"
run_pytest .venv-core/bin/python -m pytest -q -m "not gui" tests/services tests/hardware

log "whole suite (.venv)"
run_pytest .venv/bin/python -m pytest -q "$@"
