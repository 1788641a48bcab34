"""Host names as the gate keys them: lower-case IDNA, no port, no final dot."""

from __future__ import annotations

import ipaddress
import re

import idna

MAX_HOST_LENGTH = 253
_ASCII_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_PORT = re.compile(r"^[0-9]{1,5}$")
_FORBIDDEN = re.compile(r"[\s/@?#\\]")
_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})
# A name already in the form normalise_host answers: lower-case ASCII labels, no
# port, no final dot (most names the gate and the publisher see).
_NORMAL_NAME = re.compile(
    r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
)


def _strip_port(value: str) -> str:
    if value.startswith("["):
        # A bracketed IPv6 literal, with or without a port: "[::1]:8080".
        end = value.find("]")
        if end == -1:
            raise ValueError(f"{value!r} is not a host name: an unclosed '['.")
        rest = value[end + 1 :]
        if rest and not (rest.startswith(":") and _PORT.match(rest[1:])):
            raise ValueError(f"{value!r} is not a host name: bad port after the address.")
        return value[1:end]
    if value.count(":") == 1:
        host, port = value.split(":")
        if not _PORT.match(port):
            raise ValueError(f"{value!r} is not a host name: the port {port!r} is not a number.")
        return host
    return value


_NOT_IPV4 = re.compile(r"[^0-9.]")


def _ip_literal(value: str) -> str | None:
    # Most values are names: an IPv4 address is digits and dots, an IPv6 one has a
    # colon. Parsing (and failing) costs a raised exception per name otherwise.
    if ":" not in value and _NOT_IPV4.search(value):
        return None
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def _label_to_ascii(label: str, original: str) -> str:
    if not label:
        raise ValueError(f"{original!r} is not a host name: it has an empty label.")
    if label.isascii():
        if not _ASCII_LABEL.match(label):
            raise ValueError(
                f"{original!r} is not a host name: {label!r} may hold only letters, digits "
                "and inner hyphens, at most 63 characters."
            )
        return label
    try:
        return idna.encode(label, uts46=True).decode("ascii")
    except idna.IDNAError as error:
        raise ValueError(f"{original!r} is not a valid internationalised name: {error}") from None


def normalise_host(value: str) -> str:
    """``WWW.Example.COM.:8080`` → ``www.example.com``; ``例子.中国`` → ``xn--fsqu00a.xn--fiqs8s``.

    Raises ``ValueError`` with a message saying what is wrong with the value.
    """
    if not isinstance(value, str):
        raise ValueError(f"A host name must be text, not {type(value).__name__}.")
    if len(value) <= MAX_HOST_LENGTH and _NORMAL_NAME.fullmatch(value):
        return value
    original = value
    value = value.strip()
    if not value:
        raise ValueError("The host name is empty.")
    if _FORBIDDEN.search(value):
        raise ValueError(f"{original!r} is not a host name: it holds a space, '/', '@' or '?'.")
    # Ideographic and full-width full stops separate labels like "." (UTS 46).
    value = _strip_port(value.lower().translate(_DOTS))
    ip = _ip_literal(value)
    if ip is not None:
        return ip
    if value.endswith("."):
        value = value[:-1]
    if not value:
        raise ValueError(f"{original!r} is not a host name.")
    host = ".".join(_label_to_ascii(label, original) for label in value.split("."))
    if len(host) > MAX_HOST_LENGTH:
        raise ValueError(
            f"{original!r} is not a host name: longer than {MAX_HOST_LENGTH} characters."
        )
    return host


def covering_hosts(host: str) -> list[str]:
    """The normalised host and each parent name whose filing would cover it.

    ``a.shop.example.com`` → itself, ``shop.example.com``, ``example.com``: most
    specific first, as the gate looks them up. An IP address covers only itself.
    """
    if _ip_literal(host) is not None:
        return [host]
    labels = host.split(".")
    return [".".join(labels[i:]) for i in range(max(len(labels) - 1, 1))]
