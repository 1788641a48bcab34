"""API clients for tests: a token client per actor, and the throttle counters reset."""

from __future__ import annotations

import datetime

from django.test import Client
from django.utils import timezone

from icpportal.api.tokens import do_create_api_token


def new_token(user, tenant, scopes=("read", "write"), days: int = 30, name: str = "test"):
    """A fresh token (its secret) and its row."""
    result = do_create_api_token(
        user,
        tenant=tenant,
        name=name,
        scopes=list(scopes),
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )
    assert result.ok, result.message
    return result.secret, result.token


def token_client(user, tenant, scopes=("read", "write")) -> Client:
    """A client without a session that sends ``Authorization: Bearer <token>``."""
    secret, _token = new_token(user, tenant, scopes)
    return Client(headers={"Authorization": f"Bearer {secret}"})
