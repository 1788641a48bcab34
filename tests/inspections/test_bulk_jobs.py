"""Bulk steps on rectification cases: each step through its action, ticked cases or the
whole filtered queue, waiving for leads only (asked and run), reasons required, a
repeated request or run doing nothing twice, progress and failures counted."""

from __future__ import annotations

import pytest
from django.urls import reverse

from icpportal.models import AuditEvent, BulkJob, BulkJobItem, StaffProfile
from inspections.bulk.jobs import do_create_bulk_job
from inspections.bulk.steps import handle_case
from inspections.bulk.tasks import run_bulk_job
from inspections.models import Campaign, CaseFinding, CaseState, FindingStatus
from notifications.models import Notification
from tests import factories
from tests.clients import customer_client, staff_client
from tests.inspections.cases_helpers import website_of

pytestmark = pytest.mark.django_db
S = CaseState
K = BulkJob.Kind


def case_of(tenant, state=S.NOTIFIED, rules=("domain_expiry",)):
    case = factories.RectificationCaseFactory(website=website_of(tenant), state=state)
    for code in rules:
        factories.CaseFindingFactory(case=case, rule_code=code)
    return case


@pytest.fixture
def cases(alice_tenant, bob_tenant, alice):
    return [case_of(alice_tenant), case_of(bob_tenant), case_of(alice_tenant, S.OVERDUE)]


def audit_rows(action: str, case) -> int:
    return AuditEvent.objects.filter(
        action=action, object_type="inspections.rectificationcase", object_id=str(case.pk)
    ).count()


def run(job: BulkJob) -> BulkJob:
    run_bulk_job.delay(job.pk)
    job.refresh_from_db()
    return job


def bulk(client, **data):
    return client.post(reverse("staff-bulk-jobs"), {"scope": "selected", **data})


# ---- each step --------------------------------------------------------------------------


def test_a_reviewer_extends_the_ticked_cases_through_the_page(
    rachel_client, cases, django_capture_on_commit_callbacks
):
    ticked = [cases[0].pk, cases[1].pk]

    # WHEN rachel applies "extend" to two ticked cases (the worker runs on commit)
    with django_capture_on_commit_callbacks(execute=True):
        response = bulk(
            rachel_client, kind="extend", days=5, reason="Registrar outage", case=ticked
        )

    # THEN she lands on the job's page, which shows it done
    job = BulkJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("staff-bulk-job", args=[job.pk])
    assert (job.state, job.total, job.done, job.failed) == ("done", 2, 2, 0)
    assert job.summary["outcomes"] == {"applied": 2}
    # AND each ticked case was extended once, with its own audit row; the third was not
    for case in cases:
        case.refresh_from_db()
    assert [c.extension_count for c in cases] == [1, 1, 0]
    assert [audit_rows("case.extend", c) for c in cases] == [1, 1, 0]
    page = rachel_client.get(response["Location"]).content.decode()
    assert "2 of 2 cases handled, 0 failed" in page
    assert "hx-trigger" not in page  # done: the progress block stops polling


def test_a_lead_assigns_cases_and_a_reviewer_only_to_herself(leo, rachel, cases):
    job, _created = do_create_bulk_job(
        actor=leo, kind=K.ASSIGN, params={"assignee": rachel.pk}, case_ids=[cases[0].pk]
    )
    run(job)
    cases[0].refresh_from_db()
    assert cases[0].assignee == rachel
    assert audit_rows("case.assign", cases[0]) == 1

    refused = bulk(staff_client(rachel), kind="assign", assignee=leo.pk, case=[cases[1].pk])
    assert refused.status_code == 302
    assert BulkJob.objects.count() == 1


def test_remind_sends_one_notice_per_case_and_day(rachel, cases, alice):
    first, _created = do_create_bulk_job(
        actor=rachel, kind=K.REMIND, params={}, case_ids=[cases[0].pk]
    )
    run(first)
    reminders = Notification.objects.filter(template_key="case_reminder")
    sent = reminders.count()
    assert sent >= 2  # alice in the portal and by e-mail, the person in charge by SMS
    assert first.summary["outcomes"] == {"applied": 1}

    # WHEN another reviewer's job reminds the same case the same day
    other = factories.StaffProfileFactory(
        user=factories.UserFactory(username="rita"), role="reviewer"
    ).user
    second, _created = do_create_bulk_job(
        actor=other, kind=K.REMIND, params={}, case_ids=[cases[0].pk]
    )
    second = run(second)

    # THEN nothing more is sent: the case is skipped with a reason
    assert reminders.count() == sent
    assert second.summary["outcomes"] == {"skipped": 1}
    assert BulkJobItem.objects.get(job=second).message == "A reminder was already sent today."
    assert audit_rows("case.remind", cases[0]) == 1


