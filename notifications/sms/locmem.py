"""Test SMS: messages are kept in memory, like ``django.core.mail.outbox``."""

from __future__ import annotations

import itertools

from notifications.sms.base import SmsBackend, SmsError, SmsMessage

# Every message "sent" in this process, oldest first.
outbox: list[SmsMessage] = []
# Errors the next sends raise instead of sending, oldest first (to test retries).
failures: list[SmsError] = []
_ids = itertools.count(1)


def clear() -> None:
    """Forget the messages and the queued failures."""
    outbox.clear()
    failures.clear()


def fail_next(error: SmsError) -> None:
    """Make the next send raise ``error`` (queued after earlier ones)."""
    failures.append(error)


class LocmemSmsBackend(SmsBackend):
    """Keeps messages in ``notifications.sms.locmem.outbox`` instead of sending them."""

    name = "locmem"

    def deliver(self, message: SmsMessage) -> str:
        if failures:
            raise failures.pop(0)
        outbox.append(message)
        return f"locmem-{next(_ids)}"
