"""Gunicorn settings of the access gate's own server (docker-compose service `gate`).

nginx asks ``/gate/check`` once per request to a customer site, over kept-alive
connections (deploy/nginx/portal.conf, gate-auth-request.conf). So the gate runs
apart from the portal's pages, with what suits many short requests on open
connections:

- ``inspections.gate.asgi``: the check is answered from the ASGI scope, without
  Django's request stack (same decision code: Redis, then the database in a worker
  thread, then fail-open with an alert); other paths (health check, interception
  pages) go to the portal's Django application;
- ``inspections.gate.worker.GateWorker``: one uvicorn event loop (uvloop, httptools)
  per worker process serves all of its kept-alive connections, with no thread pool
  competing for the GIL, which keeps the slowest answers close to the typical one;
- no access log: one line per check of every visitor of every customer site says
  nothing the gate's decisions do not, and costs as much as the check itself.

Everything else (timeouts, forwarded headers) is the portal's ``gunicorn.conf.py``.
GUNICORN_GATE_* variables tune it.
"""

import multiprocessing
import os
import runpy
from pathlib import Path

_portal = runpy.run_path(str(Path(__file__).with_name("gunicorn.conf.py")))
_int = _portal["_int"]
globals().update({name: value for name, value in _portal.items() if not name.startswith("_")})

wsgi_app = "inspections.gate.asgi:application"
bind = os.environ.get("GUNICORN_GATE_BIND", "0.0.0.0:8001")
workers = _int("GUNICORN_GATE_WORKERS", multiprocessing.cpu_count())
worker_class = "inspections.gate.worker.GateWorker"
# nginx keeps up to `keepalive 32` idle connections per worker process to the gate;
# an idle one is closed by the gate after this many seconds.
keepalive = 75
# The check is short: a request still running after this is stuck.
timeout = _int("GUNICORN_GATE_TIMEOUT", 30)
# Recycling is for the portal's pages; the gate's requests leak nothing, and a
# restart every few thousand checks would cost more than it saves.
max_requests = 0
accesslog = None
