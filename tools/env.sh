# Shared by tools/*.sh: the virtual environment, translations and local services.
VENV="${VENV:-.venv}"
RUN_DIR="${TMPDIR:-/tmp}/pbvote-services"

ensure_venv() {
  if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
  fi
  local stamp="$VENV/.installed-$(sha1sum pyproject.toml | cut -c1-12)"
  if [ ! -f "$stamp" ]; then
    "$VENV/bin/pip" install --quiet --upgrade pip >/dev/null
    "$VENV/bin/pip" install --quiet -e ".[dev]"
    touch "$stamp"
  fi
}

compile_translations() {
  "$VENV/bin/pybabel" compile --statistics -f -d pbvote/translations 2>&1 | grep -v "^compiling" || true
}

_pg_url_parts() {  # sets PGHOST PGPORT from PBVOTE_TEST_DATABASE_URL
  local rest="${PBVOTE_TEST_DATABASE_URL#*://}"; rest="${rest#*@}"; rest="${rest%%/*}"
  PGHOST_="${rest%%:*}"; PGPORT_="${rest##*:}"
  if [ "$PGPORT_" = "$rest" ]; then PGPORT_=5432; fi
}

ensure_postgres() {
  _pg_url_parts
  if "$VENV/bin/python" - <<PY 2>/dev/null
import psycopg, sys
url = "$PBVOTE_TEST_DATABASE_URL".replace("postgresql+psycopg://", "postgresql://")
base = url.rsplit("/", 1)[0] + "/postgres"
psycopg.connect(base, connect_timeout=3).close()
PY
  then return 0; fi
  echo "PostgreSQL does not answer at $PGHOST_:$PGPORT_: starting a throwaway cluster."
  local bindir
  bindir=$(dirname "$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | tail -1)")
  if [ ! -x "$bindir/initdb" ]; then
    echo "No PostgreSQL server found: install it (apt-get install postgresql) or set PBVOTE_TEST_DATABASE_URL." >&2
    exit 2
  fi
  local data="$RUN_DIR/pg" port=55432
  mkdir -p "$RUN_DIR"
  local runas=()
  if [ "$(id -u)" = 0 ]; then
    id pbvotepg >/dev/null 2>&1 || useradd --system --no-create-home pbvotepg
    chown pbvotepg "$RUN_DIR"; runas=(runuser -u pbvotepg --)
  fi
  if [ ! -f "$data/PG_VERSION" ]; then
    "${runas[@]}" "$bindir/initdb" -D "$data" -U postgres --auth=trust >/dev/null
  fi
  "${runas[@]}" "$bindir/pg_ctl" -D "$data" -o "-p $port -k $RUN_DIR -c listen_addresses=127.0.0.1" -l "$RUN_DIR/pg.log" -w start >/dev/null
  export PBVOTE_TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:$port/pbvote_test"
}

ensure_redis() {
  if "$VENV/bin/python" -c "import redis,sys; redis.Redis.from_url('$PBVOTE_TEST_REDIS_URL', socket_connect_timeout=3).ping()" 2>/dev/null; then
    return 0
  fi
  echo "Redis does not answer at $PBVOTE_TEST_REDIS_URL: starting a throwaway server."
  if ! command -v redis-server >/dev/null; then
    echo "No redis-server found: install it (apt-get install redis-server) or set PBVOTE_TEST_REDIS_URL." >&2
    exit 2
  fi
  mkdir -p "$RUN_DIR"
  redis-server --port 56379 --bind 127.0.0.1 --save "" --appendonly no --daemonize yes --dir "$RUN_DIR" --logfile "$RUN_DIR/redis.log"
  sleep 0.5
  export PBVOTE_TEST_REDIS_URL="redis://127.0.0.1:56379/1"
}

ensure_chromium() {
  # The browser tests drive Debian's Chromium (Playwright cannot download one here).
  if [ -x /usr/bin/chromium ]; then return 0; fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's chromium for the browser tests..."
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver) >/dev/null 2>&1 || true
  fi
  if [ ! -x /usr/bin/chromium ]; then
    echo "Chromium is missing and could not be installed: the browser tests will fail." >&2
  fi
}
