"""Who holds a domain: the registrant sources behind the domain-owner rule.

Sources, in the order DOMAIN.md gives them:

1. ``registrar`` — the registrar's data kept on the Domain row (registrant name, the
   keyed hash of the registrant's ID number, real-name status);
2. ``domain_certificate`` — the holder recorded on the domain-certificate material
   (a name only: real-name status unknown);
3. ``rdap`` — a public RDAP service over HTTP (RFC 9083), cached for a day and
   rate-limited per process. RDAP never carries ID numbers or real-name status, often
   redacts the registrant (RFC 9537, or placeholder values such as "REDACTED FOR
   PRIVACY"), and .cn has no public RDAP service.

Every source answers ``lookup(domain, record=…, certificate_holder=…)`` with data a
worker already loaded, so a chunk makes no query per website. ``None`` means the
source has nothing; a redacted answer is not ``None`` (the rule says cannot_tell);
``LookupUnavailable`` means "try again later" (the rule says error).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Protocol

from django.conf import settings
from django.core.cache import BaseCache
from django.core.cache import cache as default_cache
from django.core.exceptions import ImproperlyConfigured

REAL_NAME_STATUSES = ("verified", "pending", "failed", "unknown")
# The Domain fields a registrar record is read from: ``Domain.objects.values(*…)``.
REGISTRAR_FIELDS = (
    "registrar",
    "registrant_name",
    "registrant_id_type",
    "registrant_id_hash",
    "real_name_status",
)
# Suffixes without a public RDAP service: .cn, .中国, .中國.
NO_PUBLIC_RDAP = (".cn", ".xn--fiqs8s", ".xn--fiqz9s")
PLACEHOLDER = re.compile(
    r"redacted|data protected|privacy|not disclosed|withheld|gdpr masked", re.IGNORECASE
)
MAX_RDAP_BYTES = 1024 * 1024


class LookupUnavailable(Exception):
    """A source could not answer now (timeout, 5xx, rate limit): retry later."""

    def __init__(self, message: str, *, evidence: dict | None = None):
        super().__init__(message)
        self.evidence = evidence or {}


@dataclass
class RegistrantInfo:
    """What one source says about a domain's registrant."""

    domain: str
    name: str
    source: str
    id_type: str = ""
    id_hash: str | None = None
    real_name_status: str = "unknown"
    redacted: bool = False
    evidence: dict = field(default_factory=dict)

    def to_evidence(self) -> dict:
        """JSON-ready; the ID is only ever a keyed hash, and only whether it exists."""
        data = asdict(self)
        data["id_hash"] = None
        data["has_id"] = bool(self.id_hash)
        return data


class RegistrantSource(Protocol):
    source: str

    def lookup(
        self,
        domain: str,
        *,
        record: Mapping | None = None,
        certificate_holder: str | None = None,
    ) -> RegistrantInfo | None: ...


def _domain(name: str) -> str:
    return name.strip().rstrip(".").lower()


def registrar_record(domain) -> dict:
    """The registrar record of a Domain row, as ``RegistrarRecordSource`` reads it."""
    return {name: getattr(domain, name) for name in REGISTRAR_FIELDS}


class RegistrarRecordSource:
    """The registrar's data stored on the Domain row."""

    source = "registrar"

    def lookup(
        self,
        domain: str,
        *,
        record: Mapping | None = None,
        certificate_holder: str | None = None,
    ) -> RegistrantInfo | None:
        if not record:
            return None
        name = (record.get("registrant_name") or "").strip()
        id_hash = record.get("registrant_id_hash") or None
        if not name and not id_hash:
            return None
        status = record.get("real_name_status") or "unknown"
        return RegistrantInfo(
            domain=_domain(domain),
            name=name,
            source=self.source,
            id_type=record.get("registrant_id_type") or "",
            id_hash=id_hash,
            real_name_status=status if status in REAL_NAME_STATUSES else "unknown",
            evidence={
                "source": self.source,
                "registrar": record.get("registrar") or "",
                "registrant_name": name,
                "id_type": record.get("registrant_id_type") or "",
                "has_id": bool(id_hash),
                "real_name_status": status,
            },
        )


