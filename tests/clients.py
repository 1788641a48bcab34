"""Logged-in test clients, one per actor.

Staff sessions go through :func:`staff_client`, the one place that knows what a staff
session needs beyond a password (a verified second factor, once staff log in with one).
"""

from __future__ import annotations

from django.test import Client


def customer_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def staff_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
