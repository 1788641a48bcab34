"""Materials over the API: uploads pass the page's checks, downloads are attachments and
ID documents are audited, owners and members have their own rights."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from filings.models import Application, Material
from icpportal.models import AuditEvent, Membership
from tests.api import token_client
from tests.factories import (
    PDF_BYTES,
    ApplicationFactory,
    ApplicationMaterialFactory,
    EntityFactory,
    MembershipFactory,
    PersonMaterialFactory,
    UserFactory,
    first_filing_payload,
    image_bytes,
)

pytestmark = pytest.mark.django_db
API = "/api/v1"
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    """Every test stores its files in a fresh local folder; throttles start at zero."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }
    cache.clear()
    return tmp_path / "media"


def stored_files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


@pytest.fixture
def draft(alice, alice_tenant):
    return ApplicationFactory(
        tenant=alice_tenant, created_by=alice, payload=first_filing_payload(1)
    )


@pytest.fixture
def charlie_api(alice_tenant):
    """charlie: a member (not an owner) of alice's account."""
    charlie = UserFactory(username="charlie")
    MembershipFactory(user=charlie, tenant=alice_tenant, role=Membership.Role.MEMBER)
    return token_client(charlie, alice_tenant)


def upload(client, data: bytes, name="licence.pdf", **fields):
    # The declared content type is a lie on purpose: only the bytes decide.
    file = SimpleUploadedFile(name, data, content_type="image/png")
    return client.post(f"{API}/materials/", {"file": file, **fields})


# ---- uploads -------------------------------------------------------------------------


def test_a_pdf_is_uploaded_to_a_draft_with_its_details(alice, alice_api, draft, media):
    # WHEN alice uploads a PDF certificate with its number and holder
    response = upload(
        alice_api,
        PDF_BYTES,
        name="营业执照.pdf",
        kind="entity_certificate",
        application=draft.pk,
        document_number="91110108mA01abcd2x",
        holder_name="示例科技有限公司",
    )

    # THEN it is stored with its hash, recognised type and masked number
    assert response.status_code == 201, response.json()
    body = response.json()
    material = Material.objects.get(pk=body["id"])
    assert material.application == draft and material.uploaded_by == alice
    assert body["sha256"] == hashlib.sha256(PDF_BYTES).hexdigest()
    assert body["content_type"] == "application/pdf" and body["size"] == len(PDF_BYTES)
    assert body["document_number"] == material.masked_document_number != material.document_number
    assert "91110108MA01ABCD2X" not in response.content.decode()
    assert body["download_url"] == f"{API}/materials/{material.pk}/download/"
    assert len(stored_files(media)) == 1
    assert AuditEvent.objects.filter(action="material.upload", object_id=str(material.pk)).exists()


def test_a_file_that_is_no_document_is_refused_and_not_stored(alice_api, draft, media):
    response = upload(
        alice_api, EXE_BYTES, name="scan.pdf", kind="entity_certificate", application=draft.pk
    )

    assert response.status_code == 400
    assert "it looks like" in response.json()["field_errors"]["file"][0]
    assert not Material.objects.exists() and stored_files(media) == []


def test_an_oversized_file_answers_413_and_is_not_stored(settings, alice_api, draft, media):
    settings.MATERIAL_MAX_BYTES = 4096

    response = upload(
        alice_api,
        PDF_BYTES + b"0" * 5000,
        kind="entity_certificate",
        application=draft.pk,
    )

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert not Material.objects.exists() and stored_files(media) == []


def test_a_verification_photo_must_be_a_photo(alice_api, draft):
    response = upload(alice_api, PDF_BYTES, kind="verification_photo", application=draft.pk)

    assert response.status_code == 400
    assert "must be a photo" in response.json()["field_errors"]["file"][0]


