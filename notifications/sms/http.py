"""A generic SMS gateway over HTTP: POST JSON, signed with HMAC-SHA256.

Headers: ``X-ICP-Timestamp`` (unix seconds) and ``X-ICP-Signature`` = hex
HMAC-SHA256(secret, timestamp + "." + body). The gateway answers 2xx with JSON
``{"id": "…"}``; 429 and 5xx are retried, other statuses are final.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from notifications.sms.base import SmsBackend, SmsMessage, SmsPermanentError, SmsTransientError


def signature(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


class HttpSmsBackend(SmsBackend):
    name = "http"

    def __init__(self) -> None:
        if not settings.SMS_HTTP_URL or not settings.SMS_HTTP_SECRET:
            raise ImproperlyConfigured(
                "The http SMS backend needs ICP_SMS_HTTP_URL and ICP_SMS_HTTP_SECRET."
            )
        self.url, self.secret = settings.SMS_HTTP_URL, settings.SMS_HTTP_SECRET
        self.session = requests.Session()

    def deliver(self, message: SmsMessage) -> str:
        to, text, template_key, params = (
            message.to,
            message.text,
            message.template_key,
            list(message.params.values()),
        )
        body = json.dumps(
            {"to": to, "text": text, "template": template_key, "params": list(params)},
            ensure_ascii=False,
        ).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-ICP-Timestamp": timestamp,
            "X-ICP-Signature": signature(self.secret, timestamp, body),
        }
        try:
            response = self.session.post(self.url, data=body, headers=headers, timeout=10)
        except requests.RequestException as exc:
            raise SmsTransientError(f"{exc.__class__.__name__}: {exc}") from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise SmsTransientError(f"gateway answered {response.status_code}")
        if response.status_code >= 300:
            raise SmsPermanentError(
                f"gateway answered {response.status_code}: {response.text[:200]}"
            )
        try:
            return str(response.json().get("id", ""))
        except ValueError:
            return ""
