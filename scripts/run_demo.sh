#!/usr/bin/env bash
# Serve the portal on the embedded default: a Celery worker with embedded beat in the
# background (so reminders and escalation run), the development server in the
# foreground. Stopping the server (Ctrl-C) stops the worker too.
#
# `make run` migrates and loads the demo data first, then calls this script; it can
# also be run on its own once that has been done. Environment:
#   PYTHON       the interpreter of the virtualenv (default .venv/bin/python)
#   ICP_DATA_DIR where the embedded default keeps its data (default var)
#   RUN_ADDR     address of the development server (default 127.0.0.1:8000)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON="${PYTHON:-.venv/bin/python}"
DATA_DIR="${ICP_DATA_DIR:-var}"
RUN_ADDR="${RUN_ADDR:-127.0.0.1:8000}"
LOGINS="$DATA_DIR/demo-logins.txt"
WORKER_LOG="$DATA_DIR/worker.log"

if [[ ! -x "$PYTHON" ]]; then
    echo "run_demo.sh: $PYTHON not found; run 'make run' from the repository root." >&2
    exit 1
fi

# kombu's filesystem transport (used when ICP_REDIS_URL is not set) expects its
# folders to exist before the worker starts.
mkdir -p "$DATA_DIR/broker/queue" "$DATA_DIR/broker/processed"

worker_pid=""
stop_worker() {
    if [[ -n "$worker_pid" ]] && kill -0 "$worker_pid" 2>/dev/null; then
        echo "Stopping the Celery worker (pid $worker_pid)..."
        # The worker runs in its own process group (setsid), beat included.
        kill -TERM -- "-$worker_pid" 2>/dev/null || kill -TERM "$worker_pid" 2>/dev/null || true
        for _ in $(seq 1 100); do
            kill -0 "$worker_pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL -- "-$worker_pid" 2>/dev/null || true
    fi
}
trap stop_worker EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A separate process group keeps Ctrl-C in the terminal for the server only; the
# worker then gets one clean TERM from stop_worker instead of a double interrupt.
launcher=()
if command -v setsid >/dev/null 2>&1; then
    launcher=(setsid)
fi
"${launcher[@]}" "$PYTHON" -m celery -A icpportal worker -B --pool=solo --loglevel=INFO \
    >"$WORKER_LOG" 2>&1 &
worker_pid=$!

# Serve only once the worker is ready; a worker that cannot start is an error.
echo "Starting the Celery worker (log $WORKER_LOG)..."
for _ in $(seq 1 60); do
    if ! kill -0 "$worker_pid" 2>/dev/null; then
        echo "run_demo.sh: the Celery worker stopped; the end of $WORKER_LOG:" >&2
        tail -n 40 "$WORKER_LOG" >&2
        exit 1
    fi
    grep -q ' ready\.' "$WORKER_LOG" && break
    sleep 1
done
if ! grep -q ' ready\.' "$WORKER_LOG"; then
    echo "run_demo.sh: the Celery worker is not ready after 60 s; see $WORKER_LOG" >&2
    exit 1
fi

echo
echo "================================================================"
if [[ -s "$LOGINS" ]]; then
    echo "Demo logins (from manage.py seed_demo):"
    echo
    cat "$LOGINS"
else
    echo "No demo logins recorded in $LOGINS; run 'make run' to load the demo data."
fi
echo
echo "Portal:  http://$RUN_ADDR/        Admin: http://$RUN_ADDR/admin/"
echo "Worker:  Celery with embedded beat, pid $worker_pid, log $WORKER_LOG"
echo "Stop:    Ctrl-C (stops the server and the worker)"
echo "================================================================"
echo

# Not exec: the EXIT trap has to run after the server stops.
"$PYTHON" manage.py runserver "$RUN_ADDR"
