"""Gunicorn settings of the portal's `web` service (docker-compose.yml).

Process settings come from GUNICORN_* variables; the portal's own settings come from
ICP_* variables read by icpportal.settings.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise SystemExit(f"{name}={value!r} is not valid: expected a whole number.") from None
    if number < 1:
        raise SystemExit(f"{name}={value!r} is not valid: expected at least 1.")
    return number


wsgi_app = "icpportal.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = _int("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1)
threads = _int("GUNICORN_THREADS", 1)
# Material uploads and exports can take a while; anything slower belongs in a task.
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak never grows without bound.
max_requests = 2000
max_requests_jitter = 200
# Heartbeat files on tmpfs: a container's overlay filesystem can stall workers.
worker_tmp_dir = "/dev/shm"  # noqa: S108 (a tmpfs, private to the container)

# Only nginx reaches this port inside the compose network, so its X-Forwarded-*
# headers are trusted.
forwarded_allow_ips = "*"

# No control socket: it would go under $HOME, which the image's user cannot write;
# the container is managed with `docker compose` instead.
control_socket_disable = True

# Logs to stdout/stderr, collected by `docker compose logs`.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The path without its query string: a search or filter may carry an ID number or a
# phone, and access logs are kept outside the portal's masking.
access_log_format = '%({x-forwarded-for}i)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'
