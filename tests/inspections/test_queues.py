"""The staff case queue: filters, search, sort, SLA clock, tabs, workload, paging, CSV."""

from __future__ import annotations

import csv
import io

import pytest
import time_machine
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from icpportal.models import AuditEvent
from inspections.models import CaseState, FindingStatus
from tests import factories
from tests.inspections.cases_helpers import local
from tests.inspections.queue_fixtures import case_of, days_from_now

pytestmark = pytest.mark.django_db
URL = "/staff/cases/"
QUEUE_QUERIES = 10


def listed(client, **params) -> list[int]:
    response = client.get(URL, params)
    assert response.status_code == 200
    return [row.case.pk for row in response.context["rows"]]


def test_the_queue_shows_open_cases_soonest_deadline_first(leo_client, alice_tenant):
    later = case_of(alice_tenant, deadline=days_from_now(9))
    sooner = case_of(alice_tenant, deadline=days_from_now(2))
    case_of(alice_tenant, state=CaseState.RESOLVED)
    assert listed(leo_client) == [sooner.pk, later.pk]


def test_state_filter_shows_closed_or_one_state(leo_client, alice_tenant):
    open_case = case_of(alice_tenant)
    resolved = case_of(alice_tenant, state=CaseState.RESOLVED)
    assert set(listed(leo_client, state="all")) == {open_case.pk, resolved.pk}
    assert listed(leo_client, state="final") == [resolved.pk]
    assert listed(leo_client, state=CaseState.RESOLVED) == [resolved.pk]
    assert listed(leo_client, state=CaseState.NOTIFIED) == [open_case.pk]


def test_rule_filter_keeps_cases_with_that_rule_still_failing(leo_client, alice_tenant):
    failing = case_of(alice_tenant, rules=("domain_expiry", "entity_identity"))
    waived = case_of(alice_tenant, rules=())
    factories.CaseFindingFactory(
        case=waived, rule_code="domain_expiry", status=FindingStatus.WAIVED
    )
    other = case_of(alice_tenant, rules=("entity_identity",))
    assert listed(leo_client, rule="domain_expiry") == [failing.pk]
    assert set(listed(leo_client, rule="entity_identity")) == {failing.pk, other.pk}


def test_province_and_customer_filters(leo_client, alice_tenant, bob_tenant):
    beijing = case_of(alice_tenant, province="110000")
    yunnan = case_of(alice_tenant, province="530000")
    bobs = case_of(bob_tenant, province="530000")
    assert set(listed(leo_client, province="530000")) == {yunnan.pk, bobs.pk}
    assert set(listed(leo_client, tenant=alice_tenant.pk)) == {beijing.pk, yunnan.pk}
    assert listed(leo_client, tenant=bob_tenant.pk, province="530000") == [bobs.pk]


def test_assignee_filter_me_nobody_or_someone(leo_client, leo, rachel, alice_tenant):
    mine = case_of(alice_tenant, assignee=leo)
    rachels = case_of(alice_tenant, assignee=rachel)
    nobodys = case_of(alice_tenant)
    assert listed(leo_client, assignee="me") == [mine.pk]
    assert listed(leo_client, assignee="none") == [nobodys.pk]
    assert listed(leo_client, assignee=str(rachel.pk)) == [rachels.pk]
    # Nonsense is pointed out and ignored.
    response = leo_client.get(URL, {"assignee": "somebody"})
    assert "assignee" in response.context["filter"].form.errors
    assert "Some filters were not understood" in response.content.decode()


def test_deadline_windows(leo_client, alice_tenant):
    overdue = case_of(alice_tenant, state=CaseState.OVERDUE, deadline=days_from_now(-1))
    soon = case_of(alice_tenant, deadline=days_from_now(0.01))
    far = case_of(alice_tenant, deadline=days_from_now(60))
    assert listed(leo_client, due="overdue") == [overdue.pk]
    assert soon.pk in listed(leo_client, due="within", within_days="3")
    assert far.pk not in listed(leo_client, due="within", within_days="3")
    first = timezone.localtime(far.deadline).date().isoformat()
    assert listed(leo_client, deadline_after=first, deadline_before=first) == [far.pk]


def test_due_today(leo_client, alice_tenant):
    # Ten in the morning in the portal's time zone: the rest of the day is "today".
    morning = local("2026-12-03 10:00")
    with time_machine.travel(morning, tick=False):
        today = case_of(alice_tenant, deadline=local("2026-12-03 23:59"))
        case_of(alice_tenant, deadline=local("2026-12-04 09:00"))
        case_of(alice_tenant, state=CaseState.OVERDUE, deadline=local("2026-12-03 09:00"))
        assert listed(leo_client, due="today") == [today.pk]


@pytest.mark.parametrize("field", ["domain", "website_number", "entity_number", "website_name"])
def test_search_finds_a_case_by_domain_name_or_filing_number(leo_client, alice_tenant, field):
    wanted = case_of(alice_tenant)
    case_of(alice_tenant)
    text = {
        "domain": f"site{wanted.website_id}.example",
        "website_number": wanted.website.filing_number,
        "entity_number": wanted.entity.filing_number,
        "website_name": wanted.website.name,
    }[field]
    assert listed(leo_client, q=text) == [wanted.pk]


def test_search_by_a_two_character_chinese_entity_name(leo_client, alice_tenant):
    zhang = case_of(alice_tenant, entity_name="张三")
    case_of(alice_tenant, entity_name="李四")
    assert listed(leo_client, q="张三") == [zhang.pk]
    assert listed(leo_client, q=f"#{zhang.pk}") == [zhang.pk]


