#!/usr/bin/env bash
# The demo command (`make demo`): a fresh SQLite database under instance/, the Ouazzane
# demo seeded, and the site on http://127.0.0.1:5000. Jobs run in-process (no Redis).
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/env.sh
ensure_venv
compile_translations
export PBVOTE_ENV=development
unset DATABASE_URL REDIS_URL
mkdir -p instance
rm -f instance/pbvote.db instance/sms-outbox.jsonl instance/email-outbox.jsonl
"$VENV/bin/pbvote" db upgrade >/dev/null 2>&1
"$VENV/bin/pbvote" demo
echo
echo "SMS messages (sign-in codes, receipts) are written to $(pwd)/instance/sms-outbox.jsonl"
echo "E-mails are written to $(pwd)/instance/email-outbox.jsonl"
echo "Serving on http://127.0.0.1:5000 (Ctrl-C to stop)"
exec "$VENV/bin/gunicorn" --bind 127.0.0.1:5000 --workers 2 --threads 4 "pbvote:create_app()"
