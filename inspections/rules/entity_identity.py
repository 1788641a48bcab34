"""Rule 1 of the special inspection: the entity's name and ID are valid and consistent.

The entity's ID document must be valid for its type and allowed for the entity type;
the heads' ID documents must be valid personal documents; and the same name and ID
number must appear on the entity, on the metadata of its certificate and the heads' ID
copies, and on the bureau's record. A personal filing must not carry an organisation.
Whether the content suits the entity type is rule 7's business, not this one's.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from filings.choices import (
    ENTITY_ID_TYPES,
    PERSONAL_ID_TYPES,
    ApplicationKind,
    EntityType,
    IdType,
    MaterialKind,
)
from filings.validators import uscc_inner_org_code_ok, validate_id_document
from icpportal.masking import mask_id_number
from inspections.rules.base import Outcome, Rule, register
from inspections.rules.outcomes import Problem, combine
from inspections.snapshot.parts import (
    APPLICATION,
    EntitySnapshot,
    MaterialSnapshot,
    PersonSnapshot,
    Snapshot,
)

Kind = ApplicationKind
# Applications that end a filing: judging the data they are about to remove helps nobody.
_ENDING_KINDS = frozenset({Kind.CANCEL_ACCESS, Kind.DEREGISTER_WEBSITE, Kind.DEREGISTER_ENTITY})
# Words that mark an organisation's name (company, studio, association, school…).
ORGANISATION_NAME_MARKERS = (
    "公司", "有限", "集团", "工作室", "协会", "学会", "商会", "联合会", "中心", "研究院",
    "研究所", "事务所", "学校", "学院", "大学", "幼儿园", "医院", "诊所", "基金会",
    "委员会", "合作社", "商行", "门市部", "俱乐部",
)  # fmt: skip
_ORGANISATION_NAME_WORDS = re.compile(
    r"\b(?:ltd|limited|inc|llc|corp|corporation|company|gmbh)\b", re.IGNORECASE
)
_BRACKETS = str.maketrans({"（": "(", "）": ")", "【": "[", "】": "]", "〔": "(", "〕": ")"})


def normalise_name(value: str) -> str:
    """A name as compared: NFKC, no whitespace, ASCII brackets, case-folded."""
    text = unicodedata.normalize("NFKC", value or "").translate(_BRACKETS)
    return "".join(text.split()).casefold()


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _latest(materials: Iterable[MaterialSnapshot]) -> MaterialSnapshot | None:
    # Snapshots list materials oldest first: the last one is the file in force.
    found = list(materials)
    return found[-1] if found else None


def _organisation_marker(name: str) -> str:
    for marker in ORGANISATION_NAME_MARKERS:
        if marker in name:
            return marker
    match = _ORGANISATION_NAME_WORDS.search(name)
    return match.group(0) if match else ""


def _document_problem(code: str, id_type: str, number: str, field: str, who: str) -> Problem | None:
    try:
        validate_id_document(id_type, number)
    except ValidationError as error:
        reason = " ".join(error.messages)
        # Blocking: a filing with an invalid ID document is inaccurate by definition.
        message = gettext("The ID number of %(who)s (%(number)s) is not valid: %(reason)s") % {
            "who": who,
            "number": mask_id_number(number),
            "reason": reason,
        }
        return Problem(code, message, field)
    return None


@register
class EntityIdentity(Rule):
    """Rule 1: the entity's and heads' ID documents are valid and agree everywhere."""

    code = "entity_identity"
    version = 1
    title = _("Entity and ID consistency")
    fix_text = _(
        "Make the entity's name and ID document number exactly match its certificate, and "
        "each head's name and ID number match their ID card; correct the filing by a change "
        "application where they differ. An organisation must file as an organisation, not "
        "as an individual."
    )
    legal_basis = (
        "《非经营性互联网信息服务备案管理办法》第八条、第二十三条; "
        "MIIT notice on the special inspection of filing information"
    )

    def check(self, snapshot: Snapshot) -> Outcome:
        application = snapshot.source == APPLICATION
        if application and snapshot.application_kind in _ENDING_KINDS:
            return self.not_applicable(gettext("This application ends the filing."))
        entity = snapshot.entity
        if not (entity.id or entity.name or entity.entity_type or entity.id_number_hash):
            if application:
                return self.not_applicable(gettext("The entity has not been entered yet."))
            return self.error(
                gettext("The website has no entity on file; staff must check it."),
                evidence={"reason": "no entity"},
            )
        problems = self._entity_document(entity, live=not application)
        heads = self._heads(snapshot)
        for role, person in heads:
            problems += self._head_document(role, person, live=not application)
        agreement, compared = self._agreement(snapshot, heads)
        problems += agreement
        evidence = {
            "entity": {"entity_type": entity.entity_type, **_identity(entity)},
            "heads": {role: _identity(person) for role, person in heads},
            "compared": compared,
        }
        return combine(self, problems, evidence)

    # ---- the entity's own ID document ------------------------------------------------

    def _entity_document(self, entity: EntitySnapshot, *, live: bool) -> list[Problem]:
        problems: list[Problem] = []
        allowed = ENTITY_ID_TYPES.get(entity.entity_type)
        if entity.entity_type == EntityType.INDIVIDUAL:
            problems += self._personal_filing(entity)
        elif allowed is None:
            if live or entity.entity_type:
                message = gettext("The entity type “%(type)s” is not a known type.")
                problems.append(
                    Problem("entity_type_unknown", message % {"type": entity.entity_type},
                            "entity.entity_type")
                )  # fmt: skip
        elif entity.id_type and entity.id_type not in allowed:
            # Blocking: the bureau accepts only these documents for this entity type.
            message = gettext(
                "An entity of type “%(entity_type)s” files with: %(allowed)s; "
                "a “%(id_type)s” is not accepted."
            ) % {
                "entity_type": _label(EntityType, entity.entity_type),
                "allowed": ", ".join(_label(IdType, t) for t in allowed),
                "id_type": _label(IdType, entity.id_type),
            }
            problems.append(Problem("id_type_not_allowed", message, "entity.id_type"))
        if not entity.id_type or not entity.id_number:
            # A transfer's entity may come from the bureau with its hash only: nothing
            # to check. A live entity without a document is a finding; a draft's blank
            # field is the completeness check's business.
            if live and not (entity.id_type and entity.id_number_hash):
                message = gettext("The entity's ID document type or number is missing.")
                field = "entity.id_number" if entity.id_type else "entity.id_type"
                problems.append(Problem("entity_id_missing", message, field))
            return problems
        invalid = _document_problem(
            "entity_id_invalid", entity.id_type, entity.id_number, "entity.id_number",
            gettext("the entity"),
        )  # fmt: skip
        if invalid is not None:
            problems.append(invalid)
        elif entity.id_type == IdType.USCC and not uscc_inner_org_code_ok(entity.id_number):
            # Warning: real codes pass both checks, so this suggests a typo, but the
            # outer check character is right and only the bureau can say for sure.
            message = gettext(
                "The organisation code inside the credit code %(number)s fails its own "
                "check; please compare the code with the business licence."
            ) % {"number": mask_id_number(entity.id_number)}
            problems.append(Problem("uscc_inner_org_code", message, "entity.id_number", "warning"))
        return problems

    def _personal_filing(self, entity: EntitySnapshot) -> list[Problem]:
        # Blocking: the seeds list "personal filing used for an organisation" as false data.
        marker = _organisation_marker(entity.name)
        if entity.id_type and entity.id_type not in PERSONAL_ID_TYPES:
            message = gettext(
                "Personal filing used for an organisation: %(name)s files as an individual "
                "with a %(id_type)s, which is an organisation's document."
            ) % {"name": entity.name, "id_type": _label(IdType, entity.id_type)}
        elif marker:
            message = gettext(
                "Personal filing used for an organisation: the name %(name)s (“%(marker)s”) "
                "is an organisation's; an organisation must file as one."
            ) % {"name": entity.name, "marker": marker}
        else:
            return []
        return [Problem("personal_filing_for_organisation", message, "entity.entity_type")]

    # ---- the heads -------------------------------------------------------------------

    def _heads(self, snapshot: Snapshot) -> list[tuple[str, PersonSnapshot]]:
        """The heads with something to check, each person once (often the same one)."""
        heads: dict[Any, tuple[str, PersonSnapshot]] = {}
        for role, person in (
            ("entity_head", snapshot.entity_head),
            ("website_head", snapshot.website_head),
        ):
            if person.id_type or person.id_number or person.id_number_hash:
                heads.setdefault(
                    person.id or (person.id_type, person.id_number_hash), (role, person)
                )
        return list(heads.values())

    def _head_document(self, role: str, person: PersonSnapshot, *, live: bool) -> list[Problem]:
        field = f"{role}.id_number"
        who = _role_name(role, person)
        if not person.id_type and not live:
            return []  # a draft's blank field: the completeness check reports it
        if person.id_type not in PERSONAL_ID_TYPES:
            # Blocking: a person in charge is a natural person with a personal document.
            message = gettext(
                "%(who)s must be identified by a personal ID document, not a %(id_type)s."
            ) % {"who": capfirst(who), "id_type": _label(IdType, person.id_type) or "?"}
            return [Problem("head_id_type", message, f"{role}.id_type")]
        if not person.id_number:
            return []
        invalid = _document_problem("head_id_invalid", person.id_type, person.id_number, field, who)
        return [invalid] if invalid is not None else []

    # ---- the same name and ID everywhere ------------------------------------------------

    def _agreement(
        self, snapshot: Snapshot, heads: list[tuple[str, PersonSnapshot]]
    ) -> tuple[list[Problem], list[dict[str, Any]]]:
        """The entity's and heads' name and ID against the certificate, the heads' ID
        copies and the bureau's record. Blank metadata is not judged: a certificate
        without a number is the required-materials rule's finding."""
        entity, record = snapshot.entity, snapshot.registry
        others: list[_Other] = []
        certificate = _latest(m for m in snapshot.materials if m.kind == _CERTIFICATE)
        if certificate is not None:
            source = gettext("The entity certificate")
            others.append(
                _Other.of_material("certificate", source, _CERTIFICATE, certificate, entity)
            )
        for role, person in heads:
            # A new head of a draft has no id yet: its uploads are not tied to it.
            copies = (m for m in snapshot.materials if m.kind == _ID_COPY and m.person_id)
            copy = _latest(m for m in copies if m.person_id == person.id)
            if copy is not None:
                source = gettext("The ID copy of %(who)s") % {"who": _role_name(role, person)}
                others.append(_Other.of_material(f"{role}_copy", source, _ID_COPY, copy, person))
        if record is not None:
            evidence = {"with": "registry", "website_filing_number": record.website_filing_number}
            others.append(
                _Other("registry", gettext("The bureau's record"), "entity.name",
                       "entity.id_number", record.entity_name, record.entity_id_hash,
                       entity, {**evidence, "name": record.entity_name})
            )  # fmt: skip
        problems: list[Problem] = []
        compared = []
        for other in others:
            ours = other.ours
            name_differs = bool(
                other.name and ours.name and normalise_name(other.name) != normalise_name(ours.name)
            )
            id_differs = bool(
                other.id_hash and ours.id_number_hash and other.id_hash != ours.id_number_hash
            )
            compared.append(
                {**other.evidence, "name_equal": not name_differs, "id_equal": not id_differs}
            )
            # Blocking: two records of one entity or person that disagree make the filing false.
            if name_differs:
                message = gettext("%(source)s names %(theirs)s, the filing says %(ours)s.")
                values = {"source": other.source, "theirs": other.name, "ours": ours.name}
                problems.append(
                    Problem(f"{other.code}_name_mismatch", message % values, other.name_field)
                )
            if id_differs:
                message = gettext("%(source)s holds another ID number than the filing (%(ours)s).")
                values = {"source": other.source, "ours": mask_id_number(ours.id_number) or "-"}
                problems.append(
                    Problem(f"{other.code}_id_mismatch", message % values, other.id_field)
                )
        return problems, compared


