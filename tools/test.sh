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
if [ -z "${PBVOTE_TEST_REDIS_URL:-}" ]; then
  # Chosen here, not by the caller: the suite refuses to empty it if it holds
  # keys the tests did not make (tests/conftest.py:check_redis_is_ours).
  export PBVOTE_TEST_REDIS_URL="redis://127.0.0.1:6379/1"
  export PBVOTE_TEST_REDIS_DEFAULTED=1
fi
ensure_postgres
ensure_redis
ensure_chromium
# One pytest-xdist worker per CPU (PBVOTE_TEST_WORKERS=0 runs in one process);
# worker gwN uses the database <name>_gwN and the Redis database N after the one named.
WORKERS="${PBVOTE_TEST_WORKERS:-auto}"
echo "Tests use PostgreSQL $PBVOTE_TEST_DATABASE_URL (dropped and rebuilt) and empty the Redis database $PBVOTE_TEST_REDIS_URL before each test (with $WORKERS workers: worker N uses <database>_gwN and the Redis database N after it)."

# Lint first: a style or import error fails the run before the slower suite.
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .
# No import cycle between pbvote's packages (the contract is in .importlinter).
"$VENV/bin/lint-imports" --no-cache --no-logo | grep -v "^$"

status=0
"$VENV/bin/python" -m pytest -n "$WORKERS" --dist worksteal "$@" || status=$?
# pytest exits 5 when nothing was collected: treat that as a failure of the setup.
exit $status
