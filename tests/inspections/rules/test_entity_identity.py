"""Rule 1, entity and ID consistency: valid ID documents, the same name and ID everywhere."""

from __future__ import annotations

import datetime
import json

import pytest
from stdnum.cn import uscc

from filings.choices import ApplicationKind, EntityType, IdType, MaterialKind
from filings.validators import org_code_check_character, uscc_check_character
from icpportal.crypto import keyed_hash
from inspections.rules import Severity, Status, get_rule
from inspections.rules.entity_identity import normalise_name
from inspections.snapshot import (
    EntitySnapshot,
    MaterialSnapshot,
    PersonSnapshot,
    RegistrySnapshot,
    Snapshot,
    load_snapshots,
)
from inspections.snapshot.parts import APPLICATION
from tests.factories import (
    EntityFactory,
    MaterialFactory,
    PersonFactory,
    RegistryRecordFactory,
    WebsiteFactory,
    credit_code,
    resident_id,
)

AS_OF = datetime.date(2026, 6, 1)
ALPHA = "北京阿尔法科技有限公司"
ALPHA_CODE = credit_code(1)


@pytest.fixture
def rule():
    return get_rule("entity_identity")


def alpha(**changes):
    """Alpha Tech as filed: an enterprise with a valid credit code."""
    values = {
        "id": 1,
        "entity_type": EntityType.ENTERPRISE,
        "name": ALPHA,
        "id_type": IdType.USCC,
        "id_number": ALPHA_CODE,
    }
    values.update(changes)
    values.setdefault("id_number_hash", keyed_hash(values["id_number"]))
    return EntitySnapshot(**values)


def person(n, **changes):
    values = {"id": n, "name": f"张{n}", "id_type": IdType.RESIDENT_ID, "id_number": resident_id(n)}
    values.update(changes)
    values.setdefault("id_number_hash", keyed_hash(values["id_number"]))
    return PersonSnapshot(**values)


def certificate(holder=ALPHA, number=ALPHA_CODE, **changes):
    return MaterialSnapshot(
        id=changes.pop("id", 10),
        kind=changes.pop("kind", MaterialKind.ENTITY_CERTIFICATE),
        owner=changes.pop("owner", "entity"),
        holder_name=holder,
        document_number=number,
        document_number_hash=keyed_hash(number) if number else "",
        **changes,
    )


def snapshot(entity=None, *, head=None, website_head=None, **kwargs):
    head = head or person(1)
    return Snapshot(
        as_of=AS_OF,
        entity=entity or alpha(),
        entity_head=head,
        website_head=website_head or head,
        **kwargs,
    )


def problem_codes(outcome):
    return [p["code"] for p in outcome.evidence.get("problems", [])]


def with_check(body):
    return body + uscc.calc_check_digit(body)


# ---- ID documents --------------------------------------------------------------------


def test_a_consistent_enterprise_passes(rule):
    # GIVEN an enterprise whose certificate and bureau record agree with the filing
    record = RegistrySnapshot(entity_name=ALPHA, entity_id_hash=keyed_hash(ALPHA_CODE))
    outcome = rule.check(snapshot(materials=(certificate(),), registry=record))
    # THEN it passes, with what was compared as evidence and no clear ID number in it
    assert outcome.status == Status.PASS
    assert [c["with"] for c in outcome.evidence["compared"]] == [
        "materials.entity_certificate",
        "registry",
    ]
    assert ALPHA_CODE not in json.dumps(outcome.evidence)


def test_a_credit_code_with_a_wrong_check_character_fails_blocking(rule):
    # GIVEN a credit code whose last character was mistyped
    wrong = ALPHA_CODE[:-1] + ("0" if ALPHA_CODE[-1] != "0" else "1")
    outcome = rule.check(snapshot(alpha(id_number=wrong)))
    # THEN a blocking failure with the validator's reason, next to the ID number
    assert outcome.is_blocking
    assert "The check character of this unified social credit code is wrong." in outcome.message
    assert outcome.fields == ("entity.id_number",)
    assert wrong not in outcome.message  # masked


def test_a_credit_code_of_authority_n_is_valid(rule):
    # GIVEN a trade-union code (first char N), which stdnum alone rejects
    org = "12345678"
    body = f"N1110108{org}{org_code_check_character(org)}"
    code = body + uscc_check_character(body)
    entity = alpha(entity_type=EntityType.SOCIAL_ORGANISATION, id_number=code)
    # THEN it passes
    assert rule.check(snapshot(entity)).status == Status.PASS


