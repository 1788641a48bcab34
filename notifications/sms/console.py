"""Development SMS: messages are printed, not sent."""

from __future__ import annotations

import sys
import uuid

from notifications.sms.base import SmsBackend, SmsMessage


class ConsoleSmsBackend(SmsBackend):
    """For development only: prints each message, code included, to standard output.

    It writes to stdout directly, never through logging: log lines are kept and
    shipped, and a verification code must never land in a log. The portal refuses
    this backend in production.
    """

    name = "console"

    def deliver(self, message: SmsMessage) -> str:
        message_id = f"console-{uuid.uuid4().hex[:12]}"
        sys.stdout.write(
            f"--- SMS to {message.to} [{message.template_key}] {message_id}\n{message.text}\n---\n"
        )
        sys.stdout.flush()
        return message_id
