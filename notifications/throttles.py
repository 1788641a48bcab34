"""Send limits for verification codes, counted from the codes already sent.

Counting rows (indexed on phone/user/address and time) keeps the limits exact across
processes without a separate counter store; the caller holds a row lock on the person
so two concurrent requests cannot both slip under a limit.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from notifications.models import PhoneVerification

MINUTE = datetime.timedelta(minutes=1)
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)

# (field, window, how many codes may be sent in it)
LIMITS: list[tuple[str, datetime.timedelta, int]] = [
    ("phone", MINUTE, 1),
    ("phone", HOUR, 5),
    ("phone", DAY, 10),
    ("created_by", HOUR, 20),
    ("created_by", DAY, 50),
    ("client_ip", HOUR, 30),
    ("client_ip", DAY, 100),
]


@dataclass(frozen=True)
class Throttled:
    scope: str  # "phone", "created_by" or "client_ip"
    retry_after: int  # seconds


def check_send_limits(
    *, phone: str, user=None, client_ip: str | None = None, now: datetime.datetime | None = None
) -> Throttled | None:
    """The first limit a new code would break, with the seconds to wait; else None."""
    now = now or timezone.now()
    values = {
        "phone": phone,
        "created_by": user if user is not None and user.pk else None,
        "client_ip": client_ip,
    }
    worst: Throttled | None = None
    for field, window, allowed in LIMITS:
        value = values[field]
        if value is None:
            continue
        recent = PhoneVerification.objects.filter(**{field: value}, created_at__gt=now - window)
        count = recent.count()
        if count < allowed:
            continue
        # A place frees up when the allowed-th most recent code leaves the window.
        ordered = recent.order_by("-created_at").values_list("created_at", flat=True)
        wait = int((ordered[allowed - 1] + window - now).total_seconds()) + 1
        if worst is None or wait > worst.retry_after:
            worst = Throttled(scope=field, retry_after=max(wait, 1))
    return worst
