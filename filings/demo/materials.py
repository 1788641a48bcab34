"""Which materials each demo entity, person and website has on file, with their files.

What is uploaded follows the material requirements of a first filing
(``filings.reference_data.MATERIAL_REQUIREMENTS``) for the entity's type and
province, minus what a website deliberately lacks. Files are small generated
documents (``filings.demo.documents``). What a document says is kept as its
metadata, as an upload would record it: the number on an entity certificate or on
the front of an ID card is the entity's or the person's ID number (the
``document_number`` column is encrypted, with a keyed hash beside it), a domain
certificate names its domain and a pre-approval its approval number.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from filings.choices import REGULATED_CATEGORIES, EntityType, MaterialKind
from filings.demo import documents
from filings.demo.spec import SAME_AS_ENTITY, DemoEntity, DemoPerson, DemoWebsite
from filings.reference_data import MATERIAL_REQUIREMENTS

# ID cards are valid for 20 years; a fixed date keeps re-runs from changing it.
ID_CARD_VALID_UNTIL = datetime.date(2036, 6, 30)
# The demo files a construction plan as soon as an entity has this many websites.
MANY_WEBSITES = 2

ENTITY_KINDS = {
    MaterialKind.ENTITY_CERTIFICATE,
    MaterialKind.POWER_OF_ATTORNEY,
    MaterialKind.CONSTRUCTION_PLAN,
}
PERSON_KINDS = {MaterialKind.HEAD_ID_FRONT, MaterialKind.HEAD_ID_BACK}

CERTIFICATE_NAMES = {
    EntityType.ENTERPRISE: "营业执照.pdf",
    EntityType.PUBLIC_INSTITUTION: "事业单位法人证书.pdf",
    EntityType.SOCIAL_ORGANISATION: "社会团体法人登记证书.pdf",
    EntityType.PRIVATE_NON_ENTERPRISE: "民办非企业单位登记证书.pdf",
    EntityType.FOUNDATION: "基金会法人登记证书.pdf",
    EntityType.LAW_FIRM: "律师事务所执业许可证.pdf",
    EntityType.INDIVIDUAL: "身份证.jpg",
}


@dataclass(frozen=True)
class PlannedMaterial:
    """One material to have on file: its kind, file and what the file says."""

    kind: str
    original_name: str
    content: bytes
    content_type: str
    holder_name: str = ""
    document_number: str = ""
    valid_until: datetime.date | None = None
    signed_on: datetime.date | None = None


def _pdf(kind: str, ref: str, *extra: str) -> tuple[bytes, str]:
    lines = [f"Material: {kind}", f"Belongs to: {ref}", *extra]
    return documents.pdf("Demo Cloud ICP filing - demo material", lines), documents.PDF


def _condition_holds(condition: str, entity: DemoEntity, website: DemoWebsite) -> bool:
    if condition == "head_not_legal_rep":
        return entity.head.name != entity.legal_representative_name
    if condition == "non_local_individual":
        return entity.entity_type == EntityType.INDIVIDUAL and (
            entity.head.region[:2] != entity.province[:2]
        )
    if condition == "regulated_content":
        return website.category in REGULATED_CATEGORIES
    if condition == "many_websites":
        return len(entity.websites) >= MANY_WEBSITES
    return condition == "always"


def required_kinds(entity: DemoEntity, website: DemoWebsite) -> set[str]:
    """The material kinds a first filing of ``website`` needs."""
    return {
        material
        for material, kinds, entity_type, province, condition in MATERIAL_REQUIREMENTS
        if "first_filing" in kinds
        and entity_type in ("", entity.entity_type)
        and province in (None, entity.province)
        and _condition_holds(condition, entity, website)
    }


def entity_materials(entity: DemoEntity) -> list[PlannedMaterial]:
    """The entity's own materials: its certificate, and what its websites call for."""
    needed = set().union(*(required_kinds(entity, w) for w in entity.websites)) & ENTITY_KINDS
    planned = []
    if entity.entity_type == EntityType.INDIVIDUAL:
        content, content_type = documents.jpeg(f"entity certificate {entity.key}"), documents.JPEG
    else:
        content, content_type = _pdf("entity_certificate", entity.key)
    planned.append(
        PlannedMaterial(
            MaterialKind.ENTITY_CERTIFICATE,
            CERTIFICATE_NAMES[entity.entity_type],
            content,
            content_type,
            holder_name=entity.name,
            document_number=entity.id_number,
        )
    )
    if MaterialKind.POWER_OF_ATTORNEY in needed:
        content, content_type = _pdf("power_of_attorney", entity.key)
        planned.append(
            PlannedMaterial(
                MaterialKind.POWER_OF_ATTORNEY,
                "授权书.pdf",
                content,
                content_type,
                holder_name=entity.head.name,
            )
        )
    if MaterialKind.CONSTRUCTION_PLAN in needed:
        content, content_type = _pdf("construction_plan", entity.key)
        planned.append(
            PlannedMaterial(
                MaterialKind.CONSTRUCTION_PLAN,
                "网站建设方案书.pdf",
                content,
                content_type,
                holder_name=entity.name,
            )
        )
    return planned


