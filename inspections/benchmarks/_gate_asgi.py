"""The gate's ASGI application as ``bench gate`` serves it: the production one
(``inspections.gate.asgi``) plus ``/bench/bare``, a hello-world answered by the event
loop itself, the most this server can do per request (the gate's own ceiling)."""

from inspections.gate.asgi import application as gate

_BODY = b"Hello, world"
_HEADERS = [(b"content-type", b"text/plain"), (b"content-length", str(len(_BODY)).encode())]


async def application(scope, receive, send):
    if scope["type"] == "http" and scope["path"] == "/bench/bare":
        await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
        await send({"type": "http.response.body", "body": _BODY})
        return
    await gate(scope, receive, send)
