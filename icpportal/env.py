"""Typed readers of the ``ICP_*`` environment that fail loudly on a bad value.

Every setting the portal reads from the environment goes through one of these, so a
typo in a deployment stops start-up with a message naming the variable, instead of
running with a silently wrong default.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
from collections.abc import Sequence

from django.core.exceptions import ImproperlyConfigured

PREFIX = "ICP_"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str) -> str | None:
    return os.environ.get(PREFIX + name)


def _fail(name: str, value: str, expected: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"{PREFIX}{name}={value!r} is not valid: expected {expected}.")


def envstr(name: str, default: str | None = None, *, required: bool = False) -> str:
    value = _raw(name)
    if value is None or value == "":
        if required:
            raise ImproperlyConfigured(f"{PREFIX}{name} must be set.")
        if default is None:
            return ""
        return default
    return value


def envbool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise _fail(name, value, "one of 1/0, true/false, yes/no, on/off")


def envint(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise _fail(name, value, "a whole number") from None
    if minimum is not None and number < minimum:
        raise _fail(name, value, f"a whole number of at least {minimum}")
    return number


def envchoice(name: str, default: str, choices: Sequence[str]) -> str:
    value = envstr(name, default)
    if value not in choices:
        raise _fail(name, value, "one of " + ", ".join(choices))
    return value


def envlist(name: str, default: Sequence[str] = (), *, required: bool = False) -> list[str]:
    value = _raw(name)
    if value is None or value.strip() == "":
        if required:
            raise ImproperlyConfigured(f"{PREFIX}{name} must be set (comma-separated).")
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def envnetworks(name: str, default: Sequence[str]) -> list[str]:
    """A comma-separated list of CIDR blocks, each checked by :mod:`ipaddress`."""
    items = envlist(name, default)
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise _fail(name, item, "CIDR blocks such as 10.0.0.0/8, fc00::/7") from None
    return items


def envurl(name: str, default: str, schemes: Sequence[str], *, required: bool = False) -> str:
    value = envstr(name, default, required=required)
    scheme = value.split(":", 1)[0]
    if ":" not in value or scheme not in schemes:
        raise _fail(name, value, "a URL starting with " + " or ".join(s + ":" for s in schemes))
    return value


def envdate(name: str, default: datetime.date) -> datetime.date:
    """An ISO date (``2027-07-01``)."""
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise _fail(name, value, "a date as YYYY-MM-DD") from None


_PERIOD_UNITS = {"w": "working", "c": "calendar"}


def _period(name: str, value: str) -> tuple[str, int]:
    text = value.strip().lower()
    unit = _PERIOD_UNITS.get(text[-1:])
    if unit is None or not text[:-1].isdigit() or int(text[:-1]) < 1:
        raise _fail(name, value, "a number of days then w (working) or c (calendar), e.g. 10w")
    return unit, int(text[:-1])


def envperiod(name: str, default: str) -> tuple[str, int]:
    """A period such as ``10w`` (10 working days) or ``14c`` (14 calendar days)."""
    value = _raw(name)
    return _period(name, default if value is None or value.strip() == "" else value)


def envperiodmap(name: str) -> dict[str, tuple[str, int]]:
    """Periods per code: ``domain_expiry=14c,dns_ip_ownership=10w``."""
    periods: dict[str, tuple[str, int]] = {}
    for item in envlist(name):
        code, sep, period = item.partition("=")
        if not sep or not code.strip():
            raise _fail(name, item, "code=period pairs such as domain_expiry=14c")
        periods[code.strip()] = _period(name, period)
    return periods
