"""The staff case page: each finding's evidence in full (DNS answers per resolver,
registrant data, the documents judged), the rule version and input hash behind it,
internal comments apart from the customer's thread, only the steps the state allows,
and a query count that does not grow with findings or messages."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inspections.models import CaseState
from tests import factories
from tests.clients import staff_client
from tests.inspections.cases_helpers import website_of

pytestmark = pytest.mark.django_db
S = CaseState

DNS_EVIDENCE = {
    "names": {
        "alpha-shop.example.com": {
            "status": "ok",
            "addresses": [{"ip": "203.0.113.9", "ttl": 300, "verdict": "foreign", "network": None}],
            "cname_chain": [],
            "disagreement": True,
            "answers_by_resolver": {
                "223.5.5.5": {
                    "status": "ok",
                    "addresses": [{"ip": "203.0.113.9", "ttl": 300}],
                    "ttl": 300,
                    "at": "2026-12-01T10:00:00+00:00",
                },
                "119.29.29.29": {
                    "status": "ok",
                    "addresses": [{"ip": "198.51.100.7", "ttl": 60}],
                    "ttl": 60,
                    "at": "2026-12-01T10:00:01+00:00",
                },
            },
        }
    },
    "disagreements": ["alpha-shop.example.com"],
    "provider_networks": 4,
}
REGISTRANT_EVIDENCE = {
    "entity_name": "Alpha Tech",
    "individual": False,
    "domains": [
        {
            "name": "alpha-shop.example.com",
            "source": "rdap",
            "registrant_name": "Zhang San",
            "entity_name": "Alpha Tech",
            "names_match": False,
            "id_compared": False,
            "id_match": None,
            "real_name_status": "verified",
            "trail": [{"source": "rdap", "status": "ok", "answer": "Zhang San"}],
        }
    ],
}


@pytest.fixture
def case(alice_tenant):
    website = website_of(alice_tenant, domain="alpha-shop.example.com")
    return factories.RectificationCaseFactory(website=website, state=S.NOTIFIED)


def finding(case, rule_code, evidence, **result):
    rule_result = factories.RuleResultFactory(
        website=case.website, rule_code=rule_code, evidence=evidence, **result
    )
    return factories.CaseFindingFactory(
        case=case, rule_code=rule_code, evidence=evidence, result=rule_result
    )


def test_staff_see_dns_answers_per_resolver_with_the_rule_version_and_input_hash(
    rachel_client, case
):
    finding(case, "dns_ip_ownership", DNS_EVIDENCE, rule_version=3, input_hash="ab" * 32)

    body = rachel_client.get(reverse("staff-case-detail", args=[case.pk])).content.decode()

    assert "DNS answers" in body
    assert "223.5.5.5" in body and "119.29.29.29" in body
    assert "203.0.113.9 (TTL 300)" in body and "198.51.100.7 (TTL 60)" in body
    asked = datetime.fromisoformat("2026-12-01T10:00:01+00:00")
    assert timezone.localtime(asked).strftime("%Y-%m-%d %H:%M:%S") in body
    assert "resolvers disagree" in body
    assert "Rule version 3" in body
    assert "ab" * 32 in body  # the full hash, in the title of its short form


def test_staff_see_registrant_data_and_the_documents_judged(rachel_client, case, bob_tenant):
    finding(case, "domain_owner", REGISTRANT_EVIDENCE)
    form = factories.WebsiteMaterialFactory(website=case.website)
    others = factories.WebsiteMaterialFactory(website=website_of(bob_tenant))
    finding(
        case,
        "required_materials",
        {"materials": [{"id": form.pk, "kind": form.kind}, {"id": others.pk}]},
    )

    body = rachel_client.get(reverse("staff-case-detail", args=[case.pk])).content.decode()

    assert "Registrant data" in body
    assert "Zhang San" in body
    assert reverse("staff-material", args=[form.pk]) in body
    # Another customer's document named in the evidence is never linked from this case.
    assert reverse("staff-material", args=[others.pk]) not in body


def test_internal_comments_are_apart_and_never_on_the_customer_page(
    rachel_client, alice_client, case, rachel
):
    factories.CaseMessageFactory(case=case, body="Customer says renewed.")
    factories.CaseMessageFactory(
        case=case, author=rachel, from_staff=True, internal=True, body="Registrar is slow."
    )

    staff_page = rachel_client.get(reverse("staff-case-detail", args=[case.pk])).content.decode()
    customer_page = alice_client.get(reverse("case-detail", args=[case.pk])).content.decode()

    internal = staff_page.split('id="internal-heading"')[1].split('id="history-heading"')[0]
    assert "Registrar is slow." in internal
    thread = staff_page.split('id="thread-heading"')[1].split('id="internal-heading"')[0]
    assert "Customer says renewed." in thread and "Registrar is slow." not in thread
    assert "Customer says renewed." in customer_page
    assert "Registrar is slow." not in customer_page


def test_a_reviewer_sees_extend_and_close_but_no_lead_steps(rachel_client, case):
    factories.CaseFindingFactory(case=case)
    body = rachel_client.get(reverse("staff-case-detail", args=[case.pk])).content.decode()
    assert reverse("staff-case-extend", args=[case.pk]) in body
    assert reverse("staff-case-close", args=[case.pk]) in body
    assert reverse("staff-case-waive", args=[case.pk]) not in body
    assert reverse("staff-case-lift", args=[case.pk]) not in body
    assert reverse("staff-case-approve-cancel", args=[case.pk]) not in body


def test_a_lead_waives_on_an_open_case_but_nothing_is_offered_on_a_closed_one(
    leo_client, case, alice_tenant
):
    factories.CaseFindingFactory(case=case)
    open_page = leo_client.get(reverse("staff-case-detail", args=[case.pk])).content.decode()
    assert reverse("staff-case-waive", args=[case.pk]) in open_page

    closed = factories.RectificationCaseFactory(website=website_of(alice_tenant), state=S.RESOLVED)
    factories.CaseFindingFactory(case=closed, status="passed")
    page = leo_client.get(reverse("staff-case-detail", args=[closed.pk])).content.decode()
    for name in ("extend", "close", "waive", "lift", "approve-cancel"):
        assert reverse(f"staff-case-{name}", args=[closed.pk]) not in page


def test_a_blocked_case_offers_lifting_and_cancelling_by_two_leads(
    leo_client, leo, alice_tenant, settings
):
    settings.ENFORCEMENT_FOUR_EYES = True
    blocked = factories.RectificationCaseFactory(
        website=website_of(alice_tenant), state=S.ACCESS_BLOCKED, blocked_at=timezone.now()
    )
    page = leo_client.get(reverse("staff-case-detail", args=[blocked.pk])).content.decode()
    assert reverse("staff-case-lift", args=[blocked.pk]) in page
    assert "Propose cancelling access" in page

    # GIVEN leo proposed it
    type(blocked).objects.filter(pk=blocked.pk).update(
        cancel_requested_by=leo, cancel_requested_at=timezone.now()
    )
    own = leo_client.get(reverse("staff-case-detail", args=[blocked.pk])).content.decode()
    assert "another lead must approve" in own
    assert reverse("staff-case-approve-cancel", args=[blocked.pk]) not in own

    # THEN a second lead is offered the approval
    lena = factories.StaffProfileFactory(user=factories.UserFactory(username="lena"), role="lead")
    second = staff_client(lena.user).get(reverse("staff-case-detail", args=[blocked.pk]))
    assert "Approve cancelling access" in second.content.decode()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_page_costs_the_same_queries_with_more_findings_and_messages(
    rachel_client, case, rachel, django_assert_max_num_queries
):
    url = reverse("staff-case-detail", args=[case.pk])
    finding(case, "dns_ip_ownership", DNS_EVIDENCE)
    factories.CaseMessageFactory(case=case)
    few = _queries(rachel_client, url)

    for code in ("domain_owner", "domain_expiry", "contact_reachability", "entity_identity"):
        finding(case, code, REGISTRANT_EVIDENCE)
    material = factories.WebsiteMaterialFactory(website=case.website)
    finding(case, "required_materials", {"materials": [{"id": material.pk}]})
    for n in range(6):
        factories.CaseMessageFactory(case=case, internal=bool(n % 2), author=rachel)

    with django_assert_max_num_queries(few + 1):  # + the documents judged, read at once
        response = rachel_client.get(url)
    assert response.status_code == 200
    # session, user, second factor, staff role, case, findings with their results,
    # messages, timeline, assignment's staff list, calendar, notifications badge…
    assert few <= 14


def test_the_history_shows_every_step_and_each_waiver(leo_client, case):
    expiry = factories.CaseFindingFactory(case=case, rule_code="domain_expiry")
    factories.CaseFindingFactory(case=case, rule_code="contact_reachability")
    leo_client.post(
        reverse("staff-case-extend", args=[case.pk]), {"days": 3, "reason": "Registrar outage"}
    )
    leo_client.post(
        reverse("staff-case-waive", args=[case.pk]),
        {"finding": expiry.pk, "reason": "Renewal confirmed"},
    )

    body = leo_client.get(reverse("staff-case-detail", args=[case.pk])).content.decode()
    history = body.split('id="history-heading"')[1]

    assert "case.extend" in history and "Registrar outage" in history
    assert "case.waive_finding" in history and "Renewal confirmed" in history
    assert history.index("case.extend") < history.index("case.waive_finding")
