"""Rule 6 of the special inspection: each domain is registered to the filing entity.

Sources, in the order DOMAIN.md gives them (see :mod:`inspections.registrants`): the
registrar's data on the Domain, the holder recorded on the domain-certificate material,
and RDAP, which the worker looks up before the rules run (``snapshot.lookups["rdap"]``)
only for domains the first two leave without a name. The first source that names a
registrant answers; RDAP never carries an ID number or a real-name status.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from filings.choices import EntityType, MaterialKind
from filings.payloads import field_path
from filings.validators import to_idna
from inspections.rules.base import Outcome, Rule, register
from inspections.rules.outcomes import Problem, combine
from inspections.snapshot.parts import APPLICATION, DomainSnapshot, MaterialSnapshot, Snapshot

RDAP_LOOKUP = "rdap"
CERTIFICATE_FIELD = "materials.domain_certificate"
# Brackets of any width and style compare as ASCII parentheses: "（分公司）" = "(分公司)".
_OPEN, _CLOSE = "（【〔［｛〈《「『[{", "）】〕］｝〉》」』]}"
_BRACKETS = str.maketrans(_OPEN + _CLOSE, "(" * len(_OPEN) + ")" * len(_CLOSE))
_WHITESPACE = re.compile(r"\s+")
_OLDEST = datetime.datetime.min.replace(tzinfo=datetime.UTC)


def normalise_name(value: str) -> str:
    """A name as compared: NFKC, no whitespace, ASCII brackets, case-folded."""
    text = unicodedata.normalize("NFKC", value or "").translate(_BRACKETS)
    return _WHITESPACE.sub("", text).casefold()


def _domain_key(value: str) -> str:
    try:
        return to_idna(value or "")
    except ValidationError:
        return (value or "").strip().lower()


@dataclass
class Registrant:
    """What the answering source says about one domain's registrant."""

    source: str
    name: str
    id_hash: str = ""
    real_name_status: str = "unknown"
    path: str = ""  # the payload field a mismatch is shown next to
    evidence: dict[str, Any] = field(default_factory=dict)


def certificate_for(
    materials: Sequence[MaterialSnapshot], domain: str, domains: set[str]
) -> MaterialSnapshot | None:
    """The newest domain certificate of the website for this domain.

    Its document number is often the domain name: a certificate naming this domain
    wins; one naming another domain of the website is not this domain's.
    """
    certificates = [
        m
        for m in materials
        if m.kind == MaterialKind.DOMAIN_CERTIFICATE and m.owner in ("website", "application")
    ]
    named = [m for m in certificates if _domain_key(m.document_number) == domain]
    candidates = named or [m for m in certificates if _domain_key(m.document_number) not in domains]
    return max(candidates, key=lambda m: (m.uploaded_at or _OLDEST, m.id or 0), default=None)


