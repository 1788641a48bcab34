"""Recurring campaigns: a lead schedules one on the campaigns page; beat runs copies."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from icpportal.models import AuditEvent
from inspections import tasks
from inspections.campaigns import SCHEDULED_TASK, CampaignError, Scope
from inspections.models import Campaign, CampaignStatus
from inspections.schedules import (
    Crontab,
    do_create_schedule,
    do_delete_schedule,
    do_set_schedule_enabled,
)
from tests.factories import DomainFactory, WebsiteFactory

pytestmark = pytest.mark.django_db

NIGHTLY = {
    "minute": "30",
    "hour": "2",
    "day_of_month": "*",
    "month_of_year": "*",
    "day_of_week": "1-5",
}


def form_data(**overrides) -> dict:
    return {"name": "Nightly sweep", "scope": "all", "chunk_size": "500", **NIGHTLY, **overrides}


def audit_actions(campaign: Campaign) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="inspections.campaign", object_id=str(campaign.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def scheduled(leo, name="Weekly") -> Campaign:
    website = WebsiteFactory()
    DomainFactory(website=website)
    return do_create_schedule(
        name=name,
        scope=Scope("tenant", tenant_ids=(website.tenant_id,)),
        crontab=Crontab(minute="0", hour="3", day_of_week="mon"),
        rule_codes=["domain_expiry"],
        actor=leo,
    )


def test_lead_schedules_a_recurring_campaign_on_the_campaigns_page(leo, leo_client):
    # GIVEN a lead on the form for a new recurring campaign
    page = leo_client.get(reverse("schedule-create"))
    assert page.status_code == 200
    assert "When it runs" in page.content.decode()

    # WHEN they ask for every working day at 02:30 over every rule
    response = leo_client.post(reverse("schedule-create"), form_data())

    # THEN a recurring template exists, with its beat task calling the scheduled task
    assert response.status_code == 302 and response.url == reverse("campaign-list")
    template = Campaign.objects.get(name="Nightly sweep")
    assert template.is_recurring_template and template.status == CampaignStatus.PENDING
    assert template.created_by == leo
    task = template.schedule
    assert (task.task, json.loads(task.args), task.enabled) == (SCHEDULED_TASK, [template.pk], True)
    crontab = task.crontab
    assert (crontab.minute, crontab.hour, crontab.day_of_week) == ("30", "2", "1-5")
    assert str(crontab.timezone) == "Asia/Shanghai"
    # AND the change is audited, by the lead
    assert audit_actions(template) == ["campaign.create", "campaign.schedule.create"]
    actors = AuditEvent.objects.filter(object_id=str(template.pk)).values_list("actor", flat=True)
    assert set(actors) == {leo.pk}
    # AND the campaigns page lists it with its crontab and the actions
    listing = leo_client.get(reverse("campaign-list")).content.decode()
    assert "Recurring campaigns" in listing and "30 2 * * 1-5" in listing
    assert reverse("schedule-toggle", args=[template.pk]) in listing


def test_a_bad_crontab_is_refused_and_nothing_is_saved(leo_client):
    # GIVEN the form WHEN the minute is 61
    response = leo_client.post(reverse("schedule-create"), form_data(minute="61"))

    # THEN the form says what is wrong and neither a campaign nor a beat task exists
    assert response.status_code == 200
    assert "“61” is not a valid crontab value." in response.content.decode()
    assert not Campaign.objects.exists()
    assert not PeriodicTask.objects.filter(task=SCHEDULED_TASK).exists()
    # AND the service refuses it too, before writing anything
    with pytest.raises(CampaignError):
        do_create_schedule(
            name="x", scope=Scope(), crontab=Crontab(hour="25"), actor=response.wsgi_request.user
        )
    assert not Campaign.objects.exists()


def test_a_reviewer_cannot_schedule_pause_or_delete(rachel_client, leo):
    # GIVEN a schedule of leo's
    template = scheduled(leo)

    # WHEN a reviewer tries to create one, pause it or delete it
    answers = [
        rachel_client.get(reverse("schedule-create")).status_code,
        rachel_client.post(reverse("schedule-create"), form_data()).status_code,
        rachel_client.post(reverse("schedule-toggle", args=[template.pk]), {"enabled": "0"}),
        rachel_client.post(reverse("schedule-delete", args=[template.pk])),
    ]

    # THEN every request is forbidden and the schedule is untouched
    codes = [a if isinstance(a, int) else a.status_code for a in answers]
    assert codes == [403, 403, 403, 403]
    task = PeriodicTask.objects.get(pk=template.schedule_id)
    assert task.enabled and Campaign.objects.filter(name="Nightly sweep").count() == 0


def test_each_firing_creates_and_starts_a_campaign_by_the_scheduling_lead(
    leo, django_capture_on_commit_callbacks
):
    # GIVEN leo's weekly schedule over one customer
    template = scheduled(leo)

    # WHEN beat fires it
    with django_capture_on_commit_callbacks(execute=True):
        run_id = tasks.run_scheduled_campaign(template.pk)

    # THEN a copy ran over the template's scope and rules, created and started by leo
    run = Campaign.objects.get(pk=run_id)
    assert run.template == template and run.created_by == leo
    assert run.rule_codes == ["domain_expiry"] and run.status == CampaignStatus.FINISHED
    assert run.results.count() == 1
    start = AuditEvent.objects.get(object_id=str(run.pk), action="campaign.start")
    assert start.actor == leo
    # AND the template itself stays a pending template
    template.refresh_from_db()
    assert template.status == CampaignStatus.PENDING and template.is_recurring_template


def test_pause_resume_and_delete_a_schedule(leo, leo_client, django_capture_on_commit_callbacks):
    # GIVEN a schedule that already ran once
    template = scheduled(leo)
    with django_capture_on_commit_callbacks(execute=True):
        first = tasks.run_scheduled_campaign(template.pk)

    # WHEN the lead pauses it on the campaigns page
    response = leo_client.post(reverse("schedule-toggle", args=[template.pk]), {"enabled": "0"})

    # THEN its beat task is disabled, and a firing already on its way starts nothing
    assert response.status_code == 302
    assert not PeriodicTask.objects.get(pk=template.schedule_id).enabled
    assert tasks.run_scheduled_campaign(template.pk) is None

    # WHEN resumed THEN it is enabled again; pausing twice writes one audit row
    do_set_schedule_enabled(template, True, actor=leo)
    do_set_schedule_enabled(template, True, actor=leo)
    assert PeriodicTask.objects.get(pk=template.schedule_id).enabled

    # WHEN deleted
    task_id = template.schedule_id
    leo_client.post(reverse("schedule-delete", args=[template.pk]))

    # THEN the beat task is gone, the template is cancelled, the run and its results stay
    assert not PeriodicTask.objects.filter(pk=task_id).exists()
    template.refresh_from_db()
    assert template.status == CampaignStatus.CANCELLED and not template.is_recurring_template
    assert Campaign.objects.get(pk=first).results.count() == 1
    assert tasks.run_scheduled_campaign(template.pk) is None
    # AND every step is audited, in order
    assert audit_actions(template) == [
        "campaign.create",
        "campaign.schedule.create",
        "campaign.schedule.disable",
        "campaign.schedule.enable",
        "campaign.schedule.delete",
    ]
    # AND deleting again is refused with a message, not an error page
    with pytest.raises(CampaignError):
        do_delete_schedule(template, actor=leo)
    again = leo_client.post(reverse("schedule-delete", args=[template.pk]), follow=True)
    assert "This campaign is not on a schedule." in again.content.decode()


def test_schedules_share_one_crontab_row_per_crontab(leo):
    # GIVEN two schedules at the same time
    scheduled(leo, "A")
    scheduled(leo, "B")

    # THEN beat keeps one CrontabSchedule for both, in the portal's time zone
    assert CrontabSchedule.objects.filter(minute="0", hour="3", day_of_week="mon").count() == 1


def test_the_campaigns_page_queries_do_not_grow_with_schedules(
    leo, rachel_client, django_assert_max_num_queries
):
    # GIVEN one schedule, then ten more (11 queries: one reads the session's second factor)
    scheduled(leo, "first")
    with django_assert_max_num_queries(11):
        small = rachel_client.get(reverse("campaign-list"))
    for n in range(10):
        scheduled(leo, f"more {n}")

    # THEN the campaigns page makes as many queries, and a reviewer sees no actions
    with django_assert_max_num_queries(11):
        large = rachel_client.get(reverse("campaign-list"))
    assert small.status_code == large.status_code == 200
    assert large.content.decode().count("0 3 * * mon") == 11
    assert "schedule/toggle" not in large.content.decode()
