"""Rectification cases over the customer API: the list, one case in plain words with its
countdown and timeline, the thread with staff, re-inspection; bob never reaches
alice's cases, token scopes and request limits hold, query counts stay fixed."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import timezone

from icpportal.models import AuditEvent
from inspections.enforcement import actions
from inspections.enforcement.cases import open_cases_for_campaign
from inspections.enforcement.trail import record_steps
from inspections.models import Campaign, CampaignStatus, CaseMessage, CaseState
from tests import factories
from tests.api import new_token, token_client
from tests.inspections.cases_helpers import inspected, website_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttles")]
S = CaseState
API = "/api/v1"


@pytest.fixture
def alice_case(alice_tenant):
    website = website_of(alice_tenant, domain="alpha-shop.example.com")
    case = factories.RectificationCaseFactory(website=website, state=S.NOTIFIED)
    factories.CaseFindingFactory(
        case=case,
        rule_code="domain_expiry",
        message="The domain expired on 2026-03-01.",
        evidence={"registrant": {"name": "王五", "id_number": "110105199001011234"}},
    )
    factories.CaseFindingFactory(
        case=case, rule_code="contact_reachability", message="The mobile was never verified."
    )
    return case


def _case_of(tenant, state=S.NOTIFIED, findings: int = 1):
    case = factories.RectificationCaseFactory(website=website_of(tenant), state=state)
    for n in range(findings):
        factories.CaseFindingFactory(case=case, rule_code=f"rule_{n}")
    return case


def _post(client, url: str, body=None, **headers):
    return client.post(url, json.dumps(body or {}), content_type="application/json", **headers)


# ---- the list and one case ------------------------------------------------------------


def test_alice_lists_her_cases_soonest_deadline_first_and_filters_by_state(
    alice_api, alice_tenant, bob_tenant
):
    # GIVEN two open cases and a resolved one of alice's, and one of bob's
    later = _case_of(alice_tenant)
    sooner = _case_of(alice_tenant, state=S.OVERDUE)
    type(sooner).objects.filter(pk=sooner.pk).update(deadline=timezone.now())
    resolved = _case_of(alice_tenant, state=S.RESOLVED)
    _case_of(bob_tenant)

    # WHEN she lists them
    body = alice_api.get(f"{API}/cases/").json()

    # THEN she sees hers only, soonest deadline first, with how many findings fail
    ids = [row["id"] for row in body["results"]]
    assert ids[:2] == [sooner.pk, later.pk] and set(ids) == {sooner.pk, later.pk, resolved.pk}
    assert body["results"][1]["failing"] == 1
    assert body["results"][1]["website"]["id"] == later.website_id
    assert "next" in body and "count" not in body  # a cursor page

    # AND the state and open filters narrow the list
    by_state = alice_api.get(f"{API}/cases/?state=overdue&state=resolved").json()["results"]
    assert {row["id"] for row in by_state} == {sooner.pk, resolved.pk}
    still_open = alice_api.get(f"{API}/cases/?open=true").json()["results"]
    assert {row["id"] for row in still_open} == {sooner.pk, later.pk}
    assert alice_api.get(f"{API}/cases/?state=nonsense").status_code == 400


def test_a_case_reads_in_plain_words_with_fixes_countdown_and_masked_evidence(
    alice_api, alice_case
):
    # WHEN alice opens her case
    response = alice_api.get(f"{API}/cases/{alice_case.pk}/")

    # THEN each failing rule comes with its message, fix text and the page that fixes it
    assert response.status_code == 200
    case = response.json()
    findings = {f["rule_code"]: f for f in case["findings"]}
    expiry = findings["domain_expiry"]
    assert expiry["message"] == "The domain expired on 2026-03-01."
    assert expiry["title"] and expiry["fix_text"]
    assert f"kind=change_website&website={alice_case.website_id}" in expiry["remedy"]["page"]
    assert findings["contact_reachability"]["remedy"]["page"] == "/contacts/"
    # AND the evidence is in "what: value" lines, with the ID number masked
    evidence = {line["label"]: line["value"] for line in expiry["evidence"]}
    assert evidence["registrant › id number"] == "110105********1234"
    assert "110105199001011234" not in response.content.decode()
    # AND the countdown says how long is left and what happens at the deadline
    countdown = case["countdown"]
    assert countdown["passed"] is False and countdown["working_days_left"] >= 1
    assert "access to the website's domains is blocked" in countdown["at_deadline"]
    assert case["may_reinspect"] is True and case["reinspection"] is None


def test_the_timeline_shows_the_customers_steps_without_staff_names(alice_api, alice_case, leo):
    # GIVEN the case was opened, extended by a lead, and held for an approval
    record_steps([alice_case], "case.open", before_state="", after={"state": S.OPEN})
    actions.do_extend_case(alice_case, actor=leo, days=5, reason="The registrar is slow.")
    record_steps([alice_case], "case.hold", after={"hold": "cancel_approval"})

    # WHEN alice reads the case
    timeline = alice_api.get(f"{API}/cases/{alice_case.pk}/").json()["timeline"]

    # THEN she sees the opening and the extension with its reason and new deadline,
    # by "staff" (not leo), and not the staff-only hold
    assert [step["event"] for step in timeline] == ["open", "extend"]
    opened, extended = timeline
    assert opened["by"] == "system" and opened["state"] == S.OPEN
    assert extended["by"] == "staff" and extended["reason"] == "The registrar is slow."
    assert extended["deadline"] is not None
    assert "leo" not in json.dumps(timeline)


def test_a_blocked_case_says_when_access_is_cancelled(alice_api, alice_tenant):
    case = _case_of(alice_tenant, state=S.ACCESS_BLOCKED)
    type(case).objects.filter(pk=case.pk).update(deadline=timezone.now())

    countdown = alice_api.get(f"{API}/cases/{case.pk}/").json()["countdown"]

    assert countdown["passed"] is True
    assert "Otherwise access will be cancelled from" in countdown["at_deadline"]


def test_the_case_reads_in_chinese(alice_api, alice_case):
    response = alice_api.get(f"{API}/cases/{alice_case.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 200
    assert response.json()["state_label"] == "已通知客户"


# ---- the thread with compliance staff ---------------------------------------------------


def test_the_thread_shows_staff_replies_but_never_internal_comments(alice_api, alice_case, rachel):
    # GIVEN a reply of staff and an internal staff comment
    actions.do_post_message(alice_case, author=rachel, body="Please renew the domain.")
    actions.do_post_message(alice_case, author=rachel, body="Looks like a reseller.", internal=True)

    # WHEN alice reads the thread
    thread = alice_api.get(f"{API}/cases/{alice_case.pk}/messages/").json()

    # THEN she sees the reply, from "Compliance staff", and not the internal comment
    assert [m["body"] for m in thread] == ["Please renew the domain."]
    assert thread[0]["from_staff"] is True and thread[0]["author"] == "Compliance staff"


def test_alice_writes_to_staff_and_an_empty_message_saves_nothing(alice, alice_api, alice_case):
    url = f"{API}/cases/{alice_case.pk}/messages/"
    assert _post(alice_api, url, {"body": "   "}).status_code == 400
    assert not CaseMessage.objects.exists()

    response = _post(alice_api, url, {"body": "We renewed the domain."})

    assert response.status_code == 201
    message = CaseMessage.objects.get()
    assert (message.case_id, message.author, message.from_staff, message.internal) == (
        alice_case.pk,
        alice,
        False,
        False,
    )
    assert response.json()["author"] == "alice"
    assert AuditEvent.objects.filter(action="case.message", object_id=str(message.pk)).exists()


def test_a_closed_case_takes_no_more_messages(alice_api, alice_tenant):
    case = _case_of(alice_tenant, state=S.RESOLVED)

    response = _post(alice_api, f"{API}/cases/{case.pk}/messages/", {"body": "Thanks!"})

    assert response.status_code == 409 and response.json()["code"] == "closed"
    assert not CaseMessage.objects.exists()


# ---- re-inspection ------------------------------------------------------------------------


@pytest.fixture
def started(monkeypatch):
    """The campaign's start is observed instead of inspecting over the network."""
    ids: list[int] = []
    monkeypatch.setattr(
        "inspections.campaigns.do_start_campaign",
        lambda campaign, **kwargs: ids.append(campaign.pk),
    )
    return ids


