"""The OpenAPI schema and its offline Swagger UI."""

from __future__ import annotations

import pytest
import yaml
from django.core.management import call_command


def test_the_schema_of_the_whole_project_validates_without_warnings(tmp_path):
    # WHEN the schema is generated with validation, failing on any warning
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    # THEN it is OpenAPI 3 and carries every customer endpoint with the token scheme
    schema = yaml.safe_load(target.read_text())
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    for path in (
        "/api/v1/entities/",
        "/api/v1/persons/{id}/",
        "/api/v1/websites/",
        "/api/v1/domains/",
        "/api/v1/applications/{id}/submit/",
        "/api/v1/applications/{id}/withdraw/",
        "/api/v1/applications/{id}/resubmit/",
        "/api/v1/materials/{id}/download/",
        "/api/v1/phone-verifications/{id}/check/",
        "/api/v1/cases/",
        "/api/v1/cases/{id}/",
        "/api/v1/cases/{id}/messages/",
        "/api/v1/cases/{id}/reinspect/",
        "/api/v1/tokens/",
    ):
        assert path in paths
    assert schema["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"


@pytest.mark.django_db
def test_the_schema_is_served(client):
    response = client.get("/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"})

    assert response.status_code == 200
    assert "/api/v1/applications/" in response.json()["paths"]


@pytest.mark.django_db
def test_swagger_ui_is_served_from_our_own_static_files(client):
    # WHEN the docs page is opened
    response = client.get("/api/docs/")

    # THEN Swagger UI loads from the sidecar's static files, nothing from another host
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "https://" not in page and "http://" not in page.replace("http://testserver", "")


def test_the_offline_swagger_files_are_installed():
    from django.contrib.staticfiles import finders

    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-standalone-preset.js"):
        found = finders.find(f"drf_spectacular_sidecar/swagger-ui-dist/{name}")
        assert found, name
        with open(found, "rb") as handle:
            assert handle.read(64)
