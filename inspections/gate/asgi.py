"""The ASGI entry point of the gate's own server (``deploy/gunicorn-gate.conf.py``).

nginx asks ``/gate/check`` once per request to a customer site, so the gate's server
answers it on an event loop (uvicorn with uvloop and httptools, one loop per
gunicorn worker process) straight from the ASGI scope, without Django's request and
response objects. One loop serves every kept-alive connection of its process in turn:
no thread pool, no contention for the GIL between threads, and so a short, even tail
of response times under load.

The decision code is the portal's (``GateCheckMiddleware``): Redis, then the database,
then fail-open with an alert. The Redis read (one HMGET, bounded by
``GATE_REDIS_TIMEOUT_MS``) runs on the loop itself; when Redis cannot decide, the
check is asked again in a worker thread, where the database may be used. Every other
path (health check, interception pages) goes to the portal's Django application.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from functools import partial

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icpportal.settings")

from asgiref.sync import sync_to_async
from django.core.asgi import get_asgi_application
from django.db import close_old_connections
from django.http import QueryDict

from inspections.gate.decisions import decide_from_redis, decide_without_redis
from inspections.gate.views import CHECK_PATH, CheckAnswer, answer_check

ASGIApp = Callable[[dict, Callable, Callable], Awaitable[None]]


def _answer_with_database(method: str, raw_host: str, why: str) -> CheckAnswer:
    """The check once Redis could not decide (``why``), in a worker thread: the
    database, or fail-open. Like the end of a Django request, a broken or expired
    connection is dropped afterwards, so the next fallback starts from a good one."""
    try:
        return answer_check(method, raw_host, partial(decide_without_redis, why=why))[0]
    finally:
        close_old_connections()


_answer_in_thread = sync_to_async(_answer_with_database, thread_sensitive=False)


class GateApplication:
    """Answers the check itself and hands everything else to ``portal``."""

    def __init__(self, portal: ASGIApp):
        self.portal = portal

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http" or scope["path"] != CHECK_PATH:
            await self.portal(scope, receive, send)
            return
        method = scope["method"]
        raw_host = QueryDict(scope["query_string"]).get("host", "")
        answer, why = answer_check(method, raw_host, decide_from_redis)
        if answer is None:
            answer = await _answer_in_thread(method, raw_host, why)
        headers = [(name.lower().encode(), value.encode()) for name, value in answer.headers()]
        headers.append((b"content-length", str(len(answer.body)).encode()))
        await send({"type": "http.response.start", "status": answer.status, "headers": headers})
        body = b"" if method == "HEAD" else answer.body
        await send({"type": "http.response.body", "body": body})


application = GateApplication(get_asgi_application())
