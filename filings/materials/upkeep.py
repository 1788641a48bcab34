"""What the periodic material jobs change: integrity verdicts and purges.

Called by ``filings.tasks.materials``; each runs in one transaction with its audit
rows, like the customer actions in ``filings.materials.actions``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from filings.materials.actions import audit_view
from filings.materials.streams import delete_stored
from filings.models import Material
from icpportal import audit
from icpportal.models import Membership
from notifications.models import Notification
from notifications.outbox import notify


def do_record_integrity(
    material_id: int, *, checked_name: str, checked_sha256: str | None
) -> bool | None:
    """Record a re-hash of one stored file (``None``: the file is missing).

    Returns the verdict, or None when the material changed or went away meanwhile
    (it is checked again on a later run). A mismatch is audited and the tenant's
    owners are told once per uploaded file; a file matching again is audited too.
    """
    with transaction.atomic():
        material = Material.objects.select_for_update().filter(pk=material_id).first()
        if material is None or material.file.name != checked_name:
            return None
        ok = checked_sha256 == material.sha256
        was = material.integrity_ok
        material.integrity_ok, material.integrity_checked_at = ok, timezone.now()
        material.save(update_fields=["integrity_ok", "integrity_checked_at"])
        if not ok and was is not False:
            audit.record(
                "material.integrity_failed",
                material,
                after={"expected_sha256": material.sha256, "found_sha256": checked_sha256 or ""},
                reason=(
                    "The stored file is missing."
                    if checked_sha256 is None
                    else "The stored file no longer matches its SHA-256."
                ),
            )
            _tell_owners(material)
        elif ok and was is False:
            audit.record("material.integrity_restored", material, after={"sha256": material.sha256})
    return ok


def _tell_owners(material: Material) -> None:
    owners = Membership.objects.filter(
        tenant_id=material.tenant_id, role=Membership.Role.OWNER, user__is_active=True
    ).select_related("user", "tenant")
    uploaded_on = timezone.localtime(material.uploaded_at).date().isoformat()
    for membership in owners:
        user = membership.user
        language = getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE
        notify(
            Notification.Channel.IN_APP,
            "material_integrity_failed",
            recipient_user=user,
            tenant=membership.tenant,
            context={"name": material.original_name, "uploaded": uploaded_on},
            language=language,
            dedup_key=f"material_integrity_failed:{material.pk}:{material.sha256}:{user.pk}",
        )


def do_purge_materials(material_ids: Sequence[int], *, reason: str) -> int:
    """Delete these materials (rows now, files after the commit), one audit row each.

    Rows another worker holds are skipped, so two runs never purge one twice.
    """
    with transaction.atomic():
        rows = list(
            Material.objects.select_for_update(skip_locked=True)
            .filter(pk__in=list(material_ids))
            .order_by("pk")
        )
        if not rows:
            return 0
        audit.record_many(
            audit.build("material.purge", row, before=audit_view(row), reason=reason)
            for row in rows
        )
        names = [row.file.name for row in rows]
        Material.objects.filter(pk__in=[row.pk for row in rows]).delete()
        transaction.on_commit(partial(_delete_all, names))
    return len(rows)


def _delete_all(names: Sequence[str]) -> None:
    for name in names:
        delete_stored(name)