def test_sorts(leo_client, alice_tenant):
    a = case_of(alice_tenant, deadline=days_from_now(5), opened_at=days_from_now(-1))
    b = case_of(alice_tenant, deadline=days_from_now(1), opened_at=days_from_now(-3))
    c = case_of(alice_tenant, deadline=days_from_now(9), opened_at=days_from_now(-2))
    assert listed(leo_client) == [b.pk, a.pk, c.pk]
    assert listed(leo_client, sort="-deadline") == [c.pk, a.pk, b.pk]
    assert listed(leo_client, sort="opened_at") == [b.pk, c.pk, a.pk]
    assert listed(leo_client, sort="-opened_at") == [a.pk, c.pk, b.pk]


def test_the_sla_clock_is_red_when_overdue_green_before(leo_client, alice_tenant):
    overdue = case_of(alice_tenant, state=CaseState.OVERDUE, deadline=days_from_now(-2))
    running = case_of(alice_tenant, deadline=days_from_now(20))
    page = leo_client.get(URL).content.decode()
    overdue_row = page.split(f'data-case="{overdue.pk}"')[1].split("</tr>")[0]
    running_row = page.split(f'data-case="{running.pk}"')[1].split("</tr>")[0]
    assert 'data-sla="overdue"' in overdue_row and "text-bg-danger" in overdue_row
    assert (
        'class="table-danger"'
        in page.split(f'data-case="{overdue.pk}"')[0][-40:]
        + (page.split(f'data-case="{overdue.pk}"')[1][:30])
    )
    assert 'data-sla="on-time"' in running_row and "working days left" in running_row


def test_my_queue_tab_and_the_workload_panel(leo_client, leo, rachel, alice_tenant):
    case_of(alice_tenant, assignee=rachel)
    case_of(alice_tenant, assignee=rachel)
    case_of(alice_tenant, assignee=rachel, state=CaseState.RESOLVED)
    mine = case_of(alice_tenant, assignee=leo)
    response = leo_client.get(URL, {"assignee": "me"})
    assert [row.case.pk for row in response.context["rows"]] == [mine.pk]
    assert response.context["my_queue"]
    load = {u.username: u.open_cases for u in response.context["workload"]}
    assert load == {"rachel": 2, "leo": 1}
    assert 'data-open-cases="rachel">2<' in response.content.decode()


def test_rows_carry_the_selection_checkbox_and_bulk_bar_form(leo_client, alice_tenant):
    case = case_of(alice_tenant)
    page = leo_client.get(URL).content.decode()
    assert 'id="queue-selection"' in page
    assert f'name="case" value="{case.pk}"' in page


def test_pages_keep_the_filters(leo_client, alice_tenant):
    for _ in range(51):
        case_of(alice_tenant, province="530000")
    response = leo_client.get(URL, {"province": "530000"})
    assert len(response.context["rows"]) == 50
    assert response.context["page_obj"].has_next
    assert "?province=530000&amp;page=2" in response.content.decode()
    second = leo_client.get(URL, {"province": "530000", "page": 2})
    assert len(second.context["rows"]) == 1


@pytest.mark.parametrize("rows", [3, 30])
def test_the_queue_costs_the_same_queries_for_3_or_30_rows(
    leo_client, rachel, alice_tenant, bob_tenant, rows, django_assert_max_num_queries
):
    for i in range(rows):
        case_of(
            alice_tenant if i % 2 else bob_tenant,
            rules=("domain_expiry", "entity_identity"),
            assignee=rachel if i % 3 else None,
            deadline=days_from_now(i - 5),
        )
    leo_client.get(URL)  # the enforcement switch's row is created on first read
    # 4 for the session, user with staff profile, second factor and the layout's unread
    # count; 6 for the page ids, rows, workload, holidays, enforcement switch and the
    # campaigns waiting. Choices come from the cache; the bulk bar counts after the page.
    with django_assert_max_num_queries(QUEUE_QUERIES):
        response = leo_client.get(URL)
    assert len(response.context["rows"]) == rows


def test_query_count_does_not_grow_with_rows(leo_client, alice_tenant):
    case_of(alice_tenant)
    leo_client.get(URL)
    with CaptureQueriesContext(connection) as few:
        leo_client.get(URL)
    for _ in range(20):
        case_of(alice_tenant, rules=("domain_expiry", "entity_identity"))
    with CaptureQueriesContext(connection) as many:
        leo_client.get(URL)
    assert len(many) == len(few)


def read_csv(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_csv_export_has_the_filters_masked_personal_data_and_an_audit_row(
    leo_client, leo, alice_tenant
):
    wanted = case_of(alice_tenant, province="530000", entity_name="张三")
    case_of(alice_tenant, province="110000")
    response = leo_client.get(URL, {"province": "530000", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = read_csv(response)
    assert rows[0][:3] == ["Case", "State", "Deadline"]
    assert [r[0] for r in rows[1:]] == [str(wanted.pk)]
    line = ",".join(rows[1])
    entity = wanted.entity
    assert "张三" in line
    assert entity.id_number not in line and entity.id_number[:6] + "********" in line
    assert "88886666" not in line and "6666" in line
    event = AuditEvent.objects.get(action="queue.export")
    assert event.actor == leo
    assert event.after == {"queue": "cases", "filters": {"province": "530000"}}


@pytest.mark.parametrize(
    "url", ["/staff/cases/", "/staff/triage/", "/staff/findings/", "/staff/cases/?format=csv"]
)
def test_customers_cannot_open_the_staff_queues(alice_client, url):
    assert alice_client.get(url).status_code == 403
    assert not AuditEvent.objects.filter(action="queue.export").exists()
