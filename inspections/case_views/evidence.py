"""A finding's evidence laid out for staff: DNS answers per resolver, registrant data,
the documents judged (with links to their staff views), and every other value in full.

Works on the stored evidence only; the documents of every finding of a page are read in
one query by :func:`materials_for`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone

from filings.materials.uploads import IMAGE_CONTENT_TYPES
from filings.models import Material


@dataclass
class DnsRow:
    """One DNS answer: a name as one resolver (or the summary) answered it."""

    name: str
    resolver: str
    status: str
    addresses: list[str]
    cname_chain: list[str]
    ttl: Any = None
    at: str = ""
    reason: str = ""
    disagreement: bool = False


@dataclass
class StaffEvidence:
    dns: list[DnsRow] = field(default_factory=list)
    registrants: list[dict[str, Any]] = field(default_factory=list)
    material_ids: list[int] = field(default_factory=list)
    # Everything else, flattened to "what: value" lines, none left out.
    lines: list[tuple[str, str]] = field(default_factory=list)


def _when(value: Any) -> str:
    """An answer's ISO time in the portal's time zone, to the second."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _address(entry: Any) -> str:
    if not isinstance(entry, Mapping):
        return str(entry)
    text = str(entry.get("ip", ""))
    if entry.get("ttl") is not None:
        text += f" (TTL {entry['ttl']})"
    if entry.get("verdict"):
        text += f" · {entry['verdict']}"
        if entry.get("network"):
            text += f" {entry['network']}"
    return text


def _dns_rows(names: Mapping[str, Any]) -> list[DnsRow]:
    rows: list[DnsRow] = []
    for name, record in names.items():
        if not isinstance(record, Mapping):
            continue
        common = {"name": name, "disagreement": bool(record.get("disagreement"))}
        rows.append(
            DnsRow(
                resolver="",
                status=str(record.get("status", "")),
                addresses=[_address(a) for a in record.get("addresses") or ()],
                cname_chain=list(record.get("cname_chain") or ()),
                reason=str(record.get("reason") or ""),
                **common,
            )
        )
        for resolver, answer in (record.get("answers_by_resolver") or {}).items():
            if not isinstance(answer, Mapping):
                continue
            rows.append(
                DnsRow(
                    resolver=resolver,
                    status=str(answer.get("status", "")),
                    addresses=[_address(a) for a in answer.get("addresses") or ()],
                    cname_chain=list(answer.get("cname_chain") or ()),
                    ttl=answer.get("ttl"),
                    at=_when(answer.get("at")),
                    reason=str(answer.get("reason") or ""),
                    **common,
                )
            )
    return rows


def _lines(value: Any, label: str = "") -> Iterable[tuple[str, str]]:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            yield from _lines(inner, f"{label} › {key}" if label else str(key))
    elif isinstance(value, list):
        for inner in value:
            yield from _lines(inner, label)
    else:
        yield label.replace("_", " "), "—" if value is None else str(value)


def _material_ids(value: Any) -> Iterable[int]:
    """Ids of documents named anywhere in the evidence (``material_id``, ``materials``)."""
    if isinstance(value, Mapping):
        if isinstance(value.get("material_id"), int):
            yield value["material_id"]
        for key, inner in value.items():
            if key == "materials" and isinstance(inner, list):
                yield from (m["id"] for m in inner if isinstance(m, Mapping) and "id" in m)
            else:
                yield from _material_ids(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _material_ids(inner)


def staff_evidence(evidence: Mapping[str, Any] | None) -> StaffEvidence:
    """The evidence of one finding, laid out for the staff case page."""
    evidence = dict(evidence or {})
    laid_out = StaffEvidence(material_ids=sorted(set(_material_ids(evidence))))
    names = evidence.pop("names", None)
    if isinstance(names, Mapping):
        laid_out.dns = _dns_rows(names)
    domains = evidence.get("domains")
    if isinstance(domains, list) and any(
        isinstance(d, Mapping) and ("registrant_name" in d or "trail" in d) for d in domains
    ):
        laid_out.registrants = [d for d in evidence.pop("domains") if isinstance(d, Mapping)]
    evidence.pop("materials", None)
    laid_out.lines = list(_lines(evidence))
    return laid_out


@dataclass(frozen=True)
class MaterialLink:
    material: Material
    is_image: bool


def materials_for(user, tenant_id: int, ids: Iterable[int]) -> dict[int, MaterialLink]:
    """The case's documents among ``ids``, by id: one query (another customer's: left out)."""
    ids = set(ids)
    if not ids:
        return {}
    rows = Material.objects.for_staff(user).filter(pk__in=ids, tenant_id=tenant_id)
    return {m.pk: MaterialLink(m, m.content_type in IMAGE_CONTENT_TYPES) for m in rows}
