"""Audit rows: masked, append-only, and readable as an object's timeline."""

from __future__ import annotations

import pytest

from icpportal import audit
from icpportal.models import AuditEvent
from tests.factories import EntityFactory

pytestmark = pytest.mark.django_db


def test_record_masks_personal_data_and_keeps_actor(alice, alice_tenant):
    entity = EntityFactory(tenant=alice_tenant)
    event = audit.record(
        "entity.change",
        entity,
        actor=alice,
        before={"id_number": entity.id_number, "office_phone": "+861088886666"},
        after={"id_number": "11010519491231002X"},
        reason="typo",
    )
    event.refresh_from_db()
    assert event.actor_label == "alice"
    assert event.tenant == alice_tenant
    assert entity.id_number not in str(event.before)
    assert event.after["id_number"] == "110105********002X"
    assert (
        event.before["office_phone"].endswith("6666") and "8888" not in event.before["office_phone"]
    )


def test_system_actor_when_no_user(alice_tenant):
    event = audit.record("entity.check", EntityFactory(tenant=alice_tenant))
    assert event.actor is None and event.actor_label == audit.SYSTEM


def test_audit_rows_are_append_only(alice_tenant):
    event = audit.record("entity.check", EntityFactory(tenant=alice_tenant))
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="x")
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()


def test_timeline_is_oldest_first_and_per_object(alice_tenant):
    first, other = EntityFactory(tenant=alice_tenant), EntityFactory(tenant=alice_tenant)
    audit.record("a", first)
    audit.record("b", other)
    audit.record("c", first)
    assert [e.action for e in audit.timeline(first)] == ["a", "c"]


def test_timeline_interleaves_related_objects_in_one_query(alice_tenant, django_assert_num_queries):
    first, related, other = EntityFactory.create_batch(3, tenant=alice_tenant)
    audit.record("a", first)
    audit.record("b", related)
    audit.record("c", other)
    audit.record("d", first)
    with django_assert_num_queries(1):
        assert [e.action for e in audit.timeline(first, related)] == ["a", "b", "d"]


def test_bulk_record(alice_tenant):
    entities = EntityFactory.create_batch(3, tenant=alice_tenant)
    audit.record_many(audit.build("bulk.touch", e) for e in entities)
    assert AuditEvent.objects.filter(action="bulk.touch").count() == 3
