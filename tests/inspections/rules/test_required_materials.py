"""Rule 3, required materials: present with the right owner, allowed, intact, complete, fresh."""

from __future__ import annotations

import datetime
import json
from dataclasses import replace

import pytest

from filings.choices import ContentCategory, EntityType, IdType, MaterialKind
from filings.models import Material
from inspections.rules import Severity, Status
from inspections.rules.required_materials import RequiredMaterials
from inspections.snapshot import (
    EntitySnapshot,
    MaterialRequirementSnapshot,
    MaterialSnapshot,
    PersonSnapshot,
    ProvinceSnapshot,
    Snapshot,
    WebsiteSnapshot,
    load_snapshots,
)
from tests.factories import (
    EntityFactory,
    MaterialFactory,
    PersonFactory,
    WebsiteFactory,
    resident_id,
)

AS_OF = datetime.date(2026, 6, 1)
RULE = RequiredMaterials()
K = MaterialKind

BEIJING = ProvinceSnapshot(code="110000", name="北京")
SHANGHAI = ProvinceSnapshot(code="310000", name="上海", verification_form_max_age_days=90)
ZHAO_LEI = PersonSnapshot(id=1, name="赵磊", id_number_hash="hash-zhao")
SUN_YUE = PersonSnapshot(id=2, name="孙悦", id_number_hash="hash-sun")
ALPHA = EntitySnapshot(
    id=10,
    entity_type=EntityType.ENTERPRISE,
    name="北京阿尔法云计算有限公司",
    province_code="110000",
    legal_representative="赵磊",
    website_count=1,
)


def req(kind, condition="always", **fields) -> MaterialRequirementSnapshot:
    return MaterialRequirementSnapshot(material_kind=kind, condition=condition, **fields)


REQUIREMENTS = (
    req(K.ENTITY_CERTIFICATE),
    req(K.HEAD_ID_FRONT),
    req(K.HEAD_ID_BACK),
    req(K.VERIFICATION_FORM),
    req(K.POWER_OF_ATTORNEY, "head_not_legal_rep"),
    req(K.PRE_APPROVAL, "regulated_content"),
    req(K.CONSTRUCTION_PLAN, "many_websites"),
    req(K.COMMITMENT_LETTER, province_code="440000"),
    req(
        K.RESIDENCE_PERMIT, "non_local_individual", entity_type="individual", province_code="310000"
    ),
)


def material(kind, owner="website", **fields) -> MaterialSnapshot:
    defaults = {
        "id": hash((kind, owner, fields.get("person_id"))) % 10_000,
        "content_type": "application/pdf",
        "document_number_hash": "hash-doc",
        "holder_name": "holder",
        "signed_on": AS_OF - datetime.timedelta(days=10),
        "uploaded_at": datetime.datetime(2026, 5, 1, tzinfo=datetime.UTC),
        "sha256": "ab" * 32,
    }
    return MaterialSnapshot(kind=kind, owner=owner, **{**defaults, **fields})


def complete_materials(*heads: PersonSnapshot) -> tuple[MaterialSnapshot, ...]:
    heads = heads or (ZHAO_LEI, SUN_YUE)
    ids = tuple(
        material(kind, "person", person_id=head.id, content_type="image/jpeg")
        for head in heads
        for kind in (K.HEAD_ID_FRONT, K.HEAD_ID_BACK)
    )
    return (material(K.ENTITY_CERTIFICATE, "entity"), *ids, material(K.VERIFICATION_FORM))


def snapshot(**changes) -> Snapshot:
    """A Beijing enterprise whose website head differs from its entity head, all on file."""
    base = Snapshot(
        as_of=AS_OF,
        entity=ALPHA,
        entity_head=ZHAO_LEI,
        website_head=SUN_YUE,
        website=WebsiteSnapshot(id=100, content_category=ContentCategory.CORPORATE),
        province=BEIJING,
        material_requirements=REQUIREMENTS,
        materials=complete_materials(),
    )
    return replace(base, **changes)


def without(kind, owner=None) -> tuple[MaterialSnapshot, ...]:
    return tuple(
        m for m in complete_materials() if not (m.kind == kind and owner in (None, m.person_id))
    )