_CERTIFICATE = MaterialKind.ENTITY_CERTIFICATE
_ID_COPY = MaterialKind.HEAD_ID_FRONT


@dataclass(frozen=True)
class _Other:
    """What another place (a material's metadata, the bureau) says about a name and ID."""

    code: str
    source: str
    name_field: str
    id_field: str
    name: str
    id_hash: str
    ours: EntitySnapshot | PersonSnapshot
    evidence: dict[str, Any]

    @classmethod
    def of_material(
        cls, code: str, source: str, kind: str, material: MaterialSnapshot, ours: Any
    ) -> _Other:
        field = f"materials.{kind}"
        evidence = {
            "with": field,
            "material_id": material.id,
            "holder_name": material.holder_name,
            "document_number": mask_id_number(material.document_number),
        }
        return cls(code, source, field, field, material.holder_name,
                   material.document_number_hash, ours, evidence)  # fmt: skip


def _identity(party: EntitySnapshot | PersonSnapshot) -> dict[str, str]:
    return {
        "name": party.name,
        "id_type": party.id_type,
        "id_number": mask_id_number(party.id_number),
    }


def _role_name(role: str, person: PersonSnapshot) -> str:
    if role == "entity_head":
        return gettext("the entity head %(name)s") % {"name": person.name}
    return gettext("the website head %(name)s") % {"name": person.name}
