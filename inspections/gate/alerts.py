"""Alerts of the access gate: the gate cannot read its decisions, or cannot publish them.

An alert is logged (CRITICAL when the gate lets traffic through unchecked), counted
per process, and mailed to ``GATE_ALERT_EMAILS`` at most once per
``GATE_ALERT_INTERVAL_SECONDS`` and kind. Mail needs neither the database nor Redis,
which may be the very things that are down.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter

from django.conf import settings
from django.core.mail import send_mail

logger = logging.getLogger("inspections.gate.alerts")

# How often each kind of alert was raised by this process (read by tests and the bench).
counts: Counter[str] = Counter()
_last_mailed: dict[str, float] = {}
_last_logged: dict[str, float] = {}
# A gate answering thousands of requests a second logs each kind this often at most.
LOG_INTERVAL_SECONDS = 10.0
_lock = threading.Lock()


def _mail(kind: str, message: str) -> None:
    subject = f"[{settings.PROVIDER_NAME} ICP gate] {kind}"
    try:
        send_mail(subject, message, None, settings.GATE_ALERT_EMAILS, fail_silently=False)
    except Exception:
        logger.exception("Could not mail the gate alert %s", kind)


def raise_alert(kind: str, message: str, *, level: int = logging.ERROR) -> None:
    """Log, count and (throttled) mail one alert of ``kind``."""
    counts[kind] += 1
    now = time.monotonic()
    with _lock:
        should_log = now - _last_logged.get(kind, -1e9) >= LOG_INTERVAL_SECONDS
        if should_log:
            _last_logged[kind] = now
    if should_log:
        logger.log(level, "gate alert %s (%d so far): %s", kind, counts[kind], message)
    if not settings.GATE_ALERT_EMAILS:
        return
    with _lock:
        if now - _last_mailed.get(kind, -1e9) < settings.GATE_ALERT_INTERVAL_SECONDS:
            return
        _last_mailed[kind] = now
    # In the background: a request that fails open must not wait for the mail server.
    threading.Thread(target=_mail, args=(kind, message), daemon=True).start()


def reset() -> None:
    counts.clear()
    _last_mailed.clear()
    _last_logged.clear()
