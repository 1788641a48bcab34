"""Provider review pages: the staff queue with its SLA clock, one application's review,
pass and return with a reason per field."""

from __future__ import annotations

import datetime
import re
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from filings.applications.proposed import initial_payload
from filings.choices import ApplicationKind, ApplicationStatus
from filings.models import Application, MiitVerification
from icpportal import audit
from icpportal.models import AuditEvent
from tests.factories import (
    ApplicationFactory,
    ApplicationMaterialFactory,
    DomainFactory,
    HolidayOverrideFactory,
    RegistryDomainFactory,
    RegistryRecordFactory,
    WebsiteFactory,
    first_filing_payload,
    mobile,
)

pytestmark = pytest.mark.django_db
Kind, Status = ApplicationKind, ApplicationStatus
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
QUEUE = "/staff/review/"


def at(*args: int) -> datetime.datetime:
    """A moment in the portal's time zone."""
    return datetime.datetime(*args, tzinfo=SHANGHAI)


def submitted(tenant, n: int, when: datetime.datetime | None = None, **kwargs) -> Application:
    """A first filing under provider review, submitted at ``when``."""
    kwargs.setdefault("kind", Kind.FIRST_FILING)
    kwargs.setdefault("payload", first_filing_payload(n))
    return ApplicationFactory(
        tenant=tenant,
        status=Status.PROVIDER_REVIEW,
        submitted_at=when or at(2026, 12, 1, 9, 0),
        **kwargs,
    )