def test_a_credit_code_whose_inner_organisation_code_fails_is_a_warning(rule):
    # GIVEN a credit code right on the outside, but whose organisation code is off
    org = "12345678"
    wrong = "0" if org_code_check_character(org) != "0" else "1"
    code = with_check(f"91110108{org}{wrong}")
    outcome = rule.check(snapshot(alpha(id_number=code)))
    # THEN a warning, not a blocking failure
    assert outcome.status == Status.FAIL and outcome.severity == Severity.WARNING
    assert problem_codes(outcome) == ["uscc_inner_org_code"]
    assert outcome.fields == ("entity.id_number",)


def test_an_id_type_the_entity_type_cannot_use_fails_blocking(rule):
    # GIVEN an enterprise filed with a public-institution certificate
    entity = alpha(id_type=IdType.PUBLIC_INSTITUTION_CERT, id_number="ABC123456")
    outcome = rule.check(snapshot(entity))
    # THEN blocking, pointing at the ID type
    assert outcome.is_blocking
    assert problem_codes(outcome) == ["id_type_not_allowed"]
    assert outcome.fields == ("entity.id_type",)
    assert "Unified social credit code" in outcome.message


def test_an_invalid_head_resident_id_fails_blocking_and_is_masked(rule):
    # GIVEN a website head whose resident ID has a wrong check digit
    good = resident_id(7)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    outcome = rule.check(snapshot(website_head=person(7, id_number=bad)))
    # THEN blocking, next to the website head's ID, the number masked everywhere
    assert outcome.is_blocking
    assert outcome.fields == ("website_head.id_number",)
    assert "张7" in outcome.message
    assert bad not in outcome.message and bad not in json.dumps(outcome.evidence)


def test_a_head_with_an_organisation_document_fails_blocking(rule):
    # GIVEN an entity head "identified" by a credit code
    outcome = rule.check(snapshot(head=person(1, id_type=IdType.USCC, id_number=ALPHA_CODE)))
    # THEN blocking: a person in charge needs a personal document
    assert outcome.is_blocking
    assert problem_codes(outcome) == ["head_id_type"]
    assert outcome.fields == ("entity_head.id_type",)


def test_the_same_head_for_entity_and_website_is_judged_once(rule):
    # GIVEN one person heading both, with an invalid number
    bad = person(3, id_number="110105198001010000")
    outcome = rule.check(snapshot(head=bad, website_head=bad))
    # THEN one problem, not two
    assert problem_codes(outcome) == ["head_id_invalid"]


# ---- personal filings ------------------------------------------------------------------


def test_a_personal_filing_of_a_person_passes(rule):
    # GIVEN an individual filing with a resident ID and a person's name
    me = person(5)
    entity = EntitySnapshot(
        id=2,
        entity_type=EntityType.INDIVIDUAL,
        name=me.name,
        id_type=IdType.RESIDENT_ID,
        id_number=me.id_number,
        id_number_hash=me.id_number_hash,
    )
    # THEN it passes
    assert rule.check(snapshot(entity, head=me)).status == Status.PASS


@pytest.mark.parametrize("name", ["北京贝塔网络工作室", "Beta Trading Ltd", "阳光协会"])
def test_a_personal_filing_named_like_an_organisation_fails_blocking(rule, name):
    # GIVEN an individual filing whose entity name is an organisation's
    me = person(5)
    entity = EntitySnapshot(
        id=2,
        entity_type=EntityType.INDIVIDUAL,
        name=name,
        id_type=IdType.RESIDENT_ID,
        id_number=me.id_number,
        id_number_hash=me.id_number_hash,
    )
    outcome = rule.check(snapshot(entity, head=me))
    # THEN blocking: personal filing used for an organisation
    assert outcome.is_blocking
    assert problem_codes(outcome) == ["personal_filing_for_organisation"]
    assert "Personal filing used for an organisation" in outcome.message
    assert outcome.fields == ("entity.entity_type",)


