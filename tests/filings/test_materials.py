"""Materials: uploads decided by content, private downloads, staff viewers, the
integrity and retention jobs, and the checklist of required documents."""

from __future__ import annotations

import datetime
import hashlib
from pathlib import Path

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from filings.choices import ApplicationKind, MaterialKind
from filings.materials.actions import do_replace_material, do_upload_material
from filings.materials.checklist import checklist, required_materials
from filings.materials.uploads import UploadRefused, describe, inspect_upload
from filings.models import Entity, Material, Website
from filings.tasks.materials import check_material_integrity, purge_deregistered_materials
from icpportal import audit
from icpportal.models import AuditEvent
from notifications.models import Notification
from tests.clients import staff_client
from tests.factories import (
    PDF_BYTES,
    ApplicationFactory,
    ApplicationMaterialFactory,
    EntityFactory,
    MaterialFactory,
    MembershipFactory,
    PersonMaterialFactory,
    UserFactory,
    WebsiteFactory,
    WebsiteMaterialFactory,
    first_filing_payload,
    image_bytes,
)

pytestmark = pytest.mark.django_db

JPEG_BYTES = image_bytes("JPEG", (40, 30))
PNG_BYTES = image_bytes("PNG")
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    """Every test stores its files in a fresh local folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }
    return tmp_path / "media"


def stored_files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


@pytest.fixture
def draft(alice, alice_tenant):
    return ApplicationFactory(
        tenant=alice_tenant, created_by=alice, payload=first_filing_payload(1)
    )


def upload_url(application) -> str:
    return reverse("application-materials", args=[application.pk])


def post_file(client, application, name: str, data: bytes, kind="entity_certificate", **extra):
    # The browser's content type is a lie on purpose: only the bytes may decide.
    upload = SimpleUploadedFile(name, data, content_type="image/png")
    return client.post(upload_url(application), {"kind": kind, "file": upload, **extra})


# ---- uploads -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,data,content_type",
    [
        ("photo.jpg", JPEG_BYTES, "image/jpeg"),
        ("scan.png", PNG_BYTES, "image/png"),
        ("营业执照.pdf", PDF_BYTES, "application/pdf"),
    ],
)
def test_a_correct_file_is_stored_with_its_hash_size_and_type(
    alice_client, draft, media, name, data, content_type
):
    # GIVEN alice's draft
    # WHEN she uploads a real JPEG, PNG or PDF with its details
    response = post_file(
        alice_client, draft, name, data, document_number="91110108mA00000001", holder_name="甲"
    )
    # THEN it is stored privately under a random name, measured and audited
    assert response.status_code == 302
    material = Material.objects.get(application=draft)
    assert material.content_type == content_type
    assert material.size == len(data)
    assert material.sha256 == hashlib.sha256(data).hexdigest()
    assert material.original_name == name
    assert material.document_number == "91110108MA00000001"
    assert name not in material.file.name and material.file.name.startswith("materials/")
    assert (media / material.file.name).read_bytes() == data
    event = AuditEvent.objects.get(action="material.upload", object_id=str(material.pk))
    assert event.actor.username == "alice"
    assert event.after["sha256"] == material.sha256
    assert "MA00000001" not in str(event.after)  # the number is masked in the audit row


def test_an_oversized_file_is_refused_and_nothing_is_kept(alice_client, draft, media, settings):
    # GIVEN a 4 KB limit
    settings.MATERIAL_MAX_BYTES = 4096
    # WHEN alice uploads a 10 KB PDF
    response = post_file(alice_client, draft, "big.pdf", PDF_BYTES + b"0" * 10_000)
    # THEN the form says so, and neither a row nor a file exists
    assert response.status_code == 200
    assert "The file is larger than 4.0" in response.content.decode()
    # the size guard skipped the file while the request was read, before storing it
    assert response.context["form"].too_large is True
    assert not Material.objects.exists()
    assert stored_files(media) == []


def test_the_action_refuses_an_oversized_file_too(alice, draft, media, settings):
    settings.MATERIAL_MAX_BYTES = 4096
    result = do_upload_material(
        draft, "entity_certificate", ContentFile(PDF_BYTES * 100, name="a.pdf"), actor=alice
    )
    assert not result.ok and result.code == "too_large"
    assert not Material.objects.exists() and stored_files(media) == []


def test_a_pdf_named_png_is_accepted_as_a_pdf(alice_client, draft):
    # WHEN a PDF arrives named .png for a document that may be a PDF
    response = post_file(alice_client, draft, "licence.png", PDF_BYTES)
    # THEN its content decides: it is kept as a PDF
    assert response.status_code == 302
    assert Material.objects.get().content_type == "application/pdf"


def test_a_pdf_is_refused_where_a_photo_is_required(alice_client, draft, media):
    # WHEN the in-person verification photo is a PDF named .png
    response = post_file(alice_client, draft, "photo.png", PDF_BYTES, kind="verification_photo")
    # THEN it is refused: that document must be a photo
    assert response.status_code == 200
    assert "must be a photo: upload a JPEG or PNG image" in response.content.decode()
    assert not Material.objects.exists() and stored_files(media) == []


def test_an_executable_named_pdf_is_refused(alice_client, draft, media):
    response = post_file(alice_client, draft, "licence.pdf", EXE_BYTES)
    assert response.status_code == 200
    assert (
        "The file is not a JPEG, PNG or PDF: it looks like an executable."
        in response.content.decode()
    )
    assert not Material.objects.exists() and stored_files(media) == []


def test_an_empty_file_is_refused(alice, draft, media):
    result = do_upload_material(
        draft, "entity_certificate", ContentFile(b"", name="empty.pdf"), actor=alice
    )
    assert not result.ok
    assert result.field_errors["file"] == ["The file is empty."]
    assert not Material.objects.exists() and stored_files(media) == []


def test_a_damaged_image_is_refused(alice, draft):
    truncated = JPEG_BYTES[: len(JPEG_BYTES) // 2]
    result = do_upload_material(
        draft, "entity_certificate", ContentFile(truncated, name="cut.jpg"), actor=alice
    )
    assert not result.ok and result.code == "unreadable_image"
    assert "could not be read" in result.message


@pytest.mark.parametrize(
    "head,looks_like",
    [
        (b"\x7fELF\x02\x01", "an executable"),
        (b"PK\x03\x04\x14\x00", "a ZIP archive"),
        (b"\x00\x00\x00\x18ftypheic", "a HEIC/HEIF photo (save it as JPEG first)"),
        (b"GIF89a\x01\x00", "a GIF image"),
        (b"  <!DOCTYPE html><html>", "a web page or a drawing"),
        (b"\x00\x01\x02\x03", None),
    ],
)
def test_a_refused_file_is_described_by_its_content(head, looks_like):
    assert describe(head) == looks_like
    with pytest.raises(UploadRefused) as refusal:
        inspect_upload(ContentFile(head + b"\x00" * 64, name="x.pdf"))
    assert refusal.value.code == "type_not_allowed"


def test_dates_on_the_document_are_checked(alice_client, draft, media):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = post_file(
        alice_client,
        draft,
        "form.pdf",
        PDF_BYTES,
        kind="verification_form",
        valid_until="2020-01-31",
        signed_on=tomorrow.isoformat(),
    )
    page = response.content.decode()
    assert "This document expired on" in page
    assert "The signing date cannot be in the future." in page
    assert not Material.objects.exists() and stored_files(media) == []


def test_uploads_still_need_the_csrf_token(alice, draft):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = post_file(client, draft, "licence.pdf", PDF_BYTES)
    assert response.status_code == 403
    assert not Material.objects.exists()


def test_documents_of_a_submitted_application_cannot_change(alice, alice_client, alice_tenant):
    submitted = ApplicationFactory(tenant=alice_tenant, status="provider_review")
    response = post_file(alice_client, submitted, "licence.pdf", PDF_BYTES)
    assert response.status_code == 200
    assert not Material.objects.exists()
    result = do_upload_material(
        submitted, "entity_certificate", ContentFile(PDF_BYTES, name="a.pdf"), actor=alice
    )
    assert result.code == "not_editable"


def test_a_live_website_keeps_only_its_own_kinds(alice_client, alice_tenant):
    website = WebsiteFactory(entity__tenant=alice_tenant)
    url = reverse("website-materials", args=[website.pk])
    refused = alice_client.post(
        url, {"kind": "head_id_front", "file": SimpleUploadedFile("id.pdf", PDF_BYTES)}
    )
    assert refused.status_code == 200 and not Material.objects.exists()
    accepted = alice_client.post(
        url, {"kind": "domain_certificate", "file": SimpleUploadedFile("d.pdf", PDF_BYTES)}
    )
    assert accepted.status_code == 302
    assert Material.objects.get().website == website


def test_replacing_takes_the_old_file_out_of_use(
    alice, draft, media, django_capture_on_commit_callbacks
):
    # GIVEN an uploaded certificate
    first = do_upload_material(
        draft, "entity_certificate", ContentFile(PDF_BYTES, name="old.pdf"), actor=alice
    ).material
    old_name = first.file.name
    # WHEN alice replaces it with a PNG
    with django_capture_on_commit_callbacks(execute=True):
        result = do_replace_material(
            first, actor=alice, upload=ContentFile(PNG_BYTES, name="new.png")
        )
    # THEN the same document now has the new file, and the old file is gone
    assert result.ok
    material = Material.objects.get(pk=first.pk)
    assert material.content_type == "image/png"
    assert material.sha256 == hashlib.sha256(PNG_BYTES).hexdigest()
    assert material.integrity_ok is None
    assert not (media / old_name).exists()
    assert (media / material.file.name).read_bytes() == PNG_BYTES
    assert AuditEvent.objects.filter(action="material.replace", object_id=str(first.pk)).exists()


def test_the_replace_page_corrects_details_without_a_new_file(alice_client, draft):
    material = ApplicationMaterialFactory(application=draft)
    url = reverse("material-replace", args=[material.pk])
    assert "Leave it empty to keep the current file" in alice_client.get(url).content.decode()
    response = alice_client.post(url, {"document_number": "abc-123", "holder_name": "乙"})
    assert response.status_code == 302
    material.refresh_from_db()
    assert (material.document_number, material.holder_name) == ("ABC-123", "乙")
    assert material.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert AuditEvent.objects.filter(action="material.update", object_id=str(material.pk)).exists()


def test_a_refused_replacement_changes_nothing(alice, draft, media):
    material = ApplicationMaterialFactory(application=draft)
    result = do_replace_material(
        material, actor=alice, upload=ContentFile(EXE_BYTES, name="new.pdf")
    )
    assert not result.ok
    assert Material.objects.get(pk=material.pk).sha256 == material.sha256
    assert len(stored_files(media)) == 1


def test_delete_asks_first(alice_client, draft):
    material = ApplicationMaterialFactory(application=draft, original_name="执照.pdf")
    response = alice_client.get(reverse("material-delete", args=[material.pk]))
    assert response.status_code == 200
    assert "执照.pdf" in response.content.decode()
    assert Material.objects.filter(pk=material.pk).exists()


def test_deleting_removes_row_and_file(
    alice_client, draft, media, django_capture_on_commit_callbacks
):
    material = ApplicationMaterialFactory(application=draft)
    path = media / material.file.name
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(reverse("material-delete", args=[material.pk]))
    assert response.status_code == 302
    assert not Material.objects.exists() and not path.exists()
    assert AuditEvent.objects.filter(action="material.delete", object_id=str(material.pk)).exists()


def test_only_owners_delete_documents_of_a_live_filing(client, alice_tenant):
    material = MaterialFactory(entity__tenant=alice_tenant)
    member = MembershipFactory(tenant=alice_tenant, role="member").user
    client.force_login(member)
    assert client.post(reverse("material-delete", args=[material.pk])).status_code == 403
    assert Material.objects.filter(pk=material.pk).exists()


# ---- downloads -----------------------------------------------------------------------


def test_download_is_an_attachment_under_the_original_name(alice_client, alice_tenant):
    material = MaterialFactory(entity__tenant=alice_tenant, original_name="营业执照.pdf")
    response = alice_client.get(reverse("material-download", args=[material.pk]))
    assert response.status_code == 200
    assert response.streaming
    assert b"".join(response.streaming_content) == PDF_BYTES
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert "filename*=UTF-8''%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7.pdf" in disposition
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_a_download_is_named_for_what_the_file_is(alice, alice_client, draft):
    do_upload_material(
        draft, "entity_certificate", ContentFile(PDF_BYTES, name="licence.png"), actor=alice
    )
    response = alice_client.get(reverse("material-download", args=[Material.objects.get().pk]))
    assert "filename*=UTF-8''licence.png.pdf" in response["Content-Disposition"]


def test_bob_cannot_download_alices_document(bob_client, alice_tenant):
    material = MaterialFactory(entity__tenant=alice_tenant)
    assert bob_client.get(reverse("material-download", args=[material.pk])).status_code == 404


def test_downloading_an_id_document_is_audited(alice, alice_client, alice_tenant):
    id_copy = PersonMaterialFactory(person__tenant=alice_tenant)
    licence = MaterialFactory(entity__tenant=alice_tenant)
    assert alice_client.get(reverse("material-download", args=[id_copy.pk])).status_code == 200
    assert alice_client.get(reverse("material-download", args=[licence.pk])).status_code == 200
    downloads = AuditEvent.objects.filter(action="material.download")
    assert [(e.object_id, e.actor, e.tenant_id) for e in downloads] == [
        (str(id_copy.pk), alice, alice_tenant.pk)
    ]


def test_members_download_id_documents_only_if_they_uploaded_them(client, alice_tenant):
    member = MembershipFactory(tenant=alice_tenant, role="member").user
    theirs = PersonMaterialFactory(person__tenant=alice_tenant, uploaded_by=member)
    others = PersonMaterialFactory(person__tenant=alice_tenant)
    client.force_login(member)
    assert client.get(reverse("material-download", args=[theirs.pk])).status_code == 200
    assert client.get(reverse("material-download", args=[others.pk])).status_code == 403


# ---- staff viewers -------------------------------------------------------------------


def test_staff_see_images_inline_in_a_sandbox(client, rachel, alice_tenant):
    image = PersonMaterialFactory(person__tenant=alice_tenant)
    staff_client(rachel, client)
    response = client.get(reverse("staff-material-image", args=[image.pk]))
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline; ")
    assert response["Content-Type"] == "image/png"
    # an ID copy seen by staff is audited like a download
    assert AuditEvent.objects.get(action="material.download").actor == rachel


def test_staff_see_pdfs_from_their_own_view(client, rachel, alice_tenant):
    pdf = MaterialFactory(entity__tenant=alice_tenant)
    staff_client(rachel, client)
    response = client.get(reverse("staff-material-pdf", args=[pdf.pk]))
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline; ")
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert client.get(reverse("staff-material-image", args=[pdf.pk])).status_code == 404
    page = client.get(reverse("staff-material", args=[pdf.pk]))
    assert reverse("staff-material-pdf", args=[pdf.pk]) in page.content.decode()


@pytest.mark.parametrize("name", ["staff-material", "staff-material-image", "staff-material-pdf"])
def test_customers_get_403_on_staff_views(alice_client, alice_tenant, name):
    material = PersonMaterialFactory(person__tenant=alice_tenant)
    assert alice_client.get(reverse(name, args=[material.pk])).status_code == 403


# ---- the checklist -------------------------------------------------------------------


def test_required_materials_follow_kind_and_province(alice, alice_tenant):
    # GIVEN first filings in Beijing and in Guangdong
    beijing = ApplicationFactory(tenant=alice_tenant, payload=first_filing_payload(1))
    guangdong = ApplicationFactory(
        tenant=alice_tenant, payload=first_filing_payload(2, province="440000")
    )
    # WHEN the checklists are read
    beijing_kinds = [req.material_kind for req, _ in required_materials(beijing)]
    # THEN each lists what its kind and province need, nothing uploaded yet
    assert beijing_kinds == [
        "entity_certificate",
        "head_id_front",
        "head_id_back",
        "verification_form",
        "verification_photo",
        "domain_certificate",
    ]
    assert all(material is None for _, material in required_materials(beijing))
    assert "commitment_letter" in [r.material_kind for r, _ in required_materials(guangdong)]
    # AND an upload fills its line
    material = do_upload_material(
        beijing, "entity_certificate", ContentFile(PDF_BYTES, name="l.pdf"), actor=alice
    ).material
    lines = {req.material_kind: present for req, present in required_materials(beijing)}
    assert lines["entity_certificate"] == material
    assert lines["head_id_front"] is None


def test_the_checklist_page_lists_lines_in_few_queries(
    alice_client, draft, django_assert_max_num_queries
):
    for _ in range(6):
        ApplicationMaterialFactory(application=draft, kind=MaterialKind.PRE_APPROVAL)
    with django_assert_max_num_queries(11):
        response = alice_client.get(upload_url(draft))
    assert response.status_code == 200
    assert len(response.context["items"]) == 6
    assert len(response.context["other_materials"]) == 6


def test_the_documents_page_of_a_website_lists_in_constant_queries(
    alice_client, alice_tenant, django_assert_max_num_queries
):
    website = WebsiteFactory(entity__tenant=alice_tenant)
    for _ in range(10):
        WebsiteMaterialFactory(website=website, uploaded_by=UserFactory())
    with django_assert_max_num_queries(7):
        response = alice_client.get(reverse("website-materials", args=[website.pk]))
    assert response.status_code == 200
    assert len(response.context["materials"]) == 10


# ---- the integrity job ---------------------------------------------------------------


def test_integrity_job_flags_a_tampered_file_and_passes_a_good_one(alice, draft, media):
    # GIVEN two stored documents, one overwritten in storage after upload
    good = ApplicationMaterialFactory(application=draft)
    bad = ApplicationMaterialFactory(application=draft, kind=MaterialKind.DOMAIN_CERTIFICATE)
    (media / bad.file.name).write_bytes(PDF_BYTES + b"% tampered\n")
    # WHEN the integrity job runs
    counts = check_material_integrity()
    # THEN the good one passes, the tampered one is flagged, audited and reported
    assert counts == {"passed": 1, "failed": 1, "skipped": 0}
    good.refresh_from_db(), bad.refresh_from_db()
    assert good.integrity_ok is True and good.integrity_checked_at is not None
    assert bad.integrity_ok is False
    event = AuditEvent.objects.get(action="material.integrity_failed")
    assert event.object_id == str(bad.pk) and event.actor_label == audit.SYSTEM
    notice = Notification.objects.get(template_key="material_integrity_failed")
    assert notice.recipient_user == alice
    # AND the required-materials rule now asks for the document again
    item = next(i for i in checklist(draft) if i.kind == "domain_certificate")
    assert any("no longer matches" in problem for problem in item.problems)
    # AND a second run neither audits nor notifies again
    check_material_integrity()
    assert AuditEvent.objects.filter(action="material.integrity_failed").count() == 1


def test_integrity_job_flags_a_missing_file_and_checks_oldest_first(alice_tenant, media):
    checked = MaterialFactory(entity__tenant=alice_tenant)
    Material.objects.filter(pk=checked.pk).update(
        integrity_ok=True, integrity_checked_at=timezone.now()
    )
    missing = MaterialFactory(entity__tenant=alice_tenant)
    default_storage.delete(missing.file.name)
    assert check_material_integrity(limit=1) == {"passed": 0, "failed": 1, "skipped": 0}
    missing.refresh_from_db()
    assert missing.integrity_ok is False
    event = AuditEvent.objects.get(action="material.integrity_failed")
    assert event.reason == "The stored file is missing."


# ---- the retention job ---------------------------------------------------------------


def _deregister(obj, days_ago: int) -> None:
    with time_machine.travel(timezone.now() - datetime.timedelta(days=days_ago)):
        if isinstance(obj, Website):
            Website.objects.filter(pk=obj.pk).update(filing_state="deregistered")
            audit.record("website.deregister", obj)
        else:
            Entity.objects.filter(pk=obj.pk).update(state="deregistered")
            audit.record("entity.deregister", obj)


def test_retention_job_deletes_only_old_deregistered_materials(
    settings, alice_tenant, media, django_capture_on_commit_callbacks
):
    settings.MATERIAL_RETENTION_DAYS = 180
    # GIVEN a website deregistered 200 days ago, one 10 days ago, and a filed one
    old_site = WebsiteFactory(entity__tenant=alice_tenant)
    recent_site = WebsiteFactory(entity=old_site.entity)
    live_site = WebsiteFactory(entity=old_site.entity)
    _deregister(old_site, 200)
    _deregister(recent_site, 10)
    old = WebsiteMaterialFactory(website=old_site)
    about_old = ApplicationMaterialFactory(
        application=ApplicationFactory(
            tenant=alice_tenant, kind=ApplicationKind.DEREGISTER_WEBSITE, website=old_site
        )
    )
    kept = [WebsiteMaterialFactory(website=recent_site), WebsiteMaterialFactory(website=live_site)]
    # the head also heads live websites: their ID copy stays
    kept.append(PersonMaterialFactory(person=old_site.head))
    old_path = media / old.file.name
    # WHEN the retention job runs
    with django_capture_on_commit_callbacks(execute=True):
        purged = purge_deregistered_materials()
    # THEN only the old deregistration's files and rows are gone, each audited
    assert purged == 2
    assert set(Material.objects.values_list("pk", flat=True)) == {m.pk for m in kept}
    assert not old_path.exists()
    assert all((media / m.file.name).exists() for m in kept)
    purges = AuditEvent.objects.filter(action="material.purge")
    assert {e.object_id for e in purges} == {str(old.pk), str(about_old.pk)}


def test_retention_job_clears_a_deregistered_entity_and_its_heads(alice_tenant):
    entity = EntityFactory(tenant=alice_tenant)
    site = WebsiteFactory(entity=entity)
    _deregister(site, 400)
    _deregister(entity, 400)
    MaterialFactory(entity=entity)
    PersonMaterialFactory(person=entity.head)
    other = PersonMaterialFactory(person__tenant=alice_tenant)
    assert purge_deregistered_materials() == 2
    assert list(Material.objects.values_list("pk", flat=True)) == [other.pk]