def test_a_submitted_applications_documents_cannot_change(alice_api, draft, media):
    Application.objects.filter(pk=draft.pk).update(status="provider_review")

    response = upload(alice_api, PDF_BYTES, kind="entity_certificate", application=draft.pk)

    assert response.status_code == 409 and response.json()["code"] == "not_editable"
    assert stored_files(media) == []


@pytest.mark.parametrize("owners", [{}, {"application": "draft", "entity": "entity"}])
def test_an_upload_names_exactly_one_owner(alice_api, alice_tenant, draft, owners):
    entity = EntityFactory(tenant=alice_tenant)
    ids = {"draft": draft.pk, "entity": entity.pk}

    response = upload(
        alice_api,
        PDF_BYTES,
        kind="entity_certificate",
        **{field: ids[name] for field, name in owners.items()},
    )

    assert response.status_code == 400 and not Material.objects.exists()


# ---- details, replacing, deleting ------------------------------------------------------------


def test_details_change_and_the_rest_stays(alice_api, draft):
    material = ApplicationMaterialFactory(application=draft, holder_name="旧名", signed_on=None)

    response = alice_api.patch(
        f"{API}/materials/{material.pk}/",
        {"holder_name": "新名"},
        content_type="application/json",
    )

    assert response.status_code == 200, response.json()
    material.refresh_from_db()
    assert (
        material.holder_name == "新名" and material.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    )


def test_a_new_file_replaces_the_old_one(alice_api, draft, media):
    material = ApplicationMaterialFactory(application=draft)
    png = image_bytes("PNG")
    file = SimpleUploadedFile("new.png", png, content_type="image/png")

    response = alice_api.patch(
        f"{API}/materials/{material.pk}/",
        encode_multipart(BOUNDARY, {"file": file}),
        content_type=MULTIPART_CONTENT,
    )

    assert response.status_code == 200, response.content
    material.refresh_from_db()
    assert (
        material.content_type == "image/png" and material.sha256 == hashlib.sha256(png).hexdigest()
    )
    assert AuditEvent.objects.filter(action="material.replace").count() == 1


def test_a_member_deletes_a_drafts_document_but_not_a_live_filings(
    charlie_api, alice_tenant, draft
):
    on_draft = ApplicationMaterialFactory(application=draft)
    live = PersonMaterialFactory(person__tenant=alice_tenant)

    assert charlie_api.delete(f"{API}/materials/{live.pk}/").status_code == 403
    assert charlie_api.delete(f"{API}/materials/{on_draft.pk}/").status_code == 204

    assert list(Material.objects.values_list("pk", flat=True)) == [live.pk]


# ---- downloads -------------------------------------------------------------------------


def test_a_download_is_an_attachment_under_its_name(alice_api, draft):
    material = ApplicationMaterialFactory(application=draft, original_name="营业执照.pdf")

    response = alice_api.get(
        f"{API}/materials/{material.pk}/download/", headers={"Accept": "application/pdf"}
    )

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E8%90%A5" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    # An ordinary document leaves no download row
    assert not AuditEvent.objects.filter(action="material.download").exists()


def test_downloads_of_id_documents_are_audited(alice, alice_api, alice_tenant):
    id_copy = PersonMaterialFactory(person__tenant=alice_tenant)

    response = alice_api.get(f"{API}/materials/{id_copy.pk}/download/")

    assert response.status_code == 200
    event = AuditEvent.objects.get(action="material.download")
    assert event.actor == alice and event.object_id == str(id_copy.pk)
    assert event.after["channel"] == "api_download"


def test_a_member_downloads_id_documents_only_of_their_own_upload(charlie_api, alice_tenant, alice):
    # GIVEN an ID copy alice uploaded
    id_copy = PersonMaterialFactory(person__tenant=alice_tenant, uploaded_by=alice)

    # WHEN charlie (a member) downloads it, THEN 403 and nothing audited
    response = charlie_api.get(f"{API}/materials/{id_copy.pk}/download/")

    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="material.download").exists()