def test_reinspection_runs_the_failing_rules_and_reports_the_result(alice_api, alice_case, started):
    url = f"{API}/cases/{alice_case.pk}/reinspect/"
    # GIVEN no re-inspection yet
    nothing = alice_api.get(url)
    assert nothing.status_code == 404 and nothing.json()["code"] == "no_reinspection"

    # WHEN alice asks for one
    response = _post(alice_api, url)

    # THEN a one-website campaign over the failing rules starts, as from the case page
    assert response.status_code == 202
    alice_case.refresh_from_db()
    assert alice_case.state == S.RE_INSPECTING
    campaign = Campaign.objects.get(pk=alice_case.last_reinspection_id)
    assert started == [campaign.pk]
    assert campaign.scope_website_ids == [alice_case.website_id]
    assert sorted(campaign.rule_codes) == ["contact_reachability", "domain_expiry"]
    assert response.json()["id"] == campaign.pk
    assert response.json()["outcome"] == "running"
    assert AuditEvent.objects.filter(
        action="case.start_reinspection", object_id=str(alice_case.pk)
    ).exists()

    # AND asking again while it runs is refused
    again = _post(alice_api, url)
    assert again.status_code == 409
    assert again.json()["detail"] == "A re-inspection is already running."

    # WHEN the workers find every check passing
    Campaign.objects.filter(pk=campaign.pk).update(
        status=CampaignStatus.FINISHED, finished_at=timezone.now()
    )
    inspected(
        campaign,
        alice_case.website,
        ("domain_expiry", "pass", ""),
        ("contact_reachability", "pass", ""),
    )
    open_cases_for_campaign(campaign.pk)

    # THEN the latest re-inspection says the case is resolved, rule by rule
    result = alice_api.get(url).json()
    assert result["outcome"] == "resolved" and result["status"] == "finished"
    assert {(r["rule_code"], r["status"]) for r in result["results"]} == {
        ("domain_expiry", "pass"),
        ("contact_reachability", "pass"),
    }