class DomainCertificateSource:
    """The holder recorded on the website's domain-certificate material."""

    source = "domain_certificate"

    def lookup(
        self,
        domain: str,
        *,
        record: Mapping | None = None,
        certificate_holder: str | None = None,
    ) -> RegistrantInfo | None:
        holder = (certificate_holder or "").strip()
        if not holder:
            return None
        return RegistrantInfo(
            domain=_domain(domain),
            name=holder,
            source=self.source,
            evidence={"source": self.source, "holder_name": holder},
        )


class RdapSource:
    """A public RDAP service: ``GET {base_url}/domain/{name}`` (stdlib urllib).

    Answers are kept in the Django cache for ``cache_seconds`` (a day), "not found"
    included; requests from one process are at least ``min_interval`` seconds apart.
    It blocks while waiting: async workers call it through ``asyncio.to_thread``.
    """

    source = "rdap"

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 5.0,
        min_interval: float = 1.0,
        cache: BaseCache | None = None,
        cache_seconds: int = 86400,
    ):
        if urllib.parse.urlsplit(base_url).scheme not in ("http", "https"):
            raise ImproperlyConfigured(f"RDAP base URL {base_url!r} must be http(s)://…")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.min_interval = min_interval
        self.cache = cache if cache is not None else default_cache
        self.cache_seconds = cache_seconds
        self._lock = threading.Lock()
        self._next_request_at = 0.0

    def lookup(
        self,
        domain: str,
        *,
        record: Mapping | None = None,
        certificate_holder: str | None = None,
    ) -> RegistrantInfo | None:
        name = _domain(domain)
        if name.endswith(NO_PUBLIC_RDAP):
            return None
        key = "rdap:v1:" + hashlib.sha256(f"{self.base_url} {name}".encode()).hexdigest()
        cached = self.cache.get(key)
        if isinstance(cached, dict):
            if not cached.get("found", True):
                return None
            with contextlib.suppress(TypeError):  # written by an older RegistrantInfo: refetch
                return RegistrantInfo(**cached)
        url = f"{self.base_url}/domain/{urllib.parse.quote(name)}"
        data = self._fetch(url)
        info = parse_rdap(name, data, url) if data is not None else None
        self.cache.set(key, asdict(info) if info else {"found": False}, self.cache_seconds)
        return info

    def _wait_turn(self) -> None:
        # Holding the lock while sleeping queues this process's requests in order.
        with self._lock:
            wait = self._next_request_at - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._next_request_at = time.monotonic() + self.min_interval

    def _fetch(self, url: str) -> dict | None:
        request = urllib.request.Request(  # noqa: S310 (the scheme is checked in __init__)
            url, headers={"Accept": "application/rdap+json, application/json"}
        )
        self._wait_turn()
        evidence = {"source": self.source, "url": url}
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                body = response.read(MAX_RDAP_BYTES)
        except urllib.error.HTTPError as exc:
            exc.close()
            if exc.code == 404:
                return None
            raise LookupUnavailable(
                f"RDAP answered HTTP {exc.code}", evidence={**evidence, "http_status": exc.code}
            ) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise LookupUnavailable(f"RDAP unreachable: {exc}", evidence=evidence) from exc
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise LookupUnavailable("RDAP answer is not JSON", evidence=evidence) from exc
        if not isinstance(data, dict):
            raise LookupUnavailable("RDAP answer is not an object", evidence=evidence)
        return data


def _registrant_entity(entities) -> dict | None:
    """The entity with the registrant role, searched breadth-first."""
    queue = list(entities or [])
    while queue:
        entity = queue.pop(0)
        if not isinstance(entity, dict):
            continue
        if "registrant" in (entity.get("roles") or []):
            return entity
        queue.extend(entity.get("entities") or [])
    return None


