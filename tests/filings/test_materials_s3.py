"""Materials with ``ICP_STORAGE=s3``: the same uploads, downloads and jobs, through the
S3 API of moto's server on loopback (a real HTTP S3 endpoint, no AWS account)."""

from __future__ import annotations

import hashlib
import runpy
import uuid

import boto3
import pytest
from botocore.exceptions import ClientError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from moto.server import ThreadedMotoServer
from storages.backends.s3 import S3Storage

from filings.materials.actions import do_replace_material, do_upload_material
from filings.models import Material
from filings.tasks.materials import check_material_integrity
from icpportal import settings as portal_settings
from tests.clients import staff_client
from tests.factories import PDF_BYTES, ApplicationFactory, first_filing_payload, image_bytes

pytestmark = pytest.mark.django_db

ACCESS_KEY, SECRET_KEY, REGION = "testing", "testing", "us-east-1"


@pytest.fixture(scope="module")
def s3_endpoint():
    """moto's S3 server on 127.0.0.1 at a free port, for the tests of this module."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings, monkeypatch):
    """A fresh private bucket, and the portal's own S3 settings pointed at it."""
    name = f"icp-materials-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    client.create_bucket(Bucket=name)
    # Read STORAGES the way production does: the settings module under ICP_STORAGE=s3.
    for variable, value in {
        "ICP_STORAGE": "s3",
        "ICP_S3_BUCKET": name,
        "ICP_S3_ENDPOINT_URL": s3_endpoint,
        "ICP_S3_REGION": REGION,
        "ICP_S3_ACCESS_KEY_ID": ACCESS_KEY,
        "ICP_S3_SECRET_ACCESS_KEY": SECRET_KEY,
    }.items():
        monkeypatch.setenv(variable, value)
    production_storages = runpy.run_path(portal_settings.__file__)["STORAGES"]
    # Changing STORAGES resets django.core.files.storage.storages and default_storage
    # (Django's setting_changed handler), so Material.file now writes to S3.
    settings.STORAGES = {**settings.STORAGES, "default": production_storages["default"]}
    assert default_storage.bucket_name == name
    assert isinstance(default_storage._wrapped, S3Storage)
    yield client, name
    listed = client.list_objects_v2(Bucket=name).get("Contents", [])
    for item in listed:
        client.delete_object(Bucket=name, Key=item["Key"])
    client.delete_bucket(Bucket=name)


@pytest.fixture
def draft(alice, alice_tenant):
    return ApplicationFactory(
        tenant=alice_tenant, created_by=alice, payload=first_filing_payload(7)
    )


def test_upload_and_download_round_trip_through_s3(alice_client, draft, bucket):
    client, name = bucket
    # WHEN alice uploads a PDF through the page
    upload = SimpleUploadedFile("营业执照.pdf", PDF_BYTES, content_type="application/pdf")
    response = alice_client.post(
        reverse("application-materials", args=[draft.pk]),
        {"kind": "entity_certificate", "file": upload},
    )
    assert response.status_code == 302
    material = Material.objects.get(application=draft)
    # THEN the object was PUT into the bucket under the random name, privately
    stored = client.get_object(Bucket=name, Key=material.file.name)
    assert stored["Body"].read() == PDF_BYTES
    grants = client.get_object_acl(Bucket=name, Key=material.file.name)["Grants"]
    assert all("AllUsers" not in str(grant.get("Grantee", {})) for grant in grants)
    assert material.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    # AND the download GETs it back, streamed, as an attachment
    response = alice_client.get(reverse("material-download", args=[material.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Length"] == str(len(PDF_BYTES))
    assert response["Content-Disposition"].startswith("attachment; ")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_staff_see_an_s3_image_inline(client, rachel, alice, draft, bucket):
    png = image_bytes("PNG")
    material = do_upload_material(
        draft, "verification_photo", ContentFile(png, name="photo.png"), actor=alice
    ).material
    staff_client(rachel, client)
    response = client.get(reverse("staff-material-image", args=[material.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == png
    assert response["Content-Security-Policy"] == "sandbox"


def test_replacing_deletes_the_old_object_from_the_bucket(
    alice, draft, bucket, django_capture_on_commit_callbacks
):
    client, name = bucket
    material = do_upload_material(
        draft, "entity_certificate", ContentFile(PDF_BYTES, name="a.pdf"), actor=alice
    ).material
    old_key = material.file.name
    with django_capture_on_commit_callbacks(execute=True):
        result = do_replace_material(
            material, actor=alice, upload=ContentFile(image_bytes("JPEG"), name="b.jpg")
        )
    assert result.ok
    with pytest.raises(ClientError):
        client.head_object(Bucket=name, Key=old_key)
    assert client.head_object(Bucket=name, Key=material.file.name)["ContentLength"] > 0


def test_integrity_job_reads_s3_and_flags_a_changed_object(alice, draft, bucket):
    client, name = bucket
    good = do_upload_material(
        draft, "entity_certificate", ContentFile(PDF_BYTES, name="a.pdf"), actor=alice
    ).material
    bad = do_upload_material(
        draft, "domain_certificate", ContentFile(PDF_BYTES, name="b.pdf"), actor=alice
    ).material
    client.put_object(Bucket=name, Key=bad.file.name, Body=PDF_BYTES + b"% changed\n")
    assert check_material_integrity() == {"passed": 1, "failed": 1, "skipped": 0}
    good.refresh_from_db(), bad.refresh_from_db()
    assert (good.integrity_ok, bad.integrity_ok) == (True, False)