def person_materials(person: DemoPerson) -> list[PlannedMaterial]:
    """Both sides of a person's ID card."""
    return [
        PlannedMaterial(
            MaterialKind.HEAD_ID_FRONT,
            "身份证人像面.jpg",
            documents.jpeg(f"ID card front {person.key}"),
            documents.JPEG,
            holder_name=person.name,
            document_number=person.id_number,
            valid_until=ID_CARD_VALID_UNTIL,
        ),
        PlannedMaterial(
            MaterialKind.HEAD_ID_BACK,
            "身份证国徽面.png",
            documents.png(f"ID card back {person.key}"),
            documents.PNG,
            holder_name=person.name,
            valid_until=ID_CARD_VALID_UNTIL,
        ),
    ]


def registrant_name(entity: DemoEntity, registrant: str) -> str:
    return entity.name if registrant == SAME_AS_ENTITY else registrant


def website_materials(
    entity: DemoEntity, website: DemoWebsite, today: datetime.date
) -> list[PlannedMaterial]:
    """The website's materials: form, photo, domain certificates and what else applies."""
    needed = required_kinds(entity, website) - website.missing_materials
    head = entity.person(website.head)
    signed_on = today - datetime.timedelta(days=website.form_signed_days_ago)
    planned = []
    if MaterialKind.VERIFICATION_FORM in needed:
        content, content_type = _pdf("verification_form", website.slug)
        planned.append(
            PlannedMaterial(
                MaterialKind.VERIFICATION_FORM,
                "网站备案信息真实性核验单.pdf",
                content,
                content_type,
                holder_name=head.name,
                signed_on=signed_on,
            )
        )
    if MaterialKind.VERIFICATION_PHOTO in needed:
        planned.append(
            PlannedMaterial(
                MaterialKind.VERIFICATION_PHOTO,
                "核验照片.jpg",
                documents.jpeg(f"verification photo {website.slug}"),
                documents.JPEG,
                holder_name=head.name,
            )
        )
    if MaterialKind.DOMAIN_CERTIFICATE in needed:
        for domain in website.domains:
            content, content_type = _pdf("domain_certificate", website.slug, domain.fqdn)
            planned.append(
                PlannedMaterial(
                    MaterialKind.DOMAIN_CERTIFICATE,
                    f"域名证书-{domain.fqdn}.pdf",
                    content,
                    content_type,
                    holder_name=registrant_name(entity, domain.registrant),
                    document_number=domain.fqdn,
                )
            )
    if MaterialKind.COMMITMENT_LETTER in needed:
        content, content_type = _pdf("commitment_letter", website.slug)
        planned.append(
            PlannedMaterial(
                MaterialKind.COMMITMENT_LETTER,
                "网站备案承诺书.pdf",
                content,
                content_type,
                holder_name=entity.name,
                signed_on=signed_on,
            )
        )
    if MaterialKind.PRE_APPROVAL in needed:
        for approval in website.pre_approvals:
            content, content_type = _pdf("pre_approval", website.slug, approval.category)
            planned.append(
                PlannedMaterial(
                    MaterialKind.PRE_APPROVAL,
                    f"前置审批-{approval.category}.pdf",
                    content,
                    content_type,
                    holder_name=entity.name,
                    document_number=approval.number,
                )
            )
    return planned