def test_a_resolved_case_cannot_be_reinspected(alice_api, alice_tenant, started):
    case = _case_of(alice_tenant, state=S.RESOLVED)

    response = _post(alice_api, f"{API}/cases/{case.pk}/reinspect/")

    assert response.status_code == 409 and response.json()["detail"]
    assert started == [] and not Campaign.objects.exists()


def test_a_case_whose_rules_were_retired_asks_to_write_to_staff(alice_api, alice_tenant, started):
    # GIVEN a case failing only a rule this installation no longer has
    case = _case_of(alice_tenant, findings=1)

    response = _post(alice_api, f"{API}/cases/{case.pk}/reinspect/")

    # THEN a clear refusal, nothing started, the case unchanged
    assert response.status_code == 409
    assert "Write to compliance staff" in response.json()["detail"]
    assert started == [] and not Campaign.objects.exists()
    case.refresh_from_db()
    assert case.state == S.NOTIFIED


def test_writing_and_reinspecting_are_rate_limited(alice_api, alice_case, settings, started):
    # GIVEN at most two steps a minute
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "transitions": "2/minute",
        },
    }
    url = f"{API}/cases/{alice_case.pk}/messages/"
    assert _post(alice_api, url, {"body": "one"}).status_code == 201
    assert _post(alice_api, url, {"body": "two"}).status_code == 201

    # WHEN she sends a third step
    third = _post(alice_api, f"{API}/cases/{alice_case.pk}/reinspect/")

    # THEN it is refused with when to retry; reading still works
    assert third.status_code == 429 and int(third["Retry-After"]) >= 1
    assert started == []
    assert alice_api.get(url).status_code == 200


# ---- tenants, scopes, roles ---------------------------------------------------------------