@register
class DomainOwner(Rule):
    """Rule 6: the registrant of every domain is the filing entity, real-name verified."""

    code = "domain_owner"
    version = 1
    title = _("Domain owner matching")
    fix_text = _(
        "Have each domain registered to the filing entity itself (the same name and ID "
        "document as in the filing) and complete the real-name verification at your "
        "registrar. If the registrar's data is right, upload a current domain certificate "
        "showing the entity as the holder."
    )
    legal_basis = (
        "《非经营性互联网信息服务备案管理办法》第七条; 《互联网域名管理办法》 "
        "(real-name registration of domains); MIIT notice on the special inspection of "
        "filing information"
    )
    lookups = frozenset({RDAP_LOOKUP})

    def check(self, snapshot: Snapshot) -> Outcome:
        if not snapshot.domains:
            return self.not_applicable(gettext("The website lists no domain."))
        entity = snapshot.entity
        individual = entity.entity_type == EntityType.INDIVIDUAL
        # For an individual the head's name and ID are the entity's.
        head = snapshot.entity_head
        names = [n for n in (entity.name, head.name if individual else "") if n.strip()]
        ids = {h for h in (entity.id_number_hash, head.id_number_hash if individual else "") if h}
        if not names:
            if snapshot.source == APPLICATION:
                return self.not_applicable(gettext("The draft names no filing entity yet."))
            return self.cannot_tell(
                gettext("The filing entity has no name on file; staff will check it."),
                fields=("entity.name",),
            )
        domain_names = {d.name for d in snapshot.domains}
        problems: list[Problem] = []
        checked: list[dict[str, Any]] = []
        undecided = 0
        for index, domain in enumerate(snapshot.domains):
            trail: list[dict[str, Any]] = []
            registrant, found = self._registrant(snapshot, index, domain, domain_names, trail)
            record: dict[str, Any] = {"name": domain.name, "trail": trail}
            checked.append(record)
            if registrant is None:
                problems += found
                undecided += not found
                continue
            problems += self._compare(domain.name, index, registrant, names, ids, record)
        if undecided == len(snapshot.domains):
            return self.not_applicable(gettext("No registrant data to compare yet."))
        evidence = {"entity_name": entity.name, "individual": individual, "domains": checked}
        return combine(self, problems, evidence)

    def _registrant(
        self,
        snapshot: Snapshot,
        index: int,
        domain: DomainSnapshot,
        domain_names: set[str],
        trail: list[dict[str, Any]],
    ) -> tuple[Registrant | None, list[Problem]]:
        """The first source naming a registrant, or the problems of not finding one.

        ``(None, [])`` means a draft whose last source was not looked up: undecided.
        """
        name = domain.registrant_name.strip()
        trail.append(
            {
                "source": "registrar",
                "answer": name or None,
                "has_id": bool(domain.registrant_id_hash),
            }
        )
        if name:
            return Registrant(
                "registrar",
                name,
                domain.registrant_id_hash,
                domain.real_name_status or "unknown",
                field_path("domains", "registrant_name", index),
                {"registrar": domain.registrar},
            ), []
        certificate = certificate_for(snapshot.materials, domain.name, domain_names)
        holder = certificate.holder_name.strip() if certificate else ""
        trail.append(
            {
                "source": "domain_certificate",
                "answer": holder or None,
                "material_id": certificate.id if certificate else None,
            }
        )
        if holder:
            evidence = {"material_id": certificate.id}
            return Registrant(
                "domain_certificate", holder, "", "unknown", CERTIFICATE_FIELD, evidence
            ), []
        return self._from_rdap(snapshot, index, domain.name, trail)

    def _from_rdap(
        self, snapshot: Snapshot, index: int, domain: str, trail: list[dict[str, Any]]
    ) -> tuple[Registrant | None, list[Problem]]:
        answers: Mapping[str, Any] | None = snapshot.lookups.get(RDAP_LOOKUP)
        not_public = Problem(
            "registrant_not_public",
            gettext(
                "The registrant of the domain %(name)s is not public; "
                "staff will check the domain certificate."
            )
            % {"name": domain},
            CERTIFICATE_FIELD,
            "cannot_tell",
        )
        if answers is None:
            if snapshot.source == APPLICATION:
                trail.append({"source": "rdap", "answer": "not looked up"})
                return None, []
            if getattr(settings, "RDAP_BASE_URL", ""):
                trail.append({"source": "rdap", "answer": "lookup missing"})
                message = gettext("Registrant lookup missing for %(name)s; it will be tried again.")
                field = field_path("domains", "name", index)
                return None, [Problem("lookup_missing", message % {"name": domain}, field, "error")]
            trail.append({"source": "rdap", "answer": "not configured"})
            return None, [not_public]
        entry = answers.get(domain) or {"status": "not_asked"}
        status = entry.get("status")
        info = entry.get("info") or {}
        step = {"source": "rdap", "status": status, "answer": info.get("name") or None}
        step.update(redacted=bool(info.get("redacted")), evidence=info.get("evidence") or {})
        trail.append(step)
        if status == "unavailable":
            # Transient (timeout, 5xx, rate limit): retried, never a case.
            step["error"] = entry.get("error", "")
            message = gettext(
                "The registrant lookup (RDAP) for %(name)s failed; it will be tried again."
            )
            field = field_path("domains", "name", index)
            return None, [Problem("rdap_unavailable", message % {"name": domain}, field, "error")]
        if status != "ok" or info.get("redacted") or not (info.get("name") or "").strip():
            # Redacted or absent: never a pass, and not the customer's fault either.
            return None, [not_public]
        return Registrant(
            "rdap",
            info["name"].strip(),
            info.get("id_hash") or "",
            info.get("real_name_status") or "unknown",
            field_path("domains", "name", index),
        ), []

    def _compare(
        self,
        domain: str,
        index: int,
        registrant: Registrant,
        names: list[str],
        ids: set[str],
        record: dict[str, Any],
    ) -> list[Problem]:
        names_match = normalise_name(registrant.name) in {normalise_name(n) for n in names}
        id_compared = bool(registrant.id_hash and ids)
        status = registrant.real_name_status
        record.update(
            source=registrant.source,
            entity_name=names[0],
            registrant_name=registrant.name,
            names_match=names_match,
            id_compared=id_compared,
            id_match=(registrant.id_hash in ids) if id_compared else None,
            real_name_status=status,
            **registrant.evidence,
        )
        problems = []
        if not names_match:
            # Blocking: a domain held by someone else (often the head personally) makes
            # the filing inaccurate, and its holder can take the site away.
            message = gettext(
                "The domain %(name)s is registered to %(registrant)s, "
                "the filing entity is %(entity)s."
            )
            values = {"name": domain, "registrant": registrant.name, "entity": names[0]}
            problems.append(Problem("name_mismatch", message % values, registrant.path))
        if id_compared and not record["id_match"]:
            message = gettext(
                "The domain %(name)s is registered under another ID document than the "
                "filing entity's."
            )
            field = field_path("domains", "registrant_id_number", index)
            problems.append(Problem("id_mismatch", message % {"name": domain}, field))
        field = field_path("domains", "name", index)
        if status in ("pending", "failed"):
            # Blocking: registrars suspend domains that miss real-name verification, and
            # bureaus do not accept filings of unverified domains.
            if status == "pending":
                message = gettext(
                    "Real-name verification of the domain %(name)s is pending at the registrar."
                )
            else:
                message = gettext(
                    "Real-name verification of the domain %(name)s failed at the registrar."
                )
            problems.append(Problem(f"real_name_{status}", message % {"name": domain}, field))
        elif status != "verified":
            # Certificates and RDAP never carry it: noted, never a failure on its own.
            record["note"] = "real-name status unknown"
        return problems