def queue_ids(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-application="(\d+)"', response.content.decode())]


def sla_of(response, application) -> str:
    html = response.content.decode()
    row = html.split(f'data-application="{application.pk}"', 1)[1].split("</tr>", 1)[0]
    return re.search(r'data-sla="([a-z-]+)"', row).group(1)


# ---- the queue --------------------------------------------------------------------------


def test_the_queue_lists_submitted_applications_oldest_first(
    rachel_client, alice_tenant, bob_tenant
):
    # GIVEN applications submitted at different times, and some not under review
    newer = submitted(alice_tenant, 801, at(2026, 12, 2, 9, 0))
    older = submitted(bob_tenant, 802, at(2026, 11, 30, 9, 0))
    ApplicationFactory(tenant=alice_tenant, payload=first_filing_payload(803))  # a draft
    ApplicationFactory(tenant=alice_tenant, status=Status.RETURNED, submitted_at=at(2026, 11, 1))

    # WHEN rachel opens the queue
    response = rachel_client.get(QUEUE)

    # THEN only the submitted ones, oldest first, with customer, kind, entity and domain
    assert response.status_code == 200
    assert queue_ids(response) == [older.pk, newer.pk]
    html = response.content.decode()
    assert "Beta Media" in html and "Alpha Tech" in html
    assert "First-time filing" in html
    assert "申请示例科技有限公司801" in html and "apply801.example.cn" in html


def test_the_sla_counts_working_days_across_a_weekend(rachel_client, alice_tenant):
    # GIVEN an application submitted on Friday morning, 4 December 2026
    application = submitted(alice_tenant, 810, at(2026, 12, 4, 10, 0))

    # WHEN the queue is read on Saturday, THEN Monday is the one working day left
    with time_machine.travel(at(2026, 12, 5, 12, 0), tick=False):
        response = rachel_client.get(QUEUE)
    assert sla_of(response, application) == "on-time"
    assert "1 working day left" in response.content.decode()
    assert "2026-12-07 23:59" in response.content.decode()

    # WHEN it is read on Monday at 10:00, THEN it is due today with 13 hours left
    with time_machine.travel(at(2026, 12, 7, 10, 0), tick=False):
        response = rachel_client.get(QUEUE)
    assert sla_of(response, application) == "due-today"
    assert "13 hours left" in response.content.decode()

    # WHEN it is read on Tuesday, THEN it is overdue and its row is red
    with time_machine.travel(at(2026, 12, 8, 9, 0), tick=False):
        response = rachel_client.get(QUEUE)
    assert sla_of(response, application) == "overdue"
    assert f'data-application="{application.pk}" class="table-danger"' in response.content.decode()


def test_the_sla_skips_official_holidays(rachel_client, alice_tenant):
    # GIVEN an application submitted the day before the National Day holiday (1-7 October)
    application = submitted(alice_tenant, 811, at(2026, 9, 30, 10, 0))

    # WHEN the queue is read during the holiday, THEN it is not late: due 8 October
    with time_machine.travel(at(2026, 10, 5, 12, 0), tick=False):
        response = rachel_client.get(QUEUE)
    assert sla_of(response, application) == "on-time"
    assert "2026-10-08 23:59" in response.content.decode()

    # WHEN it is read on 9 October, THEN it is overdue
    with time_machine.travel(at(2026, 10, 9, 9, 0), tick=False):
        response = rachel_client.get(QUEUE)
    assert sla_of(response, application) == "overdue"


def test_the_sla_follows_staff_holiday_overrides(rachel_client, alice_tenant):
    # GIVEN Friday 11 December 2026 declared a holiday by staff, and an application
    # submitted on Thursday the 10th
    HolidayOverrideFactory(date=datetime.date(2026, 12, 11), is_working_day=False)
    application = submitted(alice_tenant, 812, at(2026, 12, 10, 15, 0))

    # WHEN the queue is read on Saturday, THEN it is due on Monday, not late
    with time_machine.travel(at(2026, 12, 12, 12, 0), tick=False):
        response = rachel_client.get(QUEUE)
    assert sla_of(response, application) == "on-time"
    assert "2026-12-14 23:59" in response.content.decode()


def test_the_queue_filters_by_kind_province_and_customer(rachel_client, alice_tenant, bob_tenant):
    # GIVEN a Beijing first filing of alice, a Shanghai one of bob, and a change of alice
    beijing = submitted(alice_tenant, 820)
    shanghai = submitted(bob_tenant, 821, payload=first_filing_payload(821, province="310000"))
    website = WebsiteFactory(entity__tenant=alice_tenant)
    change = submitted(
        alice_tenant,
        822,
        kind=Kind.CHANGE_WEBSITE,
        entity=website.entity,
        website=website,
        payload=initial_payload(Kind.CHANGE_WEBSITE, entity=website.entity, website=website),
    )

    # WHEN rachel filters, THEN each filter keeps only what it names
    assert queue_ids(rachel_client.get(QUEUE, {"kind": Kind.CHANGE_WEBSITE})) == [change.pk]
    assert queue_ids(rachel_client.get(QUEUE, {"province": "310000"})) == [shanghai.pk]
    assert set(queue_ids(rachel_client.get(QUEUE, {"province": "110000"}))) == {
        beijing.pk,
        change.pk,
    }
    assert queue_ids(rachel_client.get(QUEUE, {"tenant": bob_tenant.pk})) == [shanghai.pk]


def test_the_filter_bar_offers_the_cached_provinces_and_only_the_chosen_customer(
    rachel_client, alice_tenant, bob_tenant
):
    # GIVEN a queue page read once (the provinces are cached), then bob's customer renamed
    submitted(alice_tenant, 825)
    rachel_client.get(QUEUE)
    bob_tenant.name = "Gamma Retail"
    bob_tenant.save()

    # WHEN rachel filters by Shanghai, THEN the province stays chosen and no customer is
    # listed: the customer select offers "All customers" only
    html = rachel_client.get(QUEUE, {"province": "310000"}).content.decode()
    assert '<option value="310000" selected>' in html
    assert "Alpha Tech</option>" not in html and "Gamma Retail</option>" not in html
    assert '<option value="" selected>All customers</option>' in html

    # WHEN she filters by bob's customer, THEN it is offered chosen, under its new name
    html = rachel_client.get(QUEUE, {"tenant": bob_tenant.pk}).content.decode()
    assert f'<option value="{bob_tenant.pk}" selected>Gamma Retail</option>' in html
    assert "Alpha Tech</option>" not in html and "Beta Media" not in html


def test_the_queue_searches_names_domains_and_filing_numbers(rachel_client, alice_tenant):
    # GIVEN a first filing and a change of a live website (whose name holds the first
    # filing's number) with a live domain
    first = submitted(alice_tenant, 830)
    website = WebsiteFactory(
        entity__tenant=alice_tenant, name=f"门户{first.pk}", filing_number="京ICP备2026123456号-1"
    )
    DomainFactory(website=website, name="live-shop.example.com")
    change = submitted(
        alice_tenant,
        831,
        kind=Kind.CANCEL_ACCESS,
        entity=website.entity,
        website=website,
        payload={"reason": {"text": "Moving away"}},
    )

    # WHEN rachel searches, THEN entity names, domains and filing numbers are found
    assert queue_ids(rachel_client.get(QUEUE, {"q": "科技有限公司830"})) == [first.pk]
    assert queue_ids(rachel_client.get(QUEUE, {"q": "apply830.example"})) == [first.pk]
    assert queue_ids(rachel_client.get(QUEUE, {"q": "live-shop"})) == [change.pk]
    assert queue_ids(rachel_client.get(QUEUE, {"q": "2026123456"})) == [change.pk]
    assert queue_ids(rachel_client.get(QUEUE, {"q": "nothing-like-this"})) == []
    # AND "#<number>" finds that application only, not names holding those digits
    assert queue_ids(rachel_client.get(QUEUE, {"q": f"#{first.pk}"})) == [first.pk]
    assert queue_ids(rachel_client.get(QUEUE, {"q": f"#{change.pk}"})) == [change.pk]


def test_the_queue_is_paginated_oldest_first(rachel_client, alice_tenant):
    # GIVEN 27 submitted applications
    start = at(2026, 11, 2, 9, 0)
    hour = datetime.timedelta(hours=1)
    apps = [submitted(alice_tenant, 840 + i, start + i * hour) for i in range(27)]

    # WHEN rachel reads both pages, THEN 25 then 2, in order of submission
    first = rachel_client.get(QUEUE)
    second = rachel_client.get(QUEUE, {"page": 2})
    assert queue_ids(first) == [a.pk for a in apps[:25]]
    assert queue_ids(second) == [a.pk for a in apps[25:]]


def test_the_queue_costs_the_same_queries_for_many_rows(
    rachel_client, alice_tenant, django_assert_num_queries
):
    # GIVEN two applications (one about a live website with domains) — a warm-up read
    website = WebsiteFactory(entity__tenant=alice_tenant)
    DomainFactory(website=website)
    submitted(alice_tenant, 850)
    submitted(
        alice_tenant,
        851,
        kind=Kind.CANCEL_ACCESS,
        entity=website.entity,
        website=website,
        payload={"reason": {"text": "x"}},
    )
    rachel_client.get(QUEUE)

    # THEN the page costs a fixed number of queries (one reads the session's second factor;
    # the provinces, offered and named in the rows, come from the cache) ...
    with django_assert_num_queries(8):
        assert len(queue_ids(rachel_client.get(QUEUE))) == 2

    # ... and the same with ten more rows, some with live websites
    for n in range(10):
        other = WebsiteFactory(entity__tenant=alice_tenant)
        DomainFactory(website=other)
        submitted(
            alice_tenant,
            860 + n,
            kind=Kind.CANCEL_ACCESS,
            entity=other.entity,
            website=other,
            payload={"reason": {"text": "x"}},
        )
    with django_assert_num_queries(8):
        assert len(queue_ids(rachel_client.get(QUEUE))) == 12


# ---- who may see the pages --------------------------------------------------------------


@pytest.mark.parametrize("name", ["review-queue", "review-detail", "review-pass", "review-return"])
def test_customers_are_refused_the_staff_pages(alice_client, alice_tenant, name):
    # GIVEN alice's own submitted application
    application = submitted(alice_tenant, 870)
    url = reverse(name) if name == "review-queue" else reverse(name, args=[application.pk])

    # WHEN alice asks for a staff page (or posts to an action), THEN 403, nothing changes
    if name in ("review-pass", "review-return"):
        response = alice_client.post(url, {"reason-overall": "Mine."})
    else:
        response = alice_client.get(url)
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == Status.PROVIDER_REVIEW


def test_anonymous_visitors_are_sent_to_log_in(client, alice_tenant):
    application = submitted(alice_tenant, 871)
    response = client.get(reverse("review-detail", args=[application.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_an_unknown_application_is_404(rachel_client):
    assert rachel_client.get(reverse("review-detail", args=[999999])).status_code == 404


# ---- one application --------------------------------------------------------------------


def change_of_website(tenant):
    """A change of a live website: new name, new head's mobile; the domain as on file."""
    website = WebsiteFactory(entity__tenant=tenant, name="旧网站名")
    DomainFactory(website=website, name="keep.example.com")
    payload = initial_payload(Kind.CHANGE_WEBSITE, entity=website.entity, website=website)
    payload["website"]["name"] = "新网站名"
    head = website.head
    payload["website_head"] = {
        "name": head.name,
        "id_type": head.id_type,
        "id_number": head.id_number,
        "mobile": mobile(99887766),
        "landline": head.landline,
        "email": head.email,
    }
    application = submitted(
        tenant,
        880,
        kind=Kind.CHANGE_WEBSITE,
        entity=website.entity,
        website=website,
        payload=payload,
    )
    return application, website


def test_the_review_shows_the_payload_against_the_live_data(rachel_client, alice_tenant):
    # GIVEN a change of alice's website: a new name and a new mobile for its head
    application, website = change_of_website(alice_tenant)

    # WHEN rachel opens it
    response = rachel_client.get(reverse("review-detail", args=[application.pk]))

    # THEN the changed fields are marked, the others not, with both values shown
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-path="website.name" data-change="changed"' in html
    assert 'data-path="website_head.mobile" data-change="changed"' in html
    assert 'data-path="website.homepage_url" data-change="same"' in html
    assert 'data-path="domains.0.name" data-change="same"' in html
    assert "旧网站名" in html and "新网站名" in html
    # ... personal data masked: neither the head's ID nor the mobiles in clear
    assert website.head.id_number not in html
    assert website.head.id_number[:6] + "********" in html
    assert "13899887766" not in html and "138****7766" in html


def test_a_first_filing_shows_every_section_as_new(rachel_client, alice_tenant):
    application = submitted(alice_tenant, 881)
    html = rachel_client.get(reverse("review-detail", args=[application.pk])).content.decode()
    assert 'data-path="entity.name" data-change="new"' in html
    assert 'data-path="domains.0.name" data-change="new"' in html
    assert "申请示例科技有限公司881" in html


def test_the_review_shows_self_check_materials_and_timeline(rachel_client, alice_tenant, alice):
    # GIVEN a first filing with one document attached and an audit trail
    application = submitted(alice_tenant, 882, created_by=alice)
    material = ApplicationMaterialFactory(application=application)
    audit.record(
        "application.submit", application, actor=alice, after={"status": "provider_review"}
    )

    # WHEN rachel opens it
    html = rachel_client.get(reverse("review-detail", args=[application.pk])).content.decode()

    # THEN the document is shown in the staff PDF viewer, the missing ones are flagged,
    # the shared rules answered (the required materials are incomplete) and the
    # timeline lists the submission
    assert reverse("staff-material-pdf", args=[material.pk]) in html
    assert "Missing" in html
    self_check = html.split('data-testid="self-check"', 1)[1].split("</ul>", 1)[0]
    assert "Blocking" in self_check
    timeline = html.split('data-testid="timeline"', 1)[1].split("</ol>", 1)[0]
    assert "Submitted for provider review" in timeline and "alice" in timeline


def test_the_review_shows_the_bureau_record_of_a_transfer(rachel_client, alice_tenant):
    # GIVEN a transfer of a filing the bureau holds at another provider
    record = RegistryRecordFactory(website_filing_number="沪ICP备2025000777号-1")
    RegistryDomainFactory(record=record, name="moving.example.net")
    application = submitted(
        alice_tenant,
        883,
        kind=Kind.TRANSFER,
        payload={
            "transfer": {"filing_number": record.website_filing_number},
            "website": {"name": record.website_name},
            "domains": [{"name": "moving.example.net"}],
        },
    )

    # WHEN rachel opens it, THEN the bureau's record is there, found by number and domain
    html = rachel_client.get(reverse("review-detail", args=[application.pk])).content.decode()
    card = html.split('data-testid="registry-record"', 1)[1].split("</section>", 1)[0]
    assert record.entity_name in card and "other-cloud" in card
    assert "沪ICP备2025000777号-1" in card and "moving.example.net" in card


def test_the_review_page_has_a_bounded_query_count(
    rachel_client, alice_tenant, django_assert_max_num_queries
):
    application, _website = change_of_website(alice_tenant)
    with django_assert_max_num_queries(32):
        assert rachel_client.get(reverse("review-detail", args=[application.pk])).status_code == 200


# ---- pass and return --------------------------------------------------------------------


def test_staff_pass_starts_the_miit_sms_step(
    leo_client, alice_tenant, leo, django_capture_on_commit_callbacks
):
    # GIVEN a submitted first filing
    application = submitted(alice_tenant, 890)

    # WHEN leo passes it
    with django_capture_on_commit_callbacks(execute=True):
        response = leo_client.post(
            reverse("review-pass", args=[application.pk]), {"note": "All in order."}
        )

    # THEN it waits for the heads' MIIT codes, audited with leo's note, back to the queue
    assert response.status_code == 302 and response["Location"] == QUEUE
    application.refresh_from_db()
    assert application.status == Status.SMS_VERIFICATION
    assert MiitVerification.objects.filter(application=application).exists()
    event = AuditEvent.objects.get(action="application.pass")
    assert event.actor == leo and event.reason == "All in order."


def test_return_with_reasons_per_field_reaches_the_customer(
    rachel_client, alice_client, alice, alice_tenant
):
    # GIVEN alice's submitted change of a website
    application, _website = change_of_website(alice_tenant)
    application.created_by = alice
    application.save(update_fields=["created_by"])

    # WHEN rachel returns it with a reason for the name, one overall, and none elsewhere
    response = rachel_client.post(
        reverse("review-return", args=[application.pk]),
        {
            "reason-website.name": "Use the name shown on the site.",
            "reason-website.homepage_url": "   ",
            "reason-overall": "Upload the signed verification form.",
        },
    )

    # THEN it is returned with exactly those reasons
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.RETURNED
    assert application.return_reasons == {
        "website.name": "Use the name shown on the site.",
        "": "Upload the signed verification form.",
    }
    # ... and alice reads them in her notifications and on her application's page
    inbox = alice_client.get(reverse("notification-inbox")).content.decode()
    assert "Use the name shown on the site." in inbox
    assert "Upload the signed verification form." in inbox
    page = alice_client.get(reverse("application-detail", args=[application.pk]))
    assert "Use the name shown on the site." in page.content.decode()
    assert "Upload the signed verification form." in page.content.decode()


def test_a_return_without_any_reason_is_refused(rachel_client, alice_tenant):
    # GIVEN a submitted application
    application = submitted(alice_tenant, 891)

    # WHEN rachel returns it with every reason blank
    response = rachel_client.post(
        reverse("review-return", args=[application.pk]), {"reason-entity.name": " "}
    )

    # THEN the page says why, and nothing changed
    assert response.status_code == 400
    assert "Give at least one reason." in response.content.decode()
    application.refresh_from_db()
    assert application.status == Status.PROVIDER_REVIEW
    assert not AuditEvent.objects.filter(action="application.return").exists()


def test_a_returned_application_offers_no_decision(rachel_client, alice_tenant):
    # GIVEN an application already returned to the customer
    application = ApplicationFactory(
        tenant=alice_tenant,
        status=Status.RETURNED,
        payload=first_filing_payload(892),
        return_reasons={"entity.name": "Wrong name."},
    )

    # WHEN rachel opens it, THEN no pass or return form, the earlier reasons shown
    html = rachel_client.get(reverse("review-detail", args=[application.pk])).content.decode()
    assert 'data-testid="pass-form"' not in html and 'data-testid="return-form"' not in html
    assert "Wrong name." in html

    # WHEN she posts a pass anyway, THEN it is refused and the status stays
    response = rachel_client.post(reverse("review-pass", args=[application.pk]))
    assert response.status_code == 409
    assert "cannot be passed now" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Status.RETURNED
