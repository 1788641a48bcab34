"""Writing audit rows. Every ``do_*`` action calls :func:`record` inside its transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models import Q

from icpportal.masking import mask_mapping
from icpportal.models import AuditEvent

SYSTEM = "system"


def _actor_fields(actor) -> dict[str, Any]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor": None, "actor_label": SYSTEM}
    return {"actor": actor, "actor_label": actor.get_username()}


def _tenant_of(obj: models.Model):
    if obj.__class__.__name__ == "Tenant":
        return obj
    return getattr(obj, "tenant", None)


def build(
    action: str,
    obj: models.Model,
    *,
    actor=None,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
    tenant=None,
) -> AuditEvent:
    return AuditEvent(
        **_actor_fields(actor),
        tenant=tenant if tenant is not None else _tenant_of(obj),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        before=mask_mapping(before or {}),
        after=mask_mapping(after or {}),
        reason=reason,
    )


def record(action: str, obj: models.Model, **kwargs) -> AuditEvent:
    """Write one audit row (masked) for ``action`` on ``obj``."""
    event = build(action, obj, **kwargs)
    event.save()
    return event


def record_many(events: Iterable[AuditEvent]) -> list[AuditEvent]:
    """Bulk-insert audit rows built with :func:`build` (escalation, bulk actions)."""
    return AuditEvent.objects.bulk_create(list(events), batch_size=1000)


def timeline(obj: models.Model, *related: models.Model):
    """The audit rows of one object, oldest first; with ``related`` objects (a case's
    findings), theirs interleaved in the same order, still one query."""
    wanted: dict[str, list[str]] = {obj._meta.label_lower: [str(obj.pk)]}
    for other in related:
        wanted.setdefault(other._meta.label_lower, []).append(str(other.pk))
    where = Q()
    for object_type, ids in wanted.items():
        where |= Q(object_type=object_type, object_id__in=ids)
    return AuditEvent.objects.filter(where).order_by("at", "id")