def test_reinspect_starts_a_one_website_campaign_per_case(rachel, cases, monkeypatch):
    started = []
    monkeypatch.setattr(
        "inspections.campaigns.do_start_campaign",
        lambda campaign, **kwargs: started.append(campaign.pk),
    )
    job, _created = do_create_bulk_job(
        actor=rachel, kind=K.REINSPECT, params={}, case_ids=[cases[0].pk, cases[1].pk]
    )
    job = run(job)
    assert job.summary["outcomes"] == {"applied": 2}
    for case in cases[:2]:
        case.refresh_from_db()
        assert case.state == S.RE_INSPECTING
        campaign = Campaign.objects.get(pk=case.last_reinspection_id)
        assert campaign.scope_website_ids == [case.website_id]
    assert len(started) == 2


def test_a_lead_waives_a_rule_and_cases_without_it_are_skipped(leo, alice_tenant):
    only_expiry = case_of(alice_tenant)
    two_rules = case_of(alice_tenant, rules=("domain_expiry", "contact_reachability"))
    no_expiry = case_of(alice_tenant, rules=("contact_reachability",))

    job, _created = do_create_bulk_job(
        actor=leo,
        kind=K.WAIVE,
        params={"reason": "Registry confirmed renewals", "rule": "domain_expiry"},
        case_ids=[only_expiry.pk, two_rules.pk, no_expiry.pk],
    )
    job = run(job)

    assert job.summary["outcomes"] == {"applied": 2, "skipped": 1}
    waived = CaseFinding.objects.filter(status=FindingStatus.WAIVED, rule_code="domain_expiry")
    assert waived.count() == 2
    only_expiry.refresh_from_db()
    two_rules.refresh_from_db()
    assert (only_expiry.state, two_rules.state) == (S.RESOLVED, S.NOTIFIED)
    assert AuditEvent.objects.filter(action="case.waive_finding").count() == 2


# ---- who may, and what must be given --------------------------------------------------


def test_waiving_is_for_leads_when_asked(rachel_client, cases):
    response = bulk(
        rachel_client, kind="waive", rule="domain_expiry", reason="x", case=[cases[0].pk]
    )
    assert response.status_code == 403
    assert not BulkJob.objects.exists()


def test_waiving_is_for_leads_when_run(leo, cases):
    # GIVEN a lead's waiver job, queued
    job, _created = do_create_bulk_job(
        actor=leo, kind=K.WAIVE, params={"reason": "ok", "rule": "domain_expiry"},
        case_ids=[cases[0].pk],
    )  # fmt: skip
    # WHEN she is made a reviewer before it runs
    StaffProfile.objects.filter(user=leo).update(role="reviewer")
    job = run(job)
    # THEN the job fails with a reason and nothing is waived
    assert job.state == "failed"
    assert job.failure_reason == "Only a lead may waive findings."
    assert not CaseFinding.objects.filter(status=FindingStatus.WAIVED).exists()
    assert AuditEvent.objects.filter(action="bulk_job.fail", object_id=str(job.pk)).exists()


@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        ({"kind": "extend", "days": 5, "reason": " "}, "Give a reason."),
        ({"kind": "extend", "reason": "outage"}, "Give the number of days."),
        ({"kind": "waive", "rule": "domain_expiry", "reason": ""}, "Give a reason."),
        ({"kind": "assign"}, "Choose whom to assign the cases to."),
        ({"kind": "remind"}, "Tick at least one case."),
    ],
)
def test_missing_inputs_are_refused_with_a_message(leo_client, cases, data, field_error):
    ticked = {} if data["kind"] == "remind" else {"case": [cases[0].pk]}
    response = bulk(leo_client, **data, **ticked)
    assert response.status_code == 302
    assert not BulkJob.objects.exists()
    shown = leo_client.get(response["Location"]).content.decode()
    assert field_error in shown


# ---- selection, idempotency, progress ---------------------------------------------------


def test_all_matching_the_filter_freezes_the_filters_cases_when_it_starts(rachel, cases):
    job, _created = do_create_bulk_job(
        actor=rachel,
        kind=K.EXTEND,
        params={"days": 3, "reason": "outage"},
        query="state=overdue&page=2",
    )
    assert job.query == "state=overdue"  # the page is no part of the filter
    job = run(job)
    assert job.case_ids == [cases[2].pk]
    assert (job.total, job.done) == (1, 1)
    cases[2].refresh_from_db()
    assert (cases[2].state, cases[2].extension_count) == (S.NOTIFIED, 1)


