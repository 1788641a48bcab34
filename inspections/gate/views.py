"""``/gate/check`` and the interception pages.

The check answers 200 when the host may pass and 403 when it may not, with the
decision as JSON and in the ``X-ICP-Gate`` header. Those are the codes nginx's
``auth_request`` understands (2xx lets the request through, 403 denies it), so the
same endpoint serves scripts and an nginx in front of customer sites. A value that is
no host name gets 400 with the reason.

The check is answered by ``GateCheckMiddleware`` before sessions, authentication and
tenancy run: it reads no cookie and no user, and must stay cheap. On the gate's own
server (``deploy/gunicorn-gate.conf.py``), ``inspections.gate.asgi`` answers it with
the same ``answer_check`` without building Django's request at all.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control

from inspections.gate.decisions import decide
from inspections.gate.hosts import normalise_host

CHECK_PATH = "/gate/check"
_JSON = "application/json"


@dataclass(frozen=True)
class CheckAnswer:
    """The check's answer, independent of how it is served (Django or the gate's own
    ASGI entry point, ``inspections.gate.asgi``)."""

    status: int
    body: bytes
    gate_state: str = ""
    allow: str = ""

    def headers(self) -> list[tuple[str, str]]:
        headers = [
            ("Content-Type", _JSON),
            ("Cache-Control", "no-store"),
            ("X-Content-Type-Options", "nosniff"),
        ]
        if self.gate_state:
            headers.append(("X-ICP-Gate", self.gate_state))
        if self.allow:
            headers.append(("Allow", self.allow))
        return headers


def _answer(body: dict, status: int, gate_state: str = "", allow: str = "") -> CheckAnswer:
    return CheckAnswer(status, json.dumps(body).encode(), gate_state, allow)


def answer_check(
    method: str, raw_host: str, decide: Callable[[str], tuple] = decide
) -> tuple[CheckAnswer | None, str]:
    """Whether ``raw_host`` may pass the gate: 200 allowed, 403 denied, 400 bad host;
    and where the decision came from (empty when none was taken).

    ``decide`` answers (decision, source) for a normalised host. One that can leave
    the question open (``decide_from_redis``) answers (None, why), and so does this.
    """
    if method not in ("GET", "HEAD"):
        return _answer({"error": "Only GET is allowed."}, 405, allow="GET, HEAD"), ""
    try:
        host = normalise_host(raw_host)
    except ValueError as error:
        return _answer({"error": str(error)}, 400), ""
    decision, source = decide(host)
    if decision is None:
        return None, source
    body = {
        "host": host,
        "allow": decision.allows,
        "decision": decision.state,
        "reason": decision.reason,
        "case": decision.case_id,
        "matched": decision.matched,
        "source": source,
    }
    return _answer(body, 200 if decision.allows else 403, decision.state), source


def check(request: HttpRequest) -> HttpResponse:
    """``/gate/check?host=`` through Django (the portal's own server)."""
    answer, _source = answer_check(request.method, request.GET.get("host", ""))
    response = HttpResponse(answer.body, content_type=_JSON, status=answer.status)
    for name, value in answer.headers():
        response[name] = value
    # A denial is the gate working, not a client error worth a log line per request.
    response._has_been_logged = True
    return response


class GateCheckMiddleware:
    """Answers ``/gate/check`` before the rest of the middleware (sessions, users,
    tenants, lockouts) runs; every other request goes on unchanged."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == CHECK_PATH:
            return check(request)
        return self.get_response(request)


def page_context(variant: str) -> dict:
    return {
        "variant": variant,
        "provider_name": settings.PROVIDER_NAME,
        "provider_contact": settings.PROVIDER_CONTACT,
    }


@cache_control(no_store=True)
def blocked_page(request: HttpRequest) -> HttpResponse:
    """Shown instead of a site whose access is blocked pending filing rectification."""
    return render(request, "gate/interception.html", page_context("blocked"), status=451)


@cache_control(no_store=True)
def unfiled_page(request: HttpRequest) -> HttpResponse:
    """Shown instead of a site that no ICP filing accessed here covers."""
    return render(request, "gate/interception.html", page_context("unfiled"), status=451)
