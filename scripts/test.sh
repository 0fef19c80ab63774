#!/usr/bin/env bash
# The whole suite: lint, types, layer contract, tests on SQLite, then on PostgreSQL when one answers.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export AFTERSALES_ALLOW_INSECURE_KEY=1
export AFTERSALES_VAR_DIR="${AFTERSALES_VAR_DIR:-$(mktemp -d)}"

echo "== ruff"
$BIN/ruff check aftersales tests bench
echo "== mypy (services, selectors, api)"
$BIN/mypy
echo "== import-linter (layer contract)"
$BIN/lint-imports

# The suite runs in parallel processes (pytest-xdist), one per CPU unless AFTERSALES_TEST_WORKERS says
# otherwise ("0" runs it in this process). Each process has its own test database.
workers=(-n "${AFTERSALES_TEST_WORKERS:-auto}")

ran_on=()
echo "== tests on SQLite"
DATABASE_URL="sqlite:///$AFTERSALES_VAR_DIR/test.sqlite3" $BIN/pytest -p no:cacheprovider "${workers[@]}" "$@"
ran_on+=("SQLite")

pg_url="${AFTERSALES_TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test}"
if $BIN/python - "$pg_url" <<'PY'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1], connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL not reachable at {sys.argv[1]}: {exc}")
    sys.exit(1)
PY
then
  echo "== tests on PostgreSQL ($pg_url)"
  DATABASE_URL="$pg_url" $BIN/pytest -p no:cacheprovider "${workers[@]}" "$@"
  ran_on+=("PostgreSQL")
else
  echo "!! PostgreSQL is not reachable: the suite ran on SQLite only."
fi
echo "== the suite passed on: ${ran_on[*]}"
