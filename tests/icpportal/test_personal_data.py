"""Personal ID numbers are encrypted at rest, hashed for look-ups and masked everywhere."""

from __future__ import annotations

import logging

import pytest
from django.db import IntegrityError, connection, transaction

from filings.models import Person
from icpportal import crypto
from icpportal.masking import mask_id_number, mask_mapping, mask_phone, mask_text
from tests.factories import EntityFactory, PersonFactory, resident_id

pytestmark = pytest.mark.django_db


def _raw_column(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_id_number_is_encrypted_in_the_database_and_clear_in_python(alice_tenant):
    # GIVEN a person saved with an ID number
    number = resident_id(7)
    person = PersonFactory(tenant=alice_tenant, id_number=number)
    # THEN the column holds ciphertext, and the model gives the clear value back
    raw = _raw_column("filings_person", "id_number", person.pk)
    assert number not in raw
    assert Person.objects.get(pk=person.pk).id_number == number
    # AND the keyed hash matches an exact look-up
    assert Person.objects.filter(id_number_hash=crypto.keyed_hash(number)).get() == person


def test_keyed_hash_is_keyed_not_a_plain_digest():
    import hashlib

    number = resident_id(8)
    assert crypto.keyed_hash(number) != hashlib.sha256(number.encode()).hexdigest()
    assert crypto.keyed_hash(number) == crypto.keyed_hash(" " + number.lower() + " ")


def test_encryption_with_rotated_keys(settings, alice_tenant):
    from cryptography.fernet import Fernet

    # GIVEN a value encrypted under the current key
    person = PersonFactory(tenant=alice_tenant)
    old_keys = list(settings.ICP_FIELD_KEYS)
    # WHEN a new key is put first (rotation)
    settings.ICP_FIELD_KEYS = [Fernet.generate_key().decode(), *old_keys]
    crypto._fernet.cache_clear()
    crypto._hash_key.cache_clear()
    try:
        # THEN old rows still decrypt and hashes are unchanged (derived from the oldest key)
        assert Person.objects.get(pk=person.pk).id_number == person.id_number
        assert crypto.keyed_hash(person.id_number) == person.id_number_hash
    finally:
        settings.ICP_FIELD_KEYS = old_keys
        crypto._fernet.cache_clear()
        crypto._hash_key.cache_clear()


def test_same_id_twice_in_one_tenant_is_refused(alice_tenant):
    number = resident_id(9)
    PersonFactory(tenant=alice_tenant, id_number=number)
    with pytest.raises(IntegrityError), transaction.atomic():
        PersonFactory(tenant=alice_tenant, id_number=number)


def test_same_id_in_two_tenants_is_allowed(alice_tenant, bob_tenant):
    number = resident_id(10)
    PersonFactory(tenant=alice_tenant, id_number=number)
    PersonFactory(tenant=bob_tenant, id_number=number)
    assert Person.objects.filter(id_number_hash=crypto.keyed_hash(number)).count() == 2


@pytest.mark.parametrize(
    "value,masked",
    [
        ("11010519491231002X", "110105********002X"),
        ("91110000600037341L", "911100********341L"),
        ("H12345678", "H1*****78"),
        ("", ""),
    ],
)
def test_mask_id_number(value, masked):
    assert mask_id_number(value) == masked


@pytest.mark.parametrize(
    "value,masked",
    [
        ("+8613812345678", "138****5678"),
        ("13812345678", "138****5678"),
        ("010-62345678", "010-****5678"),
        ("", ""),
    ],
)
def test_mask_phone(value, masked):
    assert mask_phone(value) == masked


def test_mask_mapping_masks_nested_personal_fields():
    data = {
        "name": "张三",
        "id_number": "11010519491231002X",
        "head": {"mobile": "+8613812345678"},
        "domains": [{"name": "a.cn"}],
    }
    masked = mask_mapping(data)
    assert masked["name"] == "张三"
    assert masked["id_number"] == "110105********002X"
    assert masked["head"]["mobile"] == "138****5678"
    assert masked["domains"] == [{"name": "a.cn"}]


def test_log_lines_are_masked(caplog):
    from icpportal.masking import MaskPersonalDataFilter

    logger = logging.getLogger("icp.test")
    handler_filter = MaskPersonalDataFilter()
    record = logger.makeRecord(
        "icp.test",
        logging.INFO,
        __file__,
        1,
        "person %s phone %s",
        ("11010519491231002X", "13812345678"),
        None,
    )
    handler_filter.filter(record)
    assert record.getMessage() == "person 110105********002X phone 138****5678"
    assert mask_text("call +8613812345678") == "call 138****5678"


def test_entity_lists_show_masked_ids_only(alice_client, alice_tenant):
    from django.urls import reverse

    entity = EntityFactory(tenant=alice_tenant)
    body = alice_client.get(reverse("entity-list")).content.decode()
    assert entity.id_number not in body
    body = alice_client.get(reverse("person-list")).content.decode()
    assert entity.head.id_number not in body
    assert entity.head.mobile not in body and entity.head.mobile[3:] not in body


def test_full_id_view_is_audited(alice_client, alice, alice_tenant):
    from django.urls import reverse

    from icpportal.models import AuditEvent

    person = PersonFactory(tenant=alice_tenant)
    response = alice_client.get(reverse("person-id-number", args=[person.pk]))
    assert response.status_code == 200
    assert person.id_number in response.content.decode()
    event = AuditEvent.objects.get(action="person.view_id_number")
    assert event.actor == alice and event.object_id == str(person.pk)
    assert event.tenant == alice_tenant
    assert response["Cache-Control"] == "no-store"
