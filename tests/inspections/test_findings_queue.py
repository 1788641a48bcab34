"""The staff findings queue: failing rules across cases, filtered and exported."""

from __future__ import annotations

import pytest

from inspections.models import FindingStatus
from tests import factories
from tests.inspections.queue_fixtures import case_of

pytestmark = pytest.mark.django_db
URL = "/staff/findings/"


def listed(client, **params) -> list[int]:
    response = client.get(URL, params)
    assert response.status_code == 200
    return [finding.pk for finding in response.context["page_obj"].rows]


def test_filters_status_rule_severity_place_customer_and_search(
    leo_client, alice_tenant, bob_tenant
):
    alices = case_of(alice_tenant, rules=(), entity_name="张三", province="530000")
    expiry = factories.CaseFindingFactory(case=alices, rule_code="domain_expiry")
    warning = factories.CaseFindingFactory(
        case=alices, rule_code="contact_reachability", severity="warning"
    )
    bobs = case_of(bob_tenant, rules=())
    waived = factories.CaseFindingFactory(
        case=bobs, rule_code="domain_expiry", status=FindingStatus.WAIVED
    )
    assert set(listed(leo_client)) == {expiry.pk, warning.pk}
    assert listed(leo_client, status="waived") == [waived.pk]
    assert set(listed(leo_client, status="all", rule="domain_expiry")) == {expiry.pk, waived.pk}
    assert listed(leo_client, severity="warning") == [warning.pk]
    assert set(listed(leo_client, province="530000")) == {expiry.pk, warning.pk}
    assert listed(leo_client, status="all", tenant=bob_tenant.pk) == [waived.pk]
    assert set(listed(leo_client, q="张三")) == {expiry.pk, warning.pk}


@pytest.mark.parametrize("rows", [3, 30])
def test_findings_queue_queries_do_not_grow(
    leo_client, alice_tenant, rows, django_assert_max_num_queries
):
    for _ in range(rows):
        case_of(alice_tenant)
    leo_client.get(URL)  # fills the cached province choices
    # 3 for the session, user and second factor; the page ids, rows and the layout's
    # unread count. The filter choices come from the cache.
    with django_assert_max_num_queries(6):
        response = leo_client.get(URL)
    assert len(response.context["page_obj"].rows) == rows


def test_findings_csv_streams_the_filtered_rows(leo_client, alice_tenant):
    wanted = case_of(alice_tenant, rules=("entity_identity",))
    case_of(alice_tenant, rules=("domain_expiry",))
    response = leo_client.get(URL, {"format": "csv", "rule": "entity_identity"})
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].lstrip("\ufeff").startswith("Finding,Case,Rule")
    assert len(lines) == 2 and f",{wanted.pk},entity_identity," in lines[1]
