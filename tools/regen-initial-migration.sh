#!/usr/bin/env bash
# Regenerate migrations/versions/0001_initial.py from the models (before the first
# release only: afterwards, add migrations with `pbvote db migrate`). It autogenerates
# against a throwaway SQLite database, so it needs no server.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -f migrations/versions/0001_initial.py
PBVOTE_ENV=development DATABASE_URL="sqlite:///$tmp/empty.db" \
  .venv/bin/python -m pbvote.cli db migrate -m "initial schema" --rev-id 0001 >"$tmp/log" 2>&1 || { cat "$tmp/log"; exit 1; }
mv migrations/versions/0001_initial_schema.py migrations/versions/0001_initial.py
.venv/bin/python tools/postgres-only-ddl.py migrations/versions/0001_initial.py
.venv/bin/ruff check --fix -q migrations/versions/0001_initial.py && .venv/bin/ruff format -q migrations/versions/0001_initial.py
echo "migrations/versions/0001_initial.py regenerated"