def test_a_personal_filing_with_a_credit_code_fails_once(rule):
    # GIVEN an individual filing with an organisation's document
    entity = alpha(entity_type=EntityType.INDIVIDUAL, name="王五")
    outcome = rule.check(snapshot(entity))
    # THEN one blocking problem, the personal-filing one (not also "type not allowed")
    assert problem_codes(outcome) == ["personal_filing_for_organisation"]
    assert "Unified social credit code" in outcome.message


# ---- the same name and ID everywhere ---------------------------------------------------


def test_names_equal_after_normalisation_pass(rule):
    # GIVEN a certificate written with full-width brackets, spaces and other case
    entity = alpha(name="阿尔法（北京）科技有限公司 Alpha")
    material = certificate(holder=" 阿尔法(北京) 科技有限公司 ALPHA ")
    # THEN the names are equal
    assert normalise_name(material.holder_name) == normalise_name(entity.name)
    assert rule.check(snapshot(entity, materials=(material,))).status == Status.PASS


def test_a_certificate_of_another_name_fails_blocking(rule):
    # GIVEN a certificate naming another company
    outcome = rule.check(snapshot(materials=(certificate(holder="北京贝塔科技有限公司"),)))
    # THEN blocking, naming both and pointing at the certificate
    assert outcome.is_blocking
    assert outcome.message == (
        f"The entity certificate names 北京贝塔科技有限公司, the filing says {ALPHA}."
    )
    assert outcome.fields == ("materials.entity_certificate",)


def test_a_certificate_of_another_number_fails_and_one_without_number_is_skipped(rule):
    # GIVEN the latest certificate with another number, and an older one without any
    older = certificate(number="", id=9)
    newer = certificate(number=credit_code(99), id=11)
    outcome = rule.check(snapshot(materials=(older, newer)))
    # THEN the latest is judged: blocking, ID mismatch
    assert problem_codes(outcome) == ["certificate_id_mismatch"]
    assert outcome.evidence["compared"][0]["material_id"] == 11
    # AND a certificate with no number at all is left to the materials rule
    assert rule.check(snapshot(materials=(older,))).status == Status.PASS


def test_a_head_id_copy_of_another_person_fails_blocking(rule):
    # GIVEN the entity head's ID copy carrying someone else's name and number
    copy = certificate(
        holder="李四",
        number=resident_id(77),
        kind=MaterialKind.HEAD_ID_FRONT,
        owner="person",
        person_id=1,
    )
    outcome = rule.check(snapshot(materials=(copy,)))
    # THEN two blocking problems on the head's ID copy
    assert problem_codes(outcome) == [
        "entity_head_copy_name_mismatch",
        "entity_head_copy_id_mismatch",
    ]
    assert outcome.fields == ("materials.head_id_front",)
    assert "The ID copy of the entity head 张1 names 李四, the filing says 张1." in outcome.message


def test_the_bureaus_record_of_another_name_fails_blocking(rule):
    # GIVEN the bureau naming the entity differently
    record = RegistrySnapshot(
        entity_name="北京贝塔科技有限公司", entity_id_hash=keyed_hash(ALPHA_CODE)
    )
    entity = alpha(name="北京贝塔数字科技有限公司")
    outcome = rule.check(snapshot(entity, registry=record))
    # THEN blocking, naming which two disagree
    assert outcome.is_blocking
    assert outcome.message == (
        "The bureau's record names 北京贝塔科技有限公司, the filing says 北京贝塔数字科技有限公司."
    )
    assert outcome.fields == ("entity.name",)


def test_the_bureaus_record_of_another_id_fails_blocking(rule):
    # GIVEN the bureau holding another credit code for the entity
    record = RegistrySnapshot(entity_name=ALPHA, entity_id_hash=keyed_hash(credit_code(2)))
    outcome = rule.check(snapshot(registry=record))
    # THEN blocking, at the entity's ID number
    assert problem_codes(outcome) == ["registry_id_mismatch"]
    assert outcome.fields == ("entity.id_number",)


def test_the_worst_problem_decides_and_every_problem_is_listed(rule):
    # GIVEN a warning (inner organisation code) and a blocking name mismatch
    org = "12345678"
    wrong = "0" if org_code_check_character(org) != "0" else "1"
    code = with_check(f"91110108{org}{wrong}")
    entity = alpha(id_number=code)
    material = certificate(holder="别的公司", number=code)
    outcome = rule.check(snapshot(entity, materials=(material,)))
    # THEN blocking, with both problems in the evidence, worst first
    assert outcome.severity == Severity.BLOCKING
    assert problem_codes(outcome) == ["certificate_name_mismatch", "uscc_inner_org_code"]


