"""schemathesis against the API's own OpenAPI schema, on a seeded database: whatever a
client sends, in the documented shapes or not, the API never answers with a 5xx.

Each generated request is sent twice: as generated (ids are mostly nobody's), and with
its path id replaced by a seeded row of alice's, so the endpoints also meet real rows.
The examples per operation are bounded (``API_FUZZ_EXAMPLES``, default 5).
"""

from __future__ import annotations

import json
import os

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error

from inspections.rules import default_registry
from tests.api import new_token
from tests.factories import (
    ApplicationFactory,
    ApplicationMaterialFactory,
    CaseFindingFactory,
    DomainFactory,
    EntityFactory,
    PersonMaterialFactory,
    PhoneVerificationFactory,
    RectificationCaseFactory,
    WebsiteFactory,
    first_filing_payload,
)

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "5"))


def _generated_schema() -> dict:
    """The schema /api/schema/ serves, generated in process."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


schema = schemathesis.openapi.from_dict(_generated_schema())


@pytest.fixture
def seeded(alice, alice_tenant, bob, bob_tenant, settings, tmp_path, monkeypatch):
    """Alice's and bob's filings, and alice's token; files in a fresh folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }
    monkeypatch.setattr(default_registry, "_rules", {})
    rows = {}
    for tenant, user in ((bob_tenant, bob), (alice_tenant, alice)):
        entity = EntityFactory(tenant=tenant)
        website = WebsiteFactory(entity=entity)
        application = ApplicationFactory(
            tenant=tenant, created_by=user, payload=first_filing_payload(entity.pk)
        )
        rows = {
            "entities": entity,
            "persons": entity.head,
            "websites": website,
            "domains": DomainFactory(website=website),
            "applications": application,
            "materials": ApplicationMaterialFactory(application=application, uploaded_by=user),
            "phone-verifications": PhoneVerificationFactory(person=entity.head, created_by=user),
            "cases": RectificationCaseFactory(website=website),
        }
        CaseFindingFactory(case=rows["cases"])
        PersonMaterialFactory(person=entity.head, uploaded_by=user)
    secret, _token = new_token(alice, alice_tenant)
    # A token of hers the fuzzer may revoke without locking itself out.
    _spare_secret, rows["tokens"] = new_token(alice, alice_tenant, name="spare")
    return secret, {name: row.pk for name, row in rows.items()}


@pytest.fixture
def wsgi_app(db, settings):
    """The real WSGI application, with generous rates and the test's own connection."""
    settings.ALLOWED_HOSTS = ["*"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            name: "100000/minute" for name in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
        },
    }
    cache.clear()
    # The handler closes the database connection after each request; the test keeps it,
    # with its transaction, as Django's test client does.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _resource(path: str) -> str:
    # "/api/v1/applications/{id}/submit/" → "applications"; "/api/v1/staff/…" → "staff"
    return path.split("/")[3]


@pytest.mark.django_db
@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_request_makes_the_api_fail(case, seeded, wsgi_app):
    secret, ids = seeded
    headers = {"Authorization": f"Bearer {secret}"}

    # WHEN the generated request is sent, THEN no 5xx
    response = case.call(app=wsgi_app, headers=headers)
    case.validate_response(response, checks=[not_a_server_error], headers=headers)

    # WHEN it is sent about one of alice's own rows, THEN no 5xx either (the staff
    # endpoints have no row of hers: the request above already met their 403)
    if "id" in (case.path_parameters or {}) and _resource(case.path) in ids:
        case.path_parameters["id"] = ids[_resource(case.path)]
        response = case.call(app=wsgi_app, headers=headers)
        case.validate_response(response, checks=[not_a_server_error], headers=headers)