def problem_codes(outcome) -> list[str]:
    return [p["code"] for p in outcome.evidence.get("problems", [])]


# ---- presence ------------------------------------------------------------------------


def test_a_complete_file_passes_and_lists_what_was_judged():
    outcome = RULE.check(snapshot())

    assert outcome.status == Status.PASS
    kinds = sorted(m["kind"] for m in outcome.evidence["materials"])
    assert kinds == sorted(
        ["entity_certificate", "verification_form"] + ["head_id_front", "head_id_back"] * 2
    )
    applies = {r["kind"]: r["applies"] for r in outcome.evidence["requirements"]}
    assert applies["verification_form"] is True and applies["power_of_attorney"] is False
    assert outcome.evidence["conditions"]["head_not_legal_rep"] is False


def test_a_missing_verification_form_is_blocking():
    outcome = RULE.check(snapshot(materials=without(K.VERIFICATION_FORM)))

    assert outcome.is_blocking
    assert outcome.message == "Missing material: Website verification form."
    assert outcome.fields == ("materials.verification_form",)


def test_each_head_needs_their_own_id_copy():
    outcome = RULE.check(snapshot(materials=without(K.HEAD_ID_FRONT, owner=SUN_YUE.id)))

    assert outcome.is_blocking and problem_codes(outcome) == ["missing"]
    assert "for the website head: Head's ID document (front)" in outcome.message
    assert outcome.fields == ("materials.head_id_front",)


def test_a_file_with_the_wrong_owner_does_not_count():
    # GIVEN the verification form filed on the entity, the certificate on the website,
    # and the website head's ID copy filed on the entity head
    moved = tuple(
        replace(m, owner={"website": "entity", "entity": "website"}.get(m.owner, m.owner))
        if m.kind in (K.VERIFICATION_FORM, K.ENTITY_CERTIFICATE)
        else replace(m, person_id=ZHAO_LEI.id)
        for m in complete_materials()
    )

    outcome = RULE.check(snapshot(materials=moved))

    assert outcome.is_blocking
    assert problem_codes(outcome) == ["missing"] * 4  # certificate, form, both sides of one ID
    assert set(outcome.fields) == {
        "materials.entity_certificate",
        "materials.head_id_front",
        "materials.head_id_back",
        "materials.verification_form",
    }


def test_one_person_heading_both_needs_one_id_copy():
    outcome = RULE.check(snapshot(website_head=ZHAO_LEI, materials=complete_materials(ZHAO_LEI)))

    assert outcome.status == Status.PASS


def test_a_draft_counts_its_own_uploads_and_a_live_website_does_not():
    # GIVEN a draft proposing a new website head (no person row yet) whose ID copies
    # and verification form are uploaded to the application
    new_head = PersonSnapshot(name="孙悦")
    uploads = (
        material(K.HEAD_ID_FRONT, "application", holder_name="孙悦"),
        material(K.HEAD_ID_BACK, "application", holder_name="孙悦"),
        material(K.VERIFICATION_FORM, "application"),
    )
    own = tuple(m for m in complete_materials(ZHAO_LEI) if m.kind != K.VERIFICATION_FORM)
    draft = snapshot(website_head=new_head, materials=(*own, *uploads), source="application")

    assert RULE.check(draft).status == Status.PASS
    live = RULE.check(replace(draft, source="live"))
    assert live.is_blocking and len(problem_codes(live)) == 3  # two ID sides and the form


def test_a_drafts_new_upload_replaces_an_older_file_on_record():
    # GIVEN a form on record that has expired, and a new one uploaded to the draft
    expired = material(K.VERIFICATION_FORM, id=1, valid_until=AS_OF - datetime.timedelta(days=1))
    uploaded = datetime.datetime(2026, 5, 30, tzinfo=datetime.UTC)
    new_form = material(K.VERIFICATION_FORM, "application", id=2, uploaded_at=uploaded)
    materials = (*without(K.VERIFICATION_FORM), new_form, expired)

    draft = RULE.check(snapshot(materials=materials, source="application"))
    live = RULE.check(snapshot(materials=materials))

    assert draft.status == Status.PASS
    assert live.is_blocking and problem_codes(live) == ["expired"]


