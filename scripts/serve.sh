#!/bin/sh
# Serve the product: Django on $PORT, plus a Celery worker and beat when REDIS_URL is set
# (without it, tasks run in-process and no worker is needed).
set -e
PY=${PY:-.venv/bin/python}
PORT=${PORT:-8000}
if [ -n "$REDIS_URL" ]; then
  $PY -m celery -A config worker --loglevel=INFO --concurrency=2 &
  WORKER=$!
  $PY -m celery -A config beat --loglevel=INFO &
  BEAT=$!
  trap 'kill $WORKER $BEAT 2>/dev/null' EXIT INT TERM
fi
echo "campaign-engine: http://localhost:$PORT/admin/  (API docs: http://localhost:$PORT/api/docs/)"
$PY manage.py runserver "0.0.0.0:$PORT"
