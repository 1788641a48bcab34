"""The SMS backend contract: hand one text message to a gateway, get its message id.

A backend raises ``SmsTransientError`` when trying again later may work (gateway
down, throttled) and ``SmsPermanentError`` when it will not (invalid number, template
refused). The outbox retries the first and gives up on the second. No backend logs a
message's text or parameters: they may hold a verification code.

A backend implements ``deliver`` (and gets the number check and the masked log line
of ``send``), or overrides ``send`` whole. ``params`` are the template parameters a
template-based gateway sends instead of the text: a dict of named values, or a list
when the gateway takes them in order (Tencent Cloud).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.utils.translation import gettext as _

from icpportal.masking import mask_phone

logger = logging.getLogger(__name__)

E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")


class SmsError(Exception):
    """A message could not be handed to the gateway."""


class SmsTransientError(SmsError):
    """Sending failed for now; the same message may be retried later."""


class SmsPermanentError(SmsError):
    """Sending will never work for this message; do not retry."""


@dataclass
class SmsMessage:
    """One text message as it was handed to a gateway."""

    to: str
    text: str
    template_key: str
    params: dict | list = field(default_factory=dict)
    sent_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    # The gateway's id of the message, for delivery reports.
    backend_id: str = ""


class SmsBackend:
    """Sends text messages; subclasses implement ``deliver`` (or override ``send``)."""

    name = "base"

    def send(
        self,
        to: str,
        text: str,
        *,
        template_key: str,
        params: Mapping | Sequence | None = None,
    ) -> str:
        """Send ``text`` to ``to`` (E.164, e.g. +8613800138000); returns the message id.

        ``template_key`` and ``params`` are what template-based gateways send
        instead of the text.
        """
        number = (to or "").strip().replace(" ", "")
        if not E164.match(number):
            raise SmsPermanentError(
                _("%(number)s is not a phone number in international form (+86…).")
                % {"number": mask_phone(number)}
            )
        message = SmsMessage(
            to=number,
            text=text,
            template_key=template_key,
            params=dict(params or {}) if not isinstance(params, Sequence) else list(params),
        )
        message.backend_id = self.deliver(message)
        logger.info(
            "SMS %s sent to %s via %s (%s)",
            template_key,
            mask_phone(number),
            self.name,
            message.backend_id,
        )
        return message.backend_id

    def deliver(self, message: SmsMessage) -> str:
        """Hand ``message`` to the gateway; returns the gateway's message id."""
        raise NotImplementedError(f"{type(self).__name__} implements neither deliver nor send.")
