"""Rule 3 of the special inspection: every required material is on file and still good.

Which materials are required comes from data (``MaterialRequirement`` rows on the
snapshot, already narrowed to the application kind, entity type and province by the
loader); this rule decides their conditions, finds each one among the snapshot's
materials with the right owner, and judges the newest file: allowed type, unchanged
since upload (as the separate integrity job recorded — files are not re-hashed here),
metadata complete, not expired.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from filings.choices import REGULATED_CATEGORIES, EntityType, IdType, MaterialKind
from inspections.rules.base import Outcome, Rule, register
from inspections.rules.contact_reachability import province_label
from inspections.rules.outcomes import Problem, combine
from inspections.snapshot.parts import (
    APPLICATION,
    MaterialRequirementSnapshot,
    MaterialSnapshot,
    PersonSnapshot,
    Snapshot,
)

ALLOWED_CONTENT_TYPES = frozenset({"image/jpeg", "image/png", "application/pdf"})
# The demo data files a construction plan from the second website on.
DEFAULT_MANY_WEBSITES_THRESHOLD = 2

K = MaterialKind
# Who a file of each kind belongs to (MaterialSnapshot.owner); website materials by default.
_OWNERS: dict[str, frozenset[str]] = {
    K.ENTITY_CERTIFICATE: frozenset({"entity"}),
    K.HEAD_ID_FRONT: frozenset({"person"}),
    K.HEAD_ID_BACK: frozenset({"person"}),
    K.RESIDENCE_PERMIT: frozenset({"person", "entity"}),
    K.POWER_OF_ATTORNEY: frozenset({"entity", "website"}),
    K.CONSTRUCTION_PLAN: frozenset({"entity", "website"}),
}
_WEBSITE_OWNED = frozenset({"website"})
# Each head needs their own copy of these.
_EACH_HEAD = frozenset({K.HEAD_ID_FRONT, K.HEAD_ID_BACK})
# Several files of these kinds stand side by side (one per domain, one per pre-approval).
_SIDE_BY_SIDE = frozenset({K.DOMAIN_CERTIFICATE, K.PRE_APPROVAL})
# What a file must record about itself. An ID card's name and number are on its front
# (portrait) side; the back shows neither, so the back is not asked for them.
_METADATA: dict[str, tuple[str, ...]] = {
    K.ENTITY_CERTIFICATE: ("document_number", "holder_name"),
    K.HEAD_ID_FRONT: ("document_number", "holder_name"),
    K.VERIFICATION_FORM: ("signed_on",),
    K.PRE_APPROVAL: ("document_number",),
}
_METADATA_LABELS = {
    "document_number": _("document number"),
    "holder_name": _("holder"),
    "signed_on": _("signing date"),
}
_ROLE_LABELS = {
    ("entity_head",): _("entity head"),
    ("website_head",): _("website head"),
    ("entity_head", "website_head"): _("entity head and website head"),
}
MESSAGES = {
    "missing": _("Missing material: %(material)s."),
    "missing_for_head": _("Missing material for the %(role)s: %(material)s."),
    "type_not_allowed": _(
        "%(material)s: files of type %(type)s are not accepted; upload it as JPEG, PNG or PDF."
    ),
    "integrity_failed": _(
        "%(material)s: the stored file no longer matches what was uploaded; upload it again."
    ),
    "expired": _("%(material)s: it expired on %(date)s; upload a valid one."),
    "too_old": _(
        "%(material)s: signed on %(date)s, more than %(days)s days ago; %(province)s requires "
        "one signed within the last %(days)s days."
    ),
    "metadata_incomplete": _("%(material)s: fill in the missing details (%(missing)s)."),
}


def _normal_name(value: str) -> str:
    return "".join(unicodedata.normalize("NFKC", value or "").split()).casefold()


# ``K.values`` builds a new list on every read: the rule asks once per judged file.
_KINDS = frozenset(K.values)


def _material_label(kind: str) -> str:
    return str(K(kind).label) if kind in _KINDS else kind


def _person_key(person: PersonSnapshot) -> object:
    return person.id if person.id is not None else (person.id_number_hash or id(person))


@dataclass
class _Slot:
    """One required file: a kind, and for ID copies the head it belongs to."""

    kind: str
    head: PersonSnapshot | None = None
    roles: tuple[str, ...] = ()
    files: list[MaterialSnapshot] = field(default_factory=list)

    def takes(self, material: MaterialSnapshot) -> bool:
        if material.kind != self.kind or material.owner not in _OWNERS.get(
            self.kind, _WEBSITE_OWNED
        ):
            return False
        return material.owner != "person" or (
            self.head is not None
            and self.head.id is not None
            and material.person_id == self.head.id
        )


def _conditions(snapshot: Snapshot) -> dict[str, Any]:
    entity = snapshot.entity
    representative = _normal_name(entity.legal_representative)
    threshold = int(getattr(settings, "MANY_WEBSITES_THRESHOLD", DEFAULT_MANY_WEBSITES_THRESHOLD))
    return {
        "always": True,
        "head_not_legal_rep": bool(representative)
        and _normal_name(snapshot.entity_head.name) != representative,
        "non_local_individual": _non_local_individual(snapshot),
        "regulated_content": snapshot.website.content_category in REGULATED_CATEGORIES,
        "many_websites": entity.website_count >= threshold,
        "website_count": entity.website_count,
        "many_websites_threshold": threshold,
    }


def _non_local_individual(snapshot: Snapshot) -> bool:
    """An individual whose resident ID was issued outside the filing province."""
    entity, head = snapshot.entity, snapshot.entity_head
    if entity.entity_type != EntityType.INDIVIDUAL:
        return False
    holder = head if head.id_type == IdType.RESIDENT_ID and head.id_number else entity
    if holder.id_type != IdType.RESIDENT_ID or len(holder.id_number) < 2:
        return False  # no resident ID: its region is unknown
    province = _province_code(snapshot)
    return bool(province) and holder.id_number[:2] != province[:2]


def _province_code(snapshot: Snapshot) -> str:
    return snapshot.entity.province_code or (snapshot.province.code if snapshot.province else "")


def _applies(req: MaterialRequirementSnapshot, snapshot: Snapshot, conditions: dict) -> bool:
    return (
        req.entity_type in ("", snapshot.entity.entity_type)
        and req.province_code in ("", _province_code(snapshot))
        and conditions.get(req.condition) is True
    )


def _slots(kind: str, snapshot: Snapshot) -> list[_Slot]:
    if kind == K.RESIDENCE_PERMIT:
        return [_Slot(kind, snapshot.entity_head, ("entity_head",))]
    if kind not in _EACH_HEAD:
        return [_Slot(kind)]
    entity_head, website_head = snapshot.entity_head, snapshot.website_head
    if _person_key(entity_head) == _person_key(website_head):
        return [_Slot(kind, entity_head, ("entity_head", "website_head"))]
    return [
        _Slot(kind, entity_head, ("entity_head",)),
        _Slot(kind, website_head, ("website_head",)),
    ]


def _fill(slots: list[_Slot], materials: tuple[MaterialSnapshot, ...], draft: bool) -> None:
    for slot in slots:
        slot.files = [m for m in materials if slot.takes(m)]
    if not draft:
        return
    # A draft's own uploads belong to no row yet: give them to the slots still empty,
    # a head's ID copy to the head whose name it bears first.
    pool = [m for m in materials if m.owner == "application" and m.kind == slots[0].kind]
    if len(slots) == 1:
        slots[0].files += pool
        return
    for by_name in (True, False):
        for slot in (s for s in slots if not s.files and pool):
            name = _normal_name(slot.head.name if slot.head else "")
            match = next(
                (m for m in pool if not by_name or _normal_name(m.holder_name) == name), None
            )
            if match is not None:
                pool.remove(match)
                slot.files.append(match)


def _upload_order(material: MaterialSnapshot) -> tuple[float, int]:
    uploaded = material.uploaded_at.timestamp() if material.uploaded_at else 0.0
    return uploaded, material.id or 0


def _judged(slot: _Slot) -> list[MaterialSnapshot]:
    """The files that count: the newest one, or the newest per document for side-by-side kinds."""
    newest: dict[str, MaterialSnapshot] = {}
    for material in sorted(slot.files, key=_upload_order):  # oldest first
        key = material.document_number_hash if slot.kind in _SIDE_BY_SIDE else ""
        newest[key] = material
    return list(newest.values())


@register
class RequiredMaterials(Rule):
    code = "required_materials"
    version = 1
    title = _("Required materials")
    fix_text = _(
        "Upload every missing material on the website's materials page as a clear JPEG, PNG "
        "or PDF file, and fill in its document number, holder and dates. Replace expired "
        "documents and files flagged as changed, and upload a newly signed verification "
        "form when yours is too old for your province."
    )
    legal_basis = (
        "《非经营性互联网信息服务备案管理办法》第八条、第九条; "
        "MIIT notice on the special inspection of filing information"
    )

    def check(self, snapshot: Snapshot) -> Outcome:
        if not snapshot.material_requirements:
            return self.not_applicable(_("No material is required for this kind of application."))
        conditions = _conditions(snapshot)
        required: dict[str, list[MaterialRequirementSnapshot]] = {}
        listed = []
        for req in snapshot.material_requirements:
            applies = _applies(req, snapshot, conditions)
            if applies:
                required.setdefault(req.material_kind, []).append(req)
            listed.append(
                {
                    "kind": req.material_kind,
                    "condition": req.condition,
                    "province": req.province_code,
                    "max_age_days": req.max_age_days,
                    "applies": applies,
                }
            )
        problems: list[Problem] = []
        judged: list[MaterialSnapshot] = []
        for kind, reqs in required.items():
            slots = _slots(kind, snapshot)
            _fill(slots, snapshot.materials, snapshot.source == APPLICATION)
            for slot in slots:
                files = _judged(slot)
                judged += files
                problems += self._missing(slot) if not files else []
                for material in files:
                    problems += self._judge(material, reqs, snapshot)
        evidence = {
            "requirements": listed,
            "conditions": conditions,
            "materials": [_material_evidence(m) for m in judged],
        }
        return combine(self, problems, evidence)

    @staticmethod
    def _missing(slot: _Slot) -> list[Problem]:
        field_path, label = f"materials.{slot.kind}", _material_label(slot.kind)
        if slot.kind in _EACH_HEAD:
            role = _ROLE_LABELS[slot.roles]
            message = MESSAGES["missing_for_head"] % {"role": role, "material": label}
        else:
            message = MESSAGES["missing"] % {"material": label}
        return [Problem("missing", message, field_path)]

    @staticmethod
    def _judge(
        material: MaterialSnapshot, reqs: list[MaterialRequirementSnapshot], snapshot: Snapshot
    ) -> list[Problem]:
        found: list[Problem] = []

        def problem(code: str, kind: str = "blocking", **params: Any) -> None:
            # Labels and paths only for what is wrong: most files are fine.
            params["material"] = _material_label(material.kind)
            found.append(Problem(code, MESSAGES[code] % params, f"materials.{material.kind}", kind))

        if material.content_type not in ALLOWED_CONTENT_TYPES:
            problem("type_not_allowed", type=material.content_type or "?")
        if material.integrity_ok is False:
            problem("integrity_failed")
        if material.valid_until is not None and material.valid_until < snapshot.as_of:
            problem("expired", date=material.valid_until.isoformat())
        max_age = _max_age(material.kind, reqs, snapshot)
        if max_age is not None and material.signed_on is not None:
            days, province = max_age
            if (snapshot.as_of - material.signed_on).days > days:
                problem(
                    "too_old", date=material.signed_on.isoformat(), days=days, province=province
                )
        missing = [
            str(_METADATA_LABELS[name])
            for name in _METADATA.get(material.kind, ())
            if not (
                material.document_number_hash
                if name == "document_number"
                else getattr(material, name)
            )
        ]
        if missing:
            # The file itself may be fine: staff can read the number off it, so a warning.
            problem("metadata_incomplete", "warning", missing=", ".join(missing))
        return found


def _max_age(
    kind: str, reqs: list[MaterialRequirementSnapshot], snapshot: Snapshot
) -> tuple[int, str] | None:
    """The strictest age limit on a signed file, and who sets it (a province, or every one)."""
    limits = [r.max_age_days for r in reqs if r.max_age_days]
    province = snapshot.province
    if kind == K.VERIFICATION_FORM and province and province.verification_form_max_age_days:
        limits.append(province.verification_form_max_age_days)
    if not limits:
        return None
    where = province_label(province) if province is not None else str(_("your province"))
    return min(limits), where


def _material_evidence(material: MaterialSnapshot) -> dict[str, Any]:
    return {
        "id": material.id,
        "kind": material.kind,
        "owner": material.owner,
        "content_type": material.content_type,
        "integrity_ok": material.integrity_ok,
        "valid_until": material.valid_until.isoformat() if material.valid_until else None,
        "signed_on": material.signed_on.isoformat() if material.signed_on else None,
        "uploaded_at": material.uploaded_at.isoformat() if material.uploaded_at else None,
        "sha256": material.sha256,
        "has_document_number": bool(material.document_number_hash),
        "has_holder_name": bool(material.holder_name),
    }