# ---- what a file must be -------------------------------------------------------------


@pytest.mark.parametrize("content_type", ["image/jpeg", "image/png", "application/pdf"])
def test_jpeg_png_and_pdf_are_allowed(content_type):
    materials = (
        *without(K.VERIFICATION_FORM),
        material(K.VERIFICATION_FORM, content_type=content_type),
    )

    assert RULE.check(snapshot(materials=materials)).status == Status.PASS


def test_another_file_type_is_blocking():
    materials = (
        *without(K.VERIFICATION_FORM),
        material(K.VERIFICATION_FORM, content_type="image/gif"),
    )

    outcome = RULE.check(snapshot(materials=materials))

    assert outcome.is_blocking and problem_codes(outcome) == ["type_not_allowed"]
    assert "files of type image/gif are not accepted" in outcome.message


def test_a_file_changed_since_upload_is_blocking_and_an_unchecked_one_is_not():
    changed = (
        *without(K.ENTITY_CERTIFICATE),
        material(K.ENTITY_CERTIFICATE, "entity", integrity_ok=False),
    )
    intact = (
        *without(K.ENTITY_CERTIFICATE),
        material(K.ENTITY_CERTIFICATE, "entity", integrity_ok=True),
    )

    outcome = RULE.check(snapshot(materials=changed))

    assert outcome.is_blocking and problem_codes(outcome) == ["integrity_failed"]
    assert "no longer matches what was uploaded; upload it again" in outcome.message
    assert RULE.check(snapshot(materials=intact)).status == Status.PASS


def test_an_expired_document_is_blocking_until_its_last_day():
    def with_id_valid_until(day):
        front = material(K.HEAD_ID_FRONT, "person", person_id=1, valid_until=day)
        return (*without(K.HEAD_ID_FRONT, owner=1), front)

    expired = RULE.check(
        snapshot(materials=with_id_valid_until(AS_OF - datetime.timedelta(days=1)))
    )
    last_day = RULE.check(snapshot(materials=with_id_valid_until(AS_OF)))

    assert expired.is_blocking and problem_codes(expired) == ["expired"]
    assert "expired on 2026-05-31" in expired.message
    assert last_day.status == Status.PASS


def test_shanghai_needs_a_verification_form_signed_within_90_days():
    # GIVEN a Shanghai filing, with Shanghai's requirement row (max 90 days)
    shanghai = dict(
        province=SHANGHAI,
        entity=replace(ALPHA, province_code="310000"),
        material_requirements=(
            *REQUIREMENTS,
            req(K.VERIFICATION_FORM, province_code="310000", max_age_days=90),
        ),
    )

    def signed(days_ago):
        form = material(K.VERIFICATION_FORM, signed_on=AS_OF - datetime.timedelta(days=days_ago))
        return snapshot(materials=(*without(K.VERIFICATION_FORM), form), **shanghai)

    old = RULE.check(signed(200))

    assert old.is_blocking and problem_codes(old) == ["too_old"]
    assert old.message == (
        "Website verification form: signed on 2025-11-13, more than 90 days ago; Shanghai "
        "requires one signed within the last 90 days."
    )
    assert RULE.check(signed(90)).status == Status.PASS
    # Elsewhere a form signed 200 days ago is fine.
    beijing_form = material(K.VERIFICATION_FORM, signed_on=AS_OF - datetime.timedelta(days=200))
    assert (
        RULE.check(snapshot(materials=(*without(K.VERIFICATION_FORM), beijing_form))).status
        == Status.PASS
    )


