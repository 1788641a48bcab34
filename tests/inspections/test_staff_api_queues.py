"""The staff API of the queues: cases (list, detail, assignment), triage, findings."""

from __future__ import annotations

import pytest

from icpportal.models import AuditEvent
from inspections.models import CaseState, RectificationCase, TriageDecision
from tests import factories
from tests.inspections.cases_helpers import finished_campaign, website_of
from tests.inspections.queue_fixtures import case_of, days_from_now

pytestmark = pytest.mark.django_db
CASES = "/api/v1/staff/cases/"
TRIAGE = "/api/v1/staff/triage/"
FINDINGS = "/api/v1/staff/findings/"


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_case_list_uses_the_queue_filters_and_sort(leo_client, alice_tenant, bob_tenant):
    a = case_of(alice_tenant, deadline=days_from_now(3), province="530000")
    b = case_of(bob_tenant, deadline=days_from_now(1), rules=("entity_identity",))
    case_of(alice_tenant, state=CaseState.RESOLVED)
    assert ids(leo_client.get(CASES)) == [b.pk, a.pk]
    assert ids(leo_client.get(CASES, {"sort": "-deadline"})) == [a.pk, b.pk]
    assert ids(leo_client.get(CASES, {"province": "530000"})) == [a.pk]
    assert ids(leo_client.get(CASES, {"rule": "entity_identity"})) == [b.pk]
    assert ids(leo_client.get(CASES, {"tenant": alice_tenant.pk})) == [a.pk]
    row = leo_client.get(CASES, {"q": b.website.filing_number}).json()["results"][0]
    assert row["failing"] == 1 and row["failing_rules"] == ["entity_identity"]
    assert row["entity"]["province"] == "110000"
    assert "id_number" not in str(row) and "office_phone" not in str(row)


def test_a_bad_filter_is_a_400(leo_client):
    response = leo_client.get(CASES, {"assignee": "somebody"})
    assert response.status_code == 400
    assert "assignee" in response.json()


def test_the_cursor_walks_every_case_once(leo_client, alice_tenant):
    made = [case_of(alice_tenant, deadline=days_from_now(i)).pk for i in range(7)]
    seen, url = [], f"{CASES}?page_size=3"
    while url:
        body = leo_client.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert seen == made


def test_case_detail_has_the_findings(leo_client, alice_tenant):
    case = case_of(alice_tenant, rules=("domain_expiry", "entity_identity"))
    body = leo_client.get(f"{CASES}{case.pk}/").json()
    assert [f["rule_code"] for f in body["findings"]] == ["domain_expiry", "entity_identity"]


def test_take_assign_unassign(rachel_client, rachel, leo_client, leo, alice_tenant):
    case = case_of(alice_tenant)
    response = rachel_client.post(f"{CASES}{case.pk}/take/")
    assert response.status_code == 200 and response.json()["assignee"]["username"] == "rachel"
    refused = rachel_client.post(f"{CASES}{case.pk}/assign/", {"assignee": leo.pk})
    assert refused.status_code == 403
    assert refused.json() == {"detail": "Only a lead may assign a case to someone else."}
    response = leo_client.post(f"{CASES}{case.pk}/assign/", {"assignee": leo.pk})
    assert response.json()["assignee"]["username"] == "leo"
    refused = rachel_client.post(f"{CASES}{case.pk}/unassign/")
    assert refused.status_code == 403
    assert refused.json() == {"detail": "Only a lead may take a case away from someone else."}
    response = leo_client.post(f"{CASES}{case.pk}/unassign/")
    assert response.json()["assignee"] is None
    actions = list(
        AuditEvent.objects.filter(object_id=str(case.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["case.take", "case.assign", "case.unassign"]


def test_assigning_a_customer_is_refused(leo_client, alice, alice_tenant):
    case = case_of(alice_tenant)
    response = leo_client.post(f"{CASES}{case.pk}/assign/", {"assignee": alice.pk})
    assert response.status_code == 400
    assert RectificationCase.objects.get(pk=case.pk).assignee is None


def test_triage_list_and_decide(leo_client, alice_tenant):
    website = website_of(alice_tenant)
    result = factories.RuleResultFactory(
        campaign=finished_campaign(), website=website, status="cannot_tell"
    )
    assert ids(leo_client.get(TRIAGE, {"rule": "domain_expiry"})) == [result.pk]
    refused = leo_client.post(f"{TRIAGE}{result.pk}/decide/", {"outcome": "accept_pass"})
    assert refused.status_code == 400 and "reason" in refused.json()
    response = leo_client.post(f"{TRIAGE}{result.pk}/decide/", {"outcome": "confirm_failure"})
    assert response.status_code == 201
    case = RectificationCase.objects.get(website=website)
    assert response.json()["case"] == case.pk
    assert TriageDecision.objects.get().outcome == "confirm_failure"
    assert ids(leo_client.get(TRIAGE)) == []
    again = leo_client.post(f"{TRIAGE}{result.pk}/decide/", {"outcome": "confirm_failure"})
    assert again.status_code == 404


def test_findings_list(leo_client, alice_tenant):
    case = case_of(alice_tenant, rules=("domain_expiry", "entity_identity"))
    body = leo_client.get(FINDINGS, {"rule": "entity_identity"}).json()
    assert [(f["case"], f["rule_code"]) for f in body["results"]] == [(case.pk, "entity_identity")]


@pytest.mark.parametrize("rows", [3, 30])
@pytest.mark.parametrize("url", [CASES, TRIAGE, FINDINGS])
def test_lists_cost_the_same_queries_at_any_size(
    leo_client, alice_tenant, rows, url, django_assert_max_num_queries
):
    for i in range(rows):
        case = case_of(alice_tenant, deadline=days_from_now(i))
        factories.RuleResultFactory(website=case.website, status="cannot_tell")
    with django_assert_max_num_queries(6):
        response = leo_client.get(url)
    assert len(response.json()["results"]) == rows


def test_detail_and_actions_cost_few_queries(
    leo_client, alice_tenant, django_assert_max_num_queries
):
    case = case_of(alice_tenant, rules=("domain_expiry", "entity_identity"))
    with django_assert_max_num_queries(6):
        assert leo_client.get(f"{CASES}{case.pk}/").status_code == 200


@pytest.mark.parametrize(
    "method,url",
    [
        ("get", CASES),
        ("get", "{cases}{case}/"),
        ("post", "{cases}{case}/take/"),
        ("post", "{cases}{case}/assign/"),
        ("post", "{cases}{case}/unassign/"),
        ("get", TRIAGE),
        ("post", "{triage}{result}/decide/"),
        ("get", FINDINGS),
    ],
)
def test_customers_get_403_on_every_staff_endpoint(alice_client, bob_tenant, method, url):
    case = case_of(bob_tenant)
    result = factories.RuleResultFactory(website=case.website, status="cannot_tell")
    url = url.format(cases=CASES, triage=TRIAGE, case=case.pk, result=result.pk)
    response = getattr(alice_client, method)(url, {"outcome": "confirm_failure"})
    assert response.status_code == 403
    assert not TriageDecision.objects.exists()
    assert RectificationCase.objects.get(pk=case.pk).assignee is None