def _vcard_value(entity: dict | None, prop: str) -> str:
    try:
        properties = entity["vcardArray"][1]
    except (TypeError, KeyError, IndexError):
        return ""
    for item in properties:
        if isinstance(item, list) and len(item) >= 4 and item[0] == prop:
            value = item[3]
            if isinstance(value, list):  # a structured org: name and units
                value = next((v for v in value if v), "")
            return str(value or "").strip()
    return ""


def _redacts_registrant_name(member: dict) -> bool:
    """An RFC 9537 ``redacted`` member about the registrant's name or organisation."""
    name = member.get("name") or {}
    label = str(name.get("type") or name.get("description") or "").lower()
    if "registrant" in label and re.search(r"name|organi[sz]ation|\borg\b", label):
        return True
    paths = " ".join(
        str(member.get(k) or "") for k in ("prePath", "path", "postPath", "replacementPath")
    ).lower()
    return "registrant" in paths and bool(re.search(r"\bfn\b|\borg\b", paths))


def parse_rdap(domain: str, data: dict, url: str = "") -> RegistrantInfo:
    """The registrant of an RFC 9083 domain answer, with redaction recognised."""
    entity = _registrant_entity(data.get("entities"))
    fields = {prop: _vcard_value(entity, prop) for prop in ("fn", "org")}
    members = [m for m in data.get("redacted") or [] if isinstance(m, dict)]
    redacted_fields = [
        str((m.get("name") or {}).get("type") or m.get("prePath") or m.get("path") or "")
        for m in members
        if _redacts_registrant_name(m)
    ]
    placeholders = [prop for prop, value in fields.items() if PLACEHOLDER.search(value)]
    visible = {p: v for p, v in fields.items() if v and p not in placeholders}
    redacted = bool(redacted_fields or placeholders) or (entity is None and bool(members))
    return RegistrantInfo(
        domain=domain,
        name=visible.get("org") or visible.get("fn") or "",
        source="rdap",
        redacted=redacted,
        evidence={
            "source": "rdap",
            "url": url,
            "ldh_name": data.get("ldhName") or "",
            "registrant": fields if entity is not None else None,
            "redacted_fields": redacted_fields,
            "placeholder_fields": placeholders,
            "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
        },
    )


class ChainedRegistrantSource:
    """Asks each source in turn; the first that has an answer wins."""

    source = "chain"

    def __init__(self, sources: Sequence[RegistrantSource]):
        self.sources = list(sources)

    def lookup(
        self,
        domain: str,
        *,
        record: Mapping | None = None,
        certificate_holder: str | None = None,
    ) -> RegistrantInfo | None:
        said: list[dict] = []
        for source in self.sources:
            try:
                info = source.lookup(domain, record=record, certificate_holder=certificate_holder)
            except LookupUnavailable as exc:
                said.append({"source": source.source, "answer": "unavailable", "reason": str(exc)})
                exc.evidence = {**exc.evidence, "sources": said}
                raise
            if info is None:
                said.append({"source": source.source, "answer": None})
                continue
            said.append({"source": info.source, "answer": info.name, "redacted": info.redacted})
            return replace(info, evidence={**info.evidence, "sources": said})
        return None


def get_registrant_source() -> RegistrantSource:
    """The chain the settings describe; RDAP joins it when ``RDAP_BASE_URL`` is set."""
    return _registrant_source(
        getattr(settings, "RDAP_BASE_URL", ""),
        float(getattr(settings, "RDAP_TIMEOUT_SECONDS", 5)),
        int(getattr(settings, "RDAP_MIN_INTERVAL_MS", 1000)) / 1000,
        int(getattr(settings, "RDAP_CACHE_SECONDS", 86400)),
    )


@functools.cache
def _registrant_source(
    base_url: str, timeout: float, min_interval: float, cache_seconds: int
) -> ChainedRegistrantSource:
    sources: list[RegistrantSource] = [RegistrarRecordSource(), DomainCertificateSource()]
    if base_url:
        sources.append(
            RdapSource(
                base_url, timeout=timeout, min_interval=min_interval, cache_seconds=cache_seconds
            )
        )
    return ChainedRegistrantSource(sources)
