"""The triage queue and its decisions: accept as pass, confirm as failure, re-check."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from icpportal.models import AuditEvent
from inspections.enforcement.actions import CaseActionError
from inspections.enforcement.triage import do_accept_as_pass, do_confirm_failure
from inspections.models import (
    Campaign,
    CaseFinding,
    RectificationCase,
    RuleResult,
    TriageDecision,
)
from tests import factories
from tests.inspections.cases_helpers import finished_campaign, website_of

pytestmark = pytest.mark.django_db
URL = "/staff/triage/"


def cannot_tell(website, rule="domain_owner", campaign=None, **kwargs):
    return factories.RuleResultFactory(
        campaign=campaign or finished_campaign(),
        website=website,
        rule_code=rule,
        status="cannot_tell",
        severity="blocking",
        message=f"{rule}: the registry did not answer",
        **kwargs,
    )


def listed(client, **params) -> list[int]:
    response = client.get(URL, params)
    assert response.status_code == 200
    return [result.pk for result, _title in response.context["rows"]]


def test_the_queue_holds_each_websites_latest_untriaged_cannot_tell(leo_client, leo, alice_tenant):
    website = website_of(alice_tenant)
    old = cannot_tell(website)
    latest = cannot_tell(website)
    RuleResult.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=3)
    )
    passed_later = cannot_tell(website_of(alice_tenant), rule="domain_expiry")
    factories.RuleResultFactory(
        website=passed_later.website, rule_code="domain_expiry", status="pass"
    )
    decided = cannot_tell(website_of(alice_tenant))
    do_accept_as_pass(decided, actor=leo, reason="checked by phone")
    factories.RuleResultFactory(website=website_of(alice_tenant), status="fail")
    assert listed(leo_client) == [latest.pk]


def test_filters_and_search(leo_client, alice_tenant, bob_tenant):
    yunnan = website_of(alice_tenant, entity__province_id="530000", entity__name="张三")
    a = cannot_tell(yunnan, rule="domain_owner")
    campaign = finished_campaign()
    b = cannot_tell(website_of(bob_tenant), rule="entity_identity", campaign=campaign)
    assert listed(leo_client, rule="entity_identity") == [b.pk]
    assert listed(leo_client, province="530000") == [a.pk]
    assert listed(leo_client, tenant=bob_tenant.pk) == [b.pk]
    assert listed(leo_client, campaign=campaign.pk) == [b.pk]
    assert listed(leo_client, q="张三") == [a.pk]
    assert listed(leo_client, q=f"site{yunnan.pk}.example") == [a.pk]


def test_accept_as_pass_needs_a_reason_and_opens_no_case(leo_client, leo, alice_tenant):
    result = cannot_tell(website_of(alice_tenant))
    leo_client.post(f"{URL}{result.pk}/decide/", {"outcome": "accept_pass", "reason": " "})
    assert not TriageDecision.objects.exists()
    response = leo_client.post(
        f"{URL}{result.pk}/decide/", {"outcome": "accept_pass", "reason": "owner confirmed"}
    )
    assert response.status_code == 302
    decision = TriageDecision.objects.get()
    assert (decision.outcome, decision.decided_by, decision.reason) == (
        "accept_pass",
        leo,
        "owner confirmed",
    )
    assert not RectificationCase.objects.exists()
    event = AuditEvent.objects.get(action="triage.accept_pass")
    assert event.actor == leo and event.reason == "owner confirmed"
    assert listed(leo_client) == []


def test_confirm_as_failure_opens_exactly_one_case(leo_client, leo, alice_tenant):
    website = website_of(alice_tenant)
    first = cannot_tell(website, rule="domain_owner")
    second = cannot_tell(website, rule="entity_identity")
    leo_client.post(f"{URL}{first.pk}/decide/", {"outcome": "confirm_failure"})
    do_confirm_failure(second, actor=leo)
    case = RectificationCase.objects.get()
    assert case.website == website
    assert set(CaseFinding.objects.values_list("rule_code", flat=True)) == {
        "domain_owner",
        "entity_identity",
    }
    assert set(TriageDecision.objects.values_list("case", flat=True)) == {case.pk}
    assert AuditEvent.objects.filter(action="triage.confirm_failure").count() == 2
    assert AuditEvent.objects.filter(action="case.open").count() == 1


def test_a_result_is_decided_once(leo, rachel, alice_tenant):
    result = cannot_tell(website_of(alice_tenant))
    do_confirm_failure(result, actor=leo)
    with pytest.raises(CaseActionError):
        do_accept_as_pass(result, actor=rachel, reason="no")
    assert TriageDecision.objects.count() == 1


def test_confirm_on_a_website_no_longer_filed_saves_nothing(leo, alice_tenant):
    website = website_of(alice_tenant, filing_state="deregistered")
    result = cannot_tell(website)
    with pytest.raises(CaseActionError):
        do_confirm_failure(result, actor=leo)
    assert not TriageDecision.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="triage.").exists()


def test_recheck_runs_the_rule_again_on_that_website(
    leo_client, leo, alice_tenant, django_capture_on_commit_callbacks
):
    result = cannot_tell(website_of(alice_tenant), rule="domain_owner")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        leo_client.post(f"{URL}{result.pk}/decide/", {"outcome": "recheck"})
    decision = TriageDecision.objects.get()
    campaign = Campaign.objects.get(pk=decision.recheck_id)
    assert campaign.scope == "websites"
    assert campaign.scope_website_ids == [result.website_id]
    assert campaign.rule_codes == ["domain_owner"]
    assert campaign.status == "running"
    assert callbacks, "the campaign's start task is queued when the decision commits"
    assert AuditEvent.objects.filter(action="triage.recheck", actor=leo).exists()
    assert not RectificationCase.objects.exists()


@pytest.mark.parametrize("rows", [3, 30])
def test_triage_queue_queries_do_not_grow(
    leo_client, alice_tenant, rows, django_assert_max_num_queries
):
    for _ in range(rows):
        cannot_tell(website_of(alice_tenant))
    leo_client.get(URL)  # fills the cached province choices
    # 3 for the session, user and second factor; the page ids, rows and the layout's
    # unread count. The filter choices come from the cache.
    with django_assert_max_num_queries(6):
        response = leo_client.get(URL)
    assert len(response.context["rows"]) == rows


def test_triage_csv(leo_client, alice_tenant):
    result = cannot_tell(website_of(alice_tenant), rule="entity_identity")
    result.message = "身份证 110105198001010015 与登记不符，电话 13800138000"
    result.save()
    response = leo_client.get(URL, {"format": "csv", "rule": "entity_identity"})
    body = b"".join(response.streaming_content).decode()
    assert body.startswith("\ufeff")
    assert "110105198001010015" not in body and "13800138000" not in body
    assert "110105********0015" in body and "138****8000" in body


def test_customers_cannot_decide(alice_client, bob_tenant):
    result = cannot_tell(website_of(bob_tenant))
    response = alice_client.post(f"{URL}{result.pk}/decide/", {"outcome": "confirm_failure"})
    assert response.status_code == 403
    assert not TriageDecision.objects.exists()