def test_the_same_request_twice_makes_one_job(rachel_client, cases):
    data = {"kind": "extend", "days": 5, "reason": "outage", "case": [cases[1].pk, cases[0].pk]}
    first = bulk(rachel_client, **data)
    again = bulk(rachel_client, **{**data, "case": [cases[0].pk, cases[1].pk]})
    assert first["Location"] == again["Location"]
    assert BulkJob.objects.count() == 1
    different = bulk(rachel_client, **{**data, "days": 6})
    assert different["Location"] != first["Location"]


def test_a_second_run_of_the_task_writes_no_second_audit_row(rachel, cases):
    job, _created = do_create_bulk_job(
        actor=rachel, kind=K.EXTEND, params={"days": 5, "reason": "outage"},
        case_ids=[c.pk for c in cases],
    )  # fmt: skip
    run(job)
    # GIVEN the message is delivered again while the job still counts as running
    BulkJob.objects.filter(pk=job.pk).update(state="running", finished_at=None)
    job = run(job)
    assert job.state == "done"
    assert [audit_rows("case.extend", c) for c in cases] == [1, 1, 1]
    assert (job.total, job.done, job.failed) == (3, 3, 0)


def test_failures_are_counted_with_their_messages(rachel, cases, alice_tenant):
    closed = case_of(alice_tenant, S.RESOLVED)
    job, _created = do_create_bulk_job(
        actor=rachel, kind=K.EXTEND, params={"days": 5, "reason": "outage"},
        case_ids=[cases[0].pk, closed.pk, 999_999],
    )  # fmt: skip
    job = run(job)
    assert (job.state, job.total, job.done, job.failed) == ("done", 3, 3, 2)
    assert job.summary["outcomes"] == {"applied": 1, "failed": 2}
    messages = {e["case"]: e["message"] for e in job.summary["errors"]}
    assert messages[closed.pk] == "This case is closed: it cannot be extended."
    assert messages[999_999] == "The case (or the assignee) no longer exists."


# ---- pages, API, who reaches them -------------------------------------------------------


def test_the_bulk_bar_on_the_queue_offers_waiving_to_leads_only(rachel_client, leo_client, cases):
    reviewer = rachel_client.get(reverse("staff-case-list")).content.decode()
    lead = leo_client.get(reverse("staff-case-list")).content.decode()
    assert 'value="extend"' in reviewer and 'value="waive"' not in reviewer
    assert 'value="waive"' in lead
    assert "Apply to selected" in reviewer


def test_the_recent_jobs_page_costs_a_fixed_number_of_queries(
    rachel, rachel_client, cases, django_assert_max_num_queries
):
    for days in range(1, 6):
        do_create_bulk_job(
            actor=rachel, kind=K.EXTEND, params={"days": days, "reason": "r"},
            case_ids=[cases[0].pk],
        )  # fmt: skip
    with django_assert_max_num_queries(5):
        response = rachel_client.get(reverse("staff-bulk-jobs"))
    assert response.content.decode().count("Extend the deadline #") == 5


def test_the_api_creates_a_job_once_and_reports_its_progress(rachel_client, cases):
    url = reverse("api-staff-bulk-job-list")
    body = {"kind": "extend", "days": 4, "reason": "outage", "cases": [cases[0].pk]}

    created = rachel_client.post(url, body, content_type="application/json")
    again = rachel_client.post(url, body, content_type="application/json")

    assert (created.status_code, again.status_code) == (201, 200)
    assert created.json()["id"] == again.json()["id"]
    job = BulkJob.objects.get()
    run(job)
    progress = rachel_client.get(reverse("api-staff-bulk-job-detail", args=[job.pk])).json()
    assert (progress["state"], progress["done"], progress["percent"]) == ("done", 1, 100)


def test_the_api_validates_as_the_page_does(rachel_client, cases):
    url = reverse("api-staff-bulk-job-list")
    missing = rachel_client.post(
        url, {"kind": "extend", "days": 4, "cases": [cases[0].pk]}, content_type="application/json"
    )
    assert missing.status_code == 400
    assert missing.json()["reason"] == ["Give a reason."]
    waive = rachel_client.post(
        url,
        {"kind": "waive", "rule": "domain_expiry", "reason": "x", "cases": [cases[0].pk]},
        content_type="application/json",
    )
    assert waive.status_code == 403
    assert not BulkJob.objects.exists()


def test_the_api_list_costs_a_fixed_number_of_queries(
    leo, rachel_client, cases, django_assert_max_num_queries
):
    for days in range(1, 6):
        do_create_bulk_job(
            actor=leo, kind=K.EXTEND, params={"days": days, "reason": "r"}, case_ids=[cases[0].pk]
        )
    with django_assert_max_num_queries(4):
        response = rachel_client.get(reverse("api-staff-bulk-job-list"))
    assert response.status_code == 200
    assert response.json()["results"] == []  # a reviewer sees her own jobs only


