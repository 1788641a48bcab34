"""Taking, assigning and giving back cases: who may, audit rows, and refusals."""

from __future__ import annotations

import pytest

from icpportal.models import AuditEvent
from inspections.enforcement.actions import CaseActionError
from inspections.enforcement.assignment import do_assign_case, do_take_case, do_unassign_case
from inspections.models import CaseState
from tests import factories
from tests.clients import staff_client
from tests.inspections.queue_fixtures import case_of

pytestmark = pytest.mark.django_db


def assignee_of(case):
    case.refresh_from_db()
    return case.assignee


def last_event(case) -> AuditEvent:
    return AuditEvent.objects.filter(object_id=str(case.pk)).order_by("-id").first()


def test_a_reviewer_takes_a_case_from_the_queue(rachel_client, rachel, alice_tenant):
    case = case_of(alice_tenant)
    response = rachel_client.post(
        f"/staff/cases/{case.pk}/take/", {"next": "/staff/cases/?assignee=none"}
    )
    assert response.status_code == 302 and response["Location"] == "/staff/cases/?assignee=none"
    assert assignee_of(case) == rachel
    event = last_event(case)
    assert event.action == "case.take" and event.actor == rachel
    assert event.after["assignee"] == "rachel"


def test_a_reviewer_may_not_assign_someone_else(rachel_client, leo, alice_tenant):
    case = case_of(alice_tenant)
    response = rachel_client.post(f"/staff/cases/{case.pk}/assign/", {"assignee": leo.pk})
    assert response.status_code == 403
    assert assignee_of(case) is None
    assert not AuditEvent.objects.filter(action__startswith="case.assign").exists()


def test_a_reviewer_gives_back_only_their_own_case(rachel_client, rachel, leo, alice_tenant):
    own = case_of(alice_tenant, assignee=rachel)
    leos = case_of(alice_tenant, assignee=leo)
    rachel_client.post(f"/staff/cases/{own.pk}/unassign/")
    assert assignee_of(own) is None
    assert last_event(own).action == "case.unassign"
    assert rachel_client.post(f"/staff/cases/{leos.pk}/unassign/").status_code == 403
    assert assignee_of(leos) == leo


def test_a_lead_assigns_and_unassigns_anyone(leo_client, leo, rachel, alice_tenant):
    case = case_of(alice_tenant)
    response = leo_client.post(f"/staff/cases/{case.pk}/assign/", {"assignee": rachel.pk})
    assert response.status_code == 302 and response["Location"] == f"/staff/cases/{case.pk}/"
    assert assignee_of(case) == rachel
    event = last_event(case)
    assert (event.action, event.actor, event.after["assignee"]) == ("case.assign", leo, "rachel")
    leo_client.post(f"/staff/cases/{case.pk}/unassign/")
    assert assignee_of(case) is None


def test_only_active_staff_can_be_given_a_case(leo, alice, alice_tenant):
    case = case_of(alice_tenant)
    retired = factories.StaffProfileFactory(role="reviewer", is_active=False).user
    for person in (alice, retired):
        with pytest.raises(CaseActionError):
            do_assign_case(case, actor=leo, assignee=person)
    assert assignee_of(case) is None
    assert not AuditEvent.objects.filter(action="case.assign").exists()


def test_the_form_refuses_someone_who_is_not_staff(leo_client, alice, alice_tenant):
    case = case_of(alice_tenant)
    response = leo_client.post(f"/staff/cases/{case.pk}/assign/", {"assignee": alice.pk})
    assert response.status_code == 302
    assert assignee_of(case) is None
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["Choose an active staff member."]


def test_a_closed_case_is_not_assigned(rachel, alice_tenant):
    case = case_of(alice_tenant, state=CaseState.RESOLVED)
    with pytest.raises(CaseActionError):
        do_take_case(case, actor=rachel)
    assert assignee_of(case) is None


def test_unassign_by_a_reviewer_of_someone_elses_case_is_refused_by_the_action(
    rachel, leo, alice_tenant
):
    case = case_of(alice_tenant, assignee=leo)
    with pytest.raises(CaseActionError):
        do_unassign_case(case, actor=rachel)
    assert assignee_of(case) == leo


def test_the_case_page_shows_the_assignment_buttons(leo_client, rachel, alice_tenant):
    case = case_of(alice_tenant, assignee=rachel)
    page = leo_client.get(f"/staff/cases/{case.pk}/").content.decode()
    assert 'id="assignment"' in page
    form = f'id="assignment-{case.pk}" method="post" action="/staff/cases/{case.pk}/assign/"'
    assert form in page
    assert f'form="assignment-{case.pk}" formaction="/staff/cases/{case.pk}/unassign/"' in page
    assert f'name="assignee" form="assignment-{case.pk}"' in page


def test_a_reviewer_sees_take_but_not_assign(rachel_client, alice_tenant):
    case = case_of(alice_tenant)
    page = rachel_client.get(f"/staff/cases/{case.pk}/").content.decode()
    assert f'form="assignment-{case.pk}" formaction="/staff/cases/{case.pk}/take/"' in page
    assert f'name="assignee" form="assignment-{case.pk}"' not in page


@pytest.mark.parametrize("step", ["take", "assign", "unassign"])
def test_customers_cannot_assign(alice_client, bob, bob_tenant, step):
    case = case_of(bob_tenant)
    response = alice_client.post(f"/staff/cases/{case.pk}/{step}/", {"assignee": bob.pk})
    assert response.status_code == 403
    assert assignee_of(case) is None


def test_an_inactive_staff_member_cannot_take_cases(alice_tenant):
    profile = factories.StaffProfileFactory(role="reviewer")
    client = staff_client(profile.user)
    profile.is_active = False
    profile.save()
    case = case_of(alice_tenant)
    assert client.post(f"/staff/cases/{case.pk}/take/").status_code == 403
    assert assignee_of(case) is None
