"""``/gate/check`` and the interception pages.

The check answers 200 when the host may pass and 403 when it may not, with the
decision as JSON and in the ``X-ICP-Gate`` header. Those are the codes nginx's
``auth_request`` understands (2xx lets the request through, 403 denies it), so the
same endpoint serves scripts and an nginx in front of customer sites. A value that is
no host name gets 400 with the reason.

The check is answered by ``GateCheckMiddleware`` before sessions, authentication and
tenancy run: it reads no cookie and no user, and must stay cheap.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control

from inspections.gate.decisions import decide
from inspections.gate.hosts import normalise_host

CHECK_PATH = "/gate/check"
_JSON = "application/json"


def _json(body: dict, status: int, gate_state: str = "") -> HttpResponse:
    response = HttpResponse(json.dumps(body), content_type=_JSON, status=status)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    if gate_state:
        response["X-ICP-Gate"] = gate_state
    # A denial is the gate working, not a client error worth a log line per request.
    response._has_been_logged = True
    return response


def check(request: HttpRequest) -> HttpResponse:
    """Whether ``?host=`` may pass the gate: 200 allowed, 403 denied, 400 bad host."""
    if request.method not in ("GET", "HEAD"):
        response = _json({"error": "Only GET is allowed."}, 405)
        response["Allow"] = "GET, HEAD"
        return response
    raw = request.GET.get("host", "")
    try:
        host = normalise_host(raw)
    except ValueError as error:
        return _json({"error": str(error)}, 400)
    decision, source = decide(host)
    body = {
        "host": host,
        "allow": decision.allows,
        "decision": decision.state,
        "reason": decision.reason,
        "case": decision.case_id,
        "matched": decision.matched,
        "source": source,
    }
    return _json(body, 200 if decision.allows else 403, decision.state)


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