def test_a_reviewer_gets_404_on_another_reviewers_job(rachel_client, cases):
    other = factories.StaffProfileFactory(
        user=factories.UserFactory(username="rita"), role="reviewer"
    ).user
    job, _created = do_create_bulk_job(
        actor=other, kind=K.REMIND, params={}, case_ids=[cases[0].pk]
    )
    assert rachel_client.get(reverse("staff-bulk-job", args=[job.pk])).status_code == 404
    assert rachel_client.get(reverse("api-staff-bulk-job-detail", args=[job.pk])).status_code == 404


def test_customers_get_403_on_bulk_pages_and_api(alice, cases, rachel):
    client = customer_client(alice)
    job, _created = do_create_bulk_job(
        actor=rachel, kind=K.REMIND, params={}, case_ids=[cases[0].pk]
    )
    assert client.get(reverse("staff-bulk-jobs")).status_code == 403
    assert (
        client.post(
            reverse("staff-bulk-jobs"), {"kind": "remind", "case": [cases[0].pk]}
        ).status_code
        == 403
    )
    assert client.get(reverse("staff-bulk-job", args=[job.pk])).status_code == 403
    assert client.get(reverse("staff-bulk-job-progress", args=[job.pk])).status_code == 403
    assert client.get(reverse("api-staff-bulk-job-list")).status_code == 403
    assert client.get(reverse("api-staff-bulk-job-detail", args=[job.pk])).status_code == 403
    assert BulkJob.objects.count() == 1


def test_all_matching_counts_the_unfiltered_queue_as_the_job_resolves_it(
    rachel, rachel_client, cases, alice_tenant
):
    case_of(alice_tenant, S.RESOLVED)
    page = rachel_client.get(reverse("staff-case-list")).content.decode()
    # The queue page loads the count after itself, for its own filter.
    assert f'hx-get="{reverse("staff-bulk-matching")}"' in page
    button = rachel_client.get(reverse("staff-bulk-matching")).content.decode()
    assert "Apply to all 3 matching the filter" in button  # the open cases, not the resolved one
    filtered = rachel_client.get(reverse("staff-bulk-matching"), {"q": f"#{cases[0].pk}"})
    assert "Apply to the 1 matching case" in filtered.content.decode()

    job, _created = do_create_bulk_job(actor=rachel, kind=K.REMIND, params={}, query="")
    job = run(job)
    assert sorted(job.case_ids) == sorted(c.pk for c in cases)


def test_the_matching_count_is_for_staff_only_and_costs_a_fixed_number_of_queries(
    alice_client, rachel_client, cases, django_assert_max_num_queries
):
    assert alice_client.get(reverse("staff-bulk-matching")).status_code == 403
    # Session, user with staff profile, second factor, and the count.
    with django_assert_max_num_queries(4):
        response = rachel_client.get(reverse("staff-bulk-matching"), {"state": "all"})
    assert "Apply to all 3 matching the filter" in response.content.decode()
    invalid = rachel_client.get(reverse("staff-bulk-matching"), {"state": "bogus"})
    assert "matching" not in invalid.content.decode()  # an invalid filter offers nothing


def test_a_twin_run_that_reaches_a_handled_case_leaves_it_alone(rachel, cases):
    # GIVEN a job whose case one run already handled
    job, _created = do_create_bulk_job(
        actor=rachel, kind=K.EXTEND, params={"days": 5, "reason": "outage"},
        case_ids=[cases[0].pk],
    )  # fmt: skip
    job = BulkJob.objects.select_related("requested_by").get(pk=job.pk)
    assert handle_case(job, cases[0].pk) == "applied"

    # WHEN a twin run (which read the handled cases before the first one committed)
    # reaches the same case
    outcome = handle_case(job, cases[0].pk)

    # THEN it does nothing: no second extension, no second audit row
    assert outcome is None
    cases[0].refresh_from_db()
    assert cases[0].extension_count == 1
    assert audit_rows("case.extend", cases[0]) == 1
    assert BulkJobItem.objects.filter(job=job).count() == 1


def test_a_filter_the_queue_would_refuse_is_refused_when_asked(rachel_client, cases):
    response = rachel_client.post(
        reverse("api-staff-bulk-job-list"),
        {"kind": "remind", "scope": "filter", "query": "state=bogus"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["query"] == ["The queue filter is not valid: filter the queue again."]
    assert not BulkJob.objects.exists()