@pytest.mark.parametrize(
    ("kind", "owner", "blank", "missing"),
    [
        (K.ENTITY_CERTIFICATE, "entity", {"document_number_hash": ""}, "document number"),
        (K.ENTITY_CERTIFICATE, "entity", {"holder_name": ""}, "holder"),
        (K.VERIFICATION_FORM, "website", {"signed_on": None}, "signing date"),
    ],
)
def test_incomplete_metadata_is_a_warning(kind, owner, blank, missing):
    materials = (*without(kind), material(kind, owner, **blank))

    outcome = RULE.check(snapshot(materials=materials))

    assert outcome.status == Status.FAIL and outcome.severity == Severity.WARNING
    assert problem_codes(outcome) == ["metadata_incomplete"]
    assert outcome.message.endswith(f"fill in the missing details ({missing}).")


def test_the_id_card_back_need_not_carry_name_or_number():
    back = material(K.HEAD_ID_BACK, "person", person_id=1, document_number_hash="", holder_name="")
    front = material(K.HEAD_ID_FRONT, "person", person_id=1, document_number_hash="")

    back_only = RULE.check(snapshot(materials=(*without(K.HEAD_ID_BACK, owner=1), back)))
    front_blank = RULE.check(snapshot(materials=(*without(K.HEAD_ID_FRONT, owner=1), front)))

    assert back_only.status == Status.PASS
    assert front_blank.severity == Severity.WARNING


def test_the_newest_file_counts_and_side_by_side_files_each_count():
    uploaded = datetime.datetime(2026, 5, 25, tzinfo=datetime.UTC)
    old_form = material(K.VERIFICATION_FORM, id=1, content_type="image/gif")
    new_form = material(K.VERIFICATION_FORM, id=2, uploaded_at=uploaded)
    replaced = RULE.check(snapshot(materials=(*without(K.VERIFICATION_FORM), old_form, new_form)))

    pre_approval = req(K.PRE_APPROVAL, "regulated_content")
    news = WebsiteSnapshot(id=100, content_category=ContentCategory.NEWS)
    approvals = (
        material(K.PRE_APPROVAL, id=3, document_number_hash="news-permit"),
        material(
            K.PRE_APPROVAL,
            id=4,
            document_number_hash="culture-permit",
            valid_until=AS_OF - datetime.timedelta(days=3),
        ),
    )
    one_expired = RULE.check(
        snapshot(
            website=news,
            materials=(*complete_materials(), *approvals),
            material_requirements=(pre_approval,),
        )
    )

    assert replaced.status == Status.PASS
    assert one_expired.is_blocking and problem_codes(one_expired) == ["expired"]
    assert [m["id"] for m in one_expired.evidence["materials"]] == [3, 4]


# ---- which materials are required ----------------------------------------------------


def test_a_head_who_is_not_the_legal_representative_needs_a_power_of_attorney():
    other_rep = replace(ALPHA, legal_representative="周建国")
    spaced = replace(ALPHA, legal_representative=" 赵 磊 ")

    missing = RULE.check(snapshot(entity=other_rep))
    filed = RULE.check(
        snapshot(
            entity=other_rep,
            materials=(*complete_materials(), material(K.POWER_OF_ATTORNEY, "entity")),
        )
    )

    assert missing.is_blocking and missing.fields == ("materials.power_of_attorney",)
    assert filed.status == Status.PASS
    assert RULE.check(snapshot(entity=spaced)).status == Status.PASS


@pytest.mark.parametrize(
    ("entity_type", "region", "required"),
    [
        (EntityType.INDIVIDUAL, "110105", True),  # a Beijing ID filing in Shanghai
        (EntityType.INDIVIDUAL, "310104", False),  # a local
        (EntityType.ENTERPRISE, "110105", False),  # not an individual
    ],
)
def test_a_non_local_individual_in_shanghai_needs_a_residence_permit(entity_type, region, required):
    number = resident_id(7, region=region)
    head = replace(ZHAO_LEI, id_type=IdType.RESIDENT_ID, id_number=number)
    entity = replace(
        ALPHA,
        entity_type=entity_type,
        province_code="310000",
        id_type=IdType.RESIDENT_ID,
        id_number=number,
    )

    outcome = RULE.check(
        snapshot(
            entity=entity,
            entity_head=head,
            website_head=head,
            materials=complete_materials(ZHAO_LEI),
            province=SHANGHAI,
        )
    )

    assert outcome.evidence["conditions"]["non_local_individual"] is required
    assert outcome.is_blocking is required
    if required:
        assert outcome.fields == ("materials.residence_permit",)
        assert number not in json.dumps(outcome.to_json())


