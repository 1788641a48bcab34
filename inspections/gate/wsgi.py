"""The WSGI entry point of the gate's own server (``deploy/gunicorn-gate.conf.py``).

``/gate/check`` is answered here from the WSGI environment, without building
Django's request and response objects: the same decision code as the portal's
``GateCheckMiddleware`` (Redis, then the database, then fail-open with an alert),
at a fraction of the cost per request, since nginx asks it once per request to a
customer site. Every other path (health check, interception pages) goes to the
portal's Django application unchanged.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icpportal.settings")

from django.core.handlers.wsgi import get_bytes_from_wsgi
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.http import QueryDict

from inspections.gate.views import CHECK_PATH, answer_check

_REASONS = {200: "OK", 400: "Bad Request", 403: "Forbidden", 405: "Method Not Allowed"}
# Sources of a decision that used a database connection.
_FROM_DATABASE = ("database", "fail-open")


class GateApplication:
    """Answers the check itself and hands everything else to ``portal``."""

    def __init__(self, portal: Callable):
        self.portal = portal

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != CHECK_PATH:
            return self.portal(environ, start_response)
        method = environ.get("REQUEST_METHOD", "GET").upper()
        query = QueryDict(get_bytes_from_wsgi(environ, "QUERY_STRING", ""))
        answer, source = answer_check(method, query.get("host", ""))
        if source in _FROM_DATABASE:
            # What Django does at the end of a request: drop a broken or expired
            # connection, so the next fallback starts from a good one.
            close_old_connections()
        headers = [*answer.headers(), ("Content-Length", str(len(answer.body)))]
        start_response(f"{answer.status} {_REASONS[answer.status]}", headers)
        return [b""] if method == "HEAD" else [answer.body]


application = GateApplication(get_wsgi_application())
