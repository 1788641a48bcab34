from __future__ import annotations

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from filings.models import Person
from icpportal import crypto
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _raw(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM filings_person WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_reencrypt_moves_rows_to_the_newest_key(settings, alice_tenant):
    # GIVEN a person encrypted under the current key
    person = PersonFactory(tenant=alice_tenant)
    old_keys = list(settings.ICP_FIELD_KEYS)
    new_key = Fernet.generate_key().decode()
    settings.ICP_FIELD_KEYS = [new_key, *old_keys]
    crypto._fernet.cache_clear()
    crypto._hash_key.cache_clear()
    try:
        # WHEN the rows are re-encrypted after the new key was put first
        out = StringIO()
        call_command("reencrypt_personal_data", stdout=out)
        # THEN the new key alone decrypts the column, and the value and hash are unchanged
        assert Fernet(new_key.encode()).decrypt(_raw(person.pk).encode()).decode() == (
            person.id_number
        )
        assert Person.objects.get(pk=person.pk).id_number_hash == person.id_number_hash
        assert "filings.Person: 1 rows" in out.getvalue()
    finally:
        settings.ICP_FIELD_KEYS = old_keys
        crypto._fernet.cache_clear()
        crypto._hash_key.cache_clear()
