"""Actors shared by every test: alice and bob are customers of two different tenants,
rachel is a compliance reviewer and leo a compliance lead."""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.core.cache import cache

from tests.api import token_client
from tests.clients import customer_client, staff_client
from tests.factories import MembershipFactory, StaffProfileFactory, TenantFactory, UserFactory
from tests.services import IN_CI

PASSWORD = "correct horse battery staple"


def pytest_configure(config):
    engine = settings.DATABASES["default"]["ENGINE"]
    if IN_CI and "postgresql" not in engine:
        raise pytest.UsageError(
            f"CI runs the suite on PostgreSQL: set ICP_DATABASE_URL=postgres://… (got {engine})."
        )
    _redis_database_per_process()


def _redis_database_per_process():
    """Each pytest-xdist process gets a Redis database of its own (the given one, then
    the ones below it), so one process's cache flush or throttle counter never reaches
    another's tests. Worker processes started by tests inherit it through the
    environment."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw") or not settings.REDIS_URL:
        return
    shared = settings.REDIS_URL
    parts = urlsplit(shared)
    base = int(parts.path.lstrip("/") or 0)
    own = urlunsplit(parts._replace(path=f"/{(base - int(worker[2:])) % 16}"))
    settings.REDIS_URL = own
    settings.CACHES["default"]["LOCATION"] = own
    settings.CELERY_BROKER_URL = settings.CELERY_RESULT_BACKEND = own
    if shared == settings.GATE_REDIS_URL:
        settings.GATE_REDIS_URL = own
    for name in ("ICP_REDIS_URL", "ICP_GATE_REDIS_URL"):
        if os.environ.get(name) == shared:
            os.environ[name] = own

    from icpportal.celery import app

    app.conf.broker_url = app.conf.result_backend = own


def pytest_collection_modifyitems(config, items):
    """Browser journeys run last: they are the slowest and hold an event loop."""
    items.sort(key=lambda item: "tests/e2e/" in str(item.fspath))


@pytest.fixture(scope="session", autouse=True)
def _celery_runs_tasks_in_process():
    """Tasks queued by code under test run at once, in process; tests of the worker
    itself start a real worker process instead."""
    from icpportal.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _english_unless_asked(settings):
    """Tests read English; a test about Chinese pages asks for zh-hans explicitly."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _sms_in_memory(settings):
    """SMS go to notifications.sms.locmem.outbox unless a test picks another backend."""
    from notifications.sms import locmem

    settings.SMS_BACKEND = "locmem"
    locmem.clear()
    yield
    locmem.clear()


@pytest.fixture(autouse=True)
def _reference_data_after_flush(request):
    """Transactional tests flush every table, the provinces of the data migration
    included: put the reference data back for them."""
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and (
        marker.kwargs.get("transaction") or (len(marker.args) > 0 and marker.args[0])
    )
    if transactional or "live_server" in request.fixturenames:
        request.getfixturevalue("transactional_db")
        from filings.reference_data import load_reference_data

        load_reference_data()


@pytest.fixture
def alice_tenant(db):
    return TenantFactory(name="Alpha Tech", slug="alpha")


@pytest.fixture
def bob_tenant(db):
    return TenantFactory(name="Beta Media", slug="beta")


@pytest.fixture
def alice(alice_tenant):
    user = UserFactory(username="alice")
    MembershipFactory(user=user, tenant=alice_tenant, role="owner")
    return user


@pytest.fixture
def bob(bob_tenant):
    user = UserFactory(username="bob")
    MembershipFactory(user=user, tenant=bob_tenant, role="owner")
    return user


@pytest.fixture
def rachel(db):
    return StaffProfileFactory(
        user=UserFactory(username="rachel", is_staff=True), role="reviewer"
    ).user


@pytest.fixture
def leo(db):
    return StaffProfileFactory(user=UserFactory(username="leo", is_staff=True), role="lead").user


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def bob_client(bob):
    """Its own client: a test may use alice_client and bob_client side by side."""
    return customer_client(bob)


@pytest.fixture
def rachel_client(rachel):
    """A reviewer's session, as staff pages require it."""
    return staff_client(rachel)


@pytest.fixture
def leo_client(leo):
    """A lead's session, as staff pages require it."""
    return staff_client(leo)


@pytest.fixture
def alice_api(alice, alice_tenant):
    """A client of alice's with an API token (read and write) and no session."""
    return token_client(alice, alice_tenant)


@pytest.fixture
def fresh_throttles():
    """API request counters start at zero (they live in the cache)."""
    cache.clear()