ENDPOINTS = [
    ("get", "/cases/{id}/"),
    ("get", "/cases/{id}/messages/"),
    ("post", "/cases/{id}/messages/"),
    ("get", "/cases/{id}/reinspect/"),
    ("post", "/cases/{id}/reinspect/"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_bobs_case_answers_404_to_alice_on_every_endpoint(
    alice_api, bob_tenant, method, path, started
):
    # GIVEN bob's case
    theirs = _case_of(bob_tenant)
    before = AuditEvent.objects.count()

    # WHEN alice calls the endpoint with its id
    url = API + path.format(id=theirs.pk)
    response = alice_api.get(url) if method == "get" else _post(alice_api, url, {"body": "hi"})

    # THEN it does not exist for her, and nothing was done
    assert response.status_code == 404
    assert AuditEvent.objects.count() == before
    assert not CaseMessage.objects.exists() and started == []
    theirs.refresh_from_db()
    assert theirs.state == S.NOTIFIED


def test_a_read_token_reads_but_cannot_write_or_reinspect(alice, alice_tenant, alice_case, started):
    reader = token_client(alice, alice_tenant, scopes=("read",))

    assert reader.get(f"{API}/cases/{alice_case.pk}/").status_code == 200
    assert reader.get(f"{API}/cases/{alice_case.pk}/messages/").status_code == 200
    denied = _post(reader, f"{API}/cases/{alice_case.pk}/messages/", {"body": "hi"})
    assert denied.status_code == 403
    assert _post(reader, f"{API}/cases/{alice_case.pk}/reinspect/").status_code == 403
    assert not CaseMessage.objects.exists() and started == []


def test_a_write_only_token_cannot_read(alice, alice_tenant, alice_case):
    writer = token_client(alice, alice_tenant, scopes=("write",))

    assert writer.get(f"{API}/cases/").status_code == 403
    assert writer.get(f"{API}/cases/{alice_case.pk}/").status_code == 403


def test_staff_and_anonymous_callers_are_refused(rachel_client, client, alice_case):
    assert rachel_client.get(f"{API}/cases/").status_code == 403
    assert rachel_client.get(f"{API}/cases/{alice_case.pk}/").status_code == 403
    assert client.get(f"{API}/cases/").status_code == 401


# ---- query counts -------------------------------------------------------------------------


def _api_client(alice, alice_tenant) -> Client:
    secret, _token = new_token(alice, alice_tenant)
    api = Client(headers={"Authorization": f"Bearer {secret}"})
    assert api.get(f"{API}/cases/").status_code == 200  # notes the token's use
    return api


@pytest.mark.parametrize("rows", [3, 20])
def test_the_case_list_costs_the_same_for_3_or_20_cases(
    alice, alice_tenant, django_assert_num_queries, rows
):
    for _ in range(rows):
        _case_of(alice_tenant, findings=2)
    api = _api_client(alice, alice_tenant)

    # token with user, membership with tenant, the page of cases with their counts
    with django_assert_num_queries(3):
        response = api.get(f"{API}/cases/")
    assert len(response.json()["results"]) == rows


@pytest.mark.parametrize("rows", [3, 20])
def test_a_case_and_its_thread_cost_the_same_for_3_or_20_rows(
    alice, alice_tenant, rachel, django_assert_num_queries, rows
):
    # GIVEN a case with many findings, steps, staff replies and a re-inspection
    case = _case_of(alice_tenant, findings=rows)
    campaign = factories.CampaignFactory()
    type(case).objects.filter(pk=case.pk).update(last_reinspection=campaign)
    for n in range(rows):
        record_steps([case], "case.warning", after={"warning": "half_period"})
        actions.do_post_message(case, author=rachel, body=f"Reply {n}")
        factories.RuleResultFactory(campaign=campaign, website=case.website, rule_code=f"r{n}")
    api = _api_client(alice, alice_tenant)

    # token, membership; the case with its website, entity and re-inspection; the
    # calendar's overrides (working days left); findings; timeline; re-inspection results
    with django_assert_num_queries(7):
        detail = api.get(f"{API}/cases/{case.pk}/")
    assert len(detail.json()["findings"]) == rows
    assert len(detail.json()["timeline"]) == rows
    assert len(detail.json()["reinspection"]["results"]) == rows

    # token, membership, the case, the messages with their authors
    with django_assert_num_queries(4):
        thread = api.get(f"{API}/cases/{case.pk}/messages/")
    assert len(thread.json()) == rows
