#!/usr/bin/env bash
# The test command (`make test`): installs what the tests need, makes sure PostgreSQL
# and Redis answer (starting throwaway local servers when none does), then runs the
# whole suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/env.sh
ensure_venv
compile_translations

export PBVOTE_TEST_DATABASE_URL="${PBVOTE_TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/pbvote_test}"
export PBVOTE_TEST_REDIS_URL="${PBVOTE_TEST_REDIS_URL:-redis://127.0.0.1:6379/1}"
ensure_postgres
ensure_redis
ensure_chromium

# Lint first: a style or import error fails the run before the slower suite.
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .

status=0
"$VENV/bin/python" -m pytest "$@" || status=$?
# pytest exits 5 when nothing was collected: treat that as a failure of the setup.
exit $status
