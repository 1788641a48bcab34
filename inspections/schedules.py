"""Recurring campaigns: a lead's campaign run again and again on a crontab.

A schedule is a recurring template campaign (never started itself, see
``Campaign.is_recurring_template``) plus the django-celery-beat ``PeriodicTask`` that
calls ``inspections.tasks.run_scheduled_campaign`` with the template's id. Each time it
fires, a copy of the template is created and started, with ``created_by`` the lead
who made the schedule. Every action runs in one transaction with an audit row.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_celery_beat.models import CrontabSchedule, PeriodicTask
from django_celery_beat.validators import (
    day_of_month_validator,
    day_of_week_validator,
    hour_validator,
    minute_validator,
    month_of_year_validator,
)

from icpportal import audit
from inspections.campaigns import (
    SCHEDULED_TASK,
    CampaignError,
    Scope,
    do_create_campaign,
)
from inspections.models import Campaign, CampaignStatus

__all__ = [
    "Crontab",
    "do_create_schedule",
    "do_delete_schedule",
    "do_set_schedule_enabled",
    "periodic_task_name",
    "schedules",
]


@dataclass(frozen=True)
class Crontab:
    """When a schedule fires, in crontab notation and the portal's time zone."""

    minute: str = "0"
    hour: str = "2"
    day_of_week: str = "*"
    day_of_month: str = "*"
    month_of_year: str = "*"

    VALIDATORS = {
        "minute": minute_validator,
        "hour": hour_validator,
        "day_of_week": day_of_week_validator,
        "day_of_month": day_of_month_validator,
        "month_of_year": month_of_year_validator,
    }

    def errors(self) -> dict[str, str]:
        """Field → message for each part that is not valid crontab."""
        found = {}
        for name, validate in self.VALIDATORS.items():
            try:
                validate(str(getattr(self, name)).strip())
            except (ValidationError, ValueError):
                found[name] = _("“%(value)s” is not a valid crontab value.") % {
                    "value": getattr(self, name)
                }
        return found

    def text(self) -> str:
        return " ".join(
            (self.minute, self.hour, self.day_of_month, self.month_of_year, self.day_of_week)
        )

    def schedule(self) -> CrontabSchedule:
        """The shared ``CrontabSchedule`` row for this crontab (created when new)."""
        row, _created = CrontabSchedule.objects.get_or_create(
            minute=self.minute.strip(),
            hour=self.hour.strip(),
            day_of_week=self.day_of_week.strip(),
            day_of_month=self.day_of_month.strip(),
            month_of_year=self.month_of_year.strip(),
            timezone=settings.TIME_ZONE,
        )
        return row


def periodic_task_name(campaign: Campaign) -> str:
    return f"Inspection campaign {campaign.pk}"


def schedules() -> QuerySet[Campaign]:
    """The recurring templates still scheduled, with their beat task, newest first."""
    return (
        Campaign.objects.filter(schedule__isnull=False)
        .select_related("schedule", "schedule__crontab", "created_by")
        .order_by("-created_at", "-id")
    )


def _locked_template(campaign_id: int) -> Campaign:
    campaign = (
        Campaign.objects.select_for_update(of=("self",))
        .select_related("schedule")
        .filter(pk=campaign_id, schedule__isnull=False)
        .first()
    )
    if campaign is None:
        raise CampaignError(_("This campaign is not on a schedule."))
    return campaign


def do_create_schedule(
    *,
    name: str,
    scope: Scope,
    crontab: Crontab,
    actor,
    rule_codes: Sequence[str] = (),
    chunk_size: int | None = None,
) -> Campaign:
    """A recurring campaign run on ``crontab``, its runs created by ``actor``."""
    if errors := crontab.errors():
        raise CampaignError(" ".join(errors.values()))
    if not getattr(actor, "is_authenticated", False):
        raise CampaignError(_("A schedule needs the lead it runs for."))
    with transaction.atomic():
        template = do_create_campaign(
            name=name, scope=scope, rule_codes=rule_codes, chunk_size=chunk_size, actor=actor
        )
        task = PeriodicTask.objects.create(
            name=periodic_task_name(template),
            task=SCHEDULED_TASK,
            args=json.dumps([template.pk]),
            crontab=crontab.schedule(),
            queue=getattr(settings, "INSPECTION_QUEUE", "") or None,
            enabled=True,
            description=name[:200],
        )
        template.schedule = task
        template.save(update_fields=["schedule"])
        audit.record(
            "campaign.schedule.create",
            template,
            actor=actor,
            after={"crontab": crontab.text(), "timezone": settings.TIME_ZONE, "enabled": True},
        )
    return template


def do_set_schedule_enabled(campaign: Campaign | int, enabled: bool, *, actor) -> Campaign:
    """Pause (``enabled=False``) or resume a schedule; runs already started go on."""
    campaign_id = campaign if isinstance(campaign, int) else campaign.pk
    with transaction.atomic():
        template = _locked_template(campaign_id)
        task = PeriodicTask.objects.select_for_update().get(pk=template.schedule_id)
        if task.enabled == enabled:
            return template
        task.enabled = enabled
        task.save(update_fields=["enabled"])
        audit.record(
            "campaign.schedule.enable" if enabled else "campaign.schedule.disable",
            template,
            actor=actor,
            before={"enabled": not enabled},
            after={"enabled": enabled},
        )
    return template


def do_delete_schedule(campaign: Campaign | int, *, actor, reason: str = "") -> Campaign:
    """Stop a schedule for good: its beat task goes and the template is cancelled.
    The campaigns it already ran, and their results, stay."""
    campaign_id = campaign if isinstance(campaign, int) else campaign.pk
    with transaction.atomic():
        template = _locked_template(campaign_id)
        task = template.schedule
        before = {"crontab": str(task.crontab or task.interval or ""), "enabled": task.enabled}
        template.schedule = None
        if template.status == CampaignStatus.PENDING:
            template.cancel()
            template.finished_at = timezone.now()
        template.save(update_fields=["schedule", "status", "finished_at"])
        task.delete()
        audit.record(
            "campaign.schedule.delete",
            template,
            actor=actor,
            before=before,
            after={"status": template.status},
            reason=reason,
        )
    return template
