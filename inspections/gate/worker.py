"""The gunicorn worker of the gate's own server: uvicorn on uvloop with the httptools
parser, without lifespan events (Django has none) or an access log (one line per
check of every visitor of every customer site says nothing the decisions do not)."""

from uvicorn_worker import UvicornWorker


class GateWorker(UvicornWorker):
    CONFIG_KWARGS = {"loop": "uvloop", "http": "httptools", "lifespan": "off", "access_log": False}
