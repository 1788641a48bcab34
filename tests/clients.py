"""Logged-in test clients, one per actor.

Staff sessions go through :func:`staff_client`, the one place that knows what a staff
session needs beyond a password: a confirmed authenticator app (django-otp TOTP
device) and a session that passed it.
"""

from __future__ import annotations

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice


def customer_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def give_authenticator(user) -> TOTPDevice:
    """Give the user a confirmed authenticator app (the one they have, if any) and return
    it. The portal's own ``authenticator_of`` only looks one up."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return device


def staff_client(user, client: Client | None = None) -> Client:
    """A staff (or superuser) session that passed its second factor."""
    client = client or Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = give_authenticator(user).persistent_id
    session.save()
    return client


def unverified_staff_client(user) -> Client:
    """A staff login that gave its password but not yet its second factor: only for
    tests of what such a session may not do."""
    client = Client()
    client.force_login(user)
    return client