def test_regulated_content_needs_its_pre_approval_document():
    news = WebsiteSnapshot(id=100, content_category=ContentCategory.NEWS)

    outcome = RULE.check(snapshot(website=news))

    assert outcome.is_blocking and outcome.fields == ("materials.pre_approval",)


def test_many_websites_need_a_construction_plan_from_the_configured_count(settings):
    two_sites = replace(ALPHA, website_count=2)

    default = RULE.check(snapshot(entity=two_sites))
    settings.MANY_WEBSITES_THRESHOLD = 3
    raised = RULE.check(snapshot(entity=two_sites))

    assert default.is_blocking and default.fields == ("materials.construction_plan",)
    assert raised.status == Status.PASS
    assert raised.evidence["conditions"]["many_websites_threshold"] == 3


def test_a_province_requirement_applies_only_in_its_province():
    guangdong = replace(ALPHA, province_code="440000")

    in_guangdong = RULE.check(snapshot(entity=guangdong, province=None))

    assert in_guangdong.is_blocking and in_guangdong.fields == ("materials.commitment_letter",)
    assert RULE.check(snapshot()).status == Status.PASS  # Beijing


def test_without_any_requirement_the_rule_does_not_apply():
    outcome = RULE.check(snapshot(material_requirements=()))

    assert outcome.status == Status.NOT_APPLICABLE


# ---- live rows -----------------------------------------------------------------------


def filed_site(tenant, *, province="110000", signed_days_ago=21):
    """A live first filing with every material a Beijing or Shanghai enterprise needs."""
    head = PersonFactory(tenant=tenant)
    entity = EntityFactory(tenant=tenant, province_id=province, head=head)
    website = WebsiteFactory(entity=entity, head=head)
    MaterialFactory(entity=entity)
    for kind in (K.HEAD_ID_FRONT, K.HEAD_ID_BACK):
        MaterialFactory(
            entity=None,
            tenant=tenant,
            person=head,
            kind=kind,
            holder_name=head.name,
            document_number=head.id_number,
            content_type="image/jpeg",
        )
    signed_on = AS_OF - datetime.timedelta(days=signed_days_ago)
    for kind in (K.VERIFICATION_FORM, K.VERIFICATION_PHOTO, K.DOMAIN_CERTIFICATE):
        MaterialFactory(entity=entity, website=website, kind=kind, signed_on=signed_on)
    return website


@pytest.mark.django_db
def test_live_rows_pass_and_fail_through_the_loader(alice_tenant):
    # GIVEN a complete Beijing site, one whose verification form was never uploaded,
    # one whose stored file changed, and a Shanghai site whose form was signed 200 days ago
    complete = filed_site(alice_tenant)
    no_form = filed_site(alice_tenant)
    Material.objects.filter(website=no_form, kind=K.VERIFICATION_FORM).delete()
    tampered = filed_site(alice_tenant)
    Material.objects.filter(entity=tampered.entity, kind=K.ENTITY_CERTIFICATE).update(
        integrity_ok=False
    )
    shanghai = filed_site(alice_tenant, province="310000", signed_days_ago=200)

    # WHEN the rule judges their snapshots (the requirements of a first filing)
    ids = [complete.pk, no_form.pk, tampered.pk, shanghai.pk]
    outcomes = [RULE.check(s) for s in load_snapshots(ids, as_of=AS_OF)]

    # THEN
    assert outcomes[0].status == Status.PASS, outcomes[0].evidence
    assert outcomes[1].is_blocking and outcomes[1].fields == ("materials.verification_form",)
    assert problem_codes(outcomes[1]) == ["missing"]
    assert outcomes[2].is_blocking and problem_codes(outcomes[2]) == ["integrity_failed"]
    assert outcomes[3].is_blocking and problem_codes(outcomes[3]) == ["too_old"]
    assert "Shanghai requires one signed within the last 90 days" in outcomes[3].message