# ---- what cannot be judged -------------------------------------------------------------


def test_a_live_website_without_an_entity_is_an_error(rule):
    outcome = rule.check(Snapshot(as_of=AS_OF))
    assert outcome.status == Status.ERROR
    assert outcome.evidence == {"reason": "no entity"}


def test_a_draft_without_an_entity_is_not_applicable(rule):
    outcome = rule.check(Snapshot(as_of=AS_OF, source=APPLICATION))
    assert outcome.status == Status.NOT_APPLICABLE


def test_a_draft_leaves_blank_fields_to_the_completeness_check(rule):
    # GIVEN a first-filing draft with a name but no ID yet
    entity = EntitySnapshot(entity_type=EntityType.ENTERPRISE, name=ALPHA, id_type=IdType.USCC)
    outcome = rule.check(Snapshot(as_of=AS_OF, entity=entity, source=APPLICATION))
    # THEN nothing to judge yet: a pass
    assert outcome.status == Status.PASS


def test_a_deregistration_is_not_judged(rule):
    draft = snapshot(
        alpha(id_number="bad"),
        source=APPLICATION,
        application_kind=ApplicationKind.DEREGISTER_WEBSITE,
    )
    assert rule.check(draft).status == Status.NOT_APPLICABLE


# ---- through load_snapshots on live rows -------------------------------------------------


@pytest.mark.django_db
def test_a_live_website_from_factory_rows_passes(rule, alice_tenant):
    # GIVEN a filed website whose certificate, head ID copy and bureau record agree
    entity = EntityFactory(tenant=alice_tenant, name=ALPHA)
    website = WebsiteFactory(entity=entity)
    MaterialFactory(entity=entity)
    head = entity.head
    MaterialFactory(
        entity=None,
        person=head,
        tenant=alice_tenant,
        kind=MaterialKind.HEAD_ID_FRONT,
        holder_name=head.name,
        document_number=head.id_number,
    )
    RegistryRecordFactory(
        entity_filing_number=entity.filing_number,
        website_filing_number=website.filing_number,
        entity_name=ALPHA,
        entity_id_hash=entity.id_number_hash,
    )
    # WHEN the rule runs on the loaded snapshot
    [loaded] = load_snapshots([website.pk], as_of=AS_OF)
    outcome = rule.check(loaded)
    # THEN it passes, having compared the certificate, the ID copy and the record
    assert outcome.status == Status.PASS
    assert [c["with"] for c in outcome.evidence["compared"]] == [
        "materials.entity_certificate",
        "materials.head_id_front",
        "registry",
    ]


@pytest.mark.django_db
def test_a_live_website_from_factory_rows_with_inconsistencies_fails(rule, alice_tenant):
    # GIVEN a website head whose ID copy names someone else, and a bureau record under
    # another entity name
    entity = EntityFactory(tenant=alice_tenant, name="北京贝塔数字科技有限公司")
    website_head = PersonFactory(tenant=alice_tenant, name="王五")
    website = WebsiteFactory(entity=entity, head=website_head)
    MaterialFactory(entity=entity)
    MaterialFactory(
        entity=None,
        person=website_head,
        tenant=alice_tenant,
        kind=MaterialKind.HEAD_ID_FRONT,
        holder_name="赵六",
        document_number=website_head.id_number,
    )
    RegistryRecordFactory(
        entity_filing_number=entity.filing_number,
        website_filing_number=website.filing_number,
        entity_name="北京贝塔科技有限公司",
        entity_id_hash=entity.id_number_hash,
    )
    # WHEN the rule runs on the loaded snapshot
    [loaded] = load_snapshots([website.pk], as_of=AS_OF)
    outcome = rule.check(loaded)
    # THEN blocking, both disagreements listed with their fields
    assert outcome.is_blocking
    assert problem_codes(outcome) == ["website_head_copy_name_mismatch", "registry_name_mismatch"]
    assert outcome.fields == ("materials.head_id_front", "entity.name")
    assert website_head.id_number not in json.dumps(outcome.to_json(), ensure_ascii=False)
