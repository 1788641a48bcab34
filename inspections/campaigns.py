"""Campaign actions (create, start, cancel, make recurring) and which websites a scope covers.

Each ``do_*`` action runs in one transaction, checks the state machine, writes an audit
row and queues its Celery work with ``transaction.on_commit``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from filings.models import Website
from icpportal import audit
from inspections.models import Campaign, CampaignScope, CampaignStatus
from inspections.rules import rules_for

# The websites a campaign inspects: filed here and served by this provider (or moving to it).
INSPECTED_ACCESS_STATES = (
    Website.AccessState.ACCESSED,
    Website.AccessState.TRANSFER_PENDING,
)
SCHEDULED_TASK = "inspections.tasks.run_scheduled_campaign"


class CampaignError(Exception):
    """A campaign action that cannot be done; ``message`` is for the person who asked."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Scope:
    """Which websites: a kind and its choices (tenant ids, province codes, website ids)."""

    kind: str = CampaignScope.ALL
    tenant_ids: tuple[int, ...] = ()
    province_codes: tuple[str, ...] = ()
    website_ids: tuple[int, ...] = ()

    @classmethod
    def of(cls, campaign: Campaign) -> Scope:
        tenant_ids = ()
        if campaign.scope == CampaignScope.TENANT:
            tenant_ids = tuple(campaign.scope_tenants.values_list("pk", flat=True))
        return cls(
            kind=campaign.scope,
            tenant_ids=tenant_ids,
            province_codes=tuple(campaign.scope_provinces or ()),
            website_ids=tuple(campaign.scope_website_ids or ()),
        )


def inspected_websites() -> QuerySet[Website]:
    """Every website a campaign may inspect (the partial index ``website_filed_id``)."""
    return Website.objects.filter(
        filing_state=Website.FilingState.FILED, access_state__in=INSPECTED_ACCESS_STATES
    )


def websites_in_scope(scope: Scope) -> QuerySet[Website]:
    """The websites of ``scope``; iterate ids with ``values_list(…).iterator()``."""
    rows = inspected_websites()
    if scope.kind == CampaignScope.TENANT:
        return rows.filter(tenant_id__in=scope.tenant_ids)
    if scope.kind == CampaignScope.PROVINCE:
        return rows.filter(entity__province_id__in=scope.province_codes)
    if scope.kind == CampaignScope.WEBSITES:
        return rows.filter(pk__in=scope.website_ids)
    return rows


def count_in_scope(scope: Scope) -> int:
    """The impact line of the campaign form: "N websites in scope"."""
    return websites_in_scope(scope).count()


def _check_scope(scope: Scope) -> None:
    missing = {
        CampaignScope.TENANT: not scope.tenant_ids,
        CampaignScope.PROVINCE: not scope.province_codes,
        CampaignScope.WEBSITES: not scope.website_ids,
    }.get(scope.kind, False)
    if missing:
        raise CampaignError(_("Choose at least one customer, province or website for this scope."))


def do_create_campaign(
    *,
    name: str,
    scope: Scope,
    rule_codes: Sequence[str] = (),
    chunk_size: int | None = None,
    actor=None,
    template: Campaign | None = None,
) -> Campaign:
    """A new campaign, not started. Unknown rule codes are refused."""
    _check_scope(scope)
    codes = list(dict.fromkeys(rule_codes))
    try:
        rules_for(codes or None)
    except KeyError as exc:
        raise CampaignError(str(exc.args[0])) from None
    with transaction.atomic():
        campaign = Campaign(
            name=name,
            scope=scope.kind,
            scope_provinces=list(scope.province_codes)
            if scope.kind == CampaignScope.PROVINCE
            else [],
            scope_website_ids=sorted({int(i) for i in scope.website_ids})
            if scope.kind == CampaignScope.WEBSITES
            else [],
            rule_codes=codes,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            template=template,
        )
        if chunk_size is not None:
            campaign.chunk_size = chunk_size
        campaign.full_clean(exclude=["scope_tenants", "status"])
        campaign.save()
        if scope.kind == CampaignScope.TENANT:
            campaign.scope_tenants.set(scope.tenant_ids)
        audit.record("campaign.create", campaign, actor=actor, after=_described(campaign, scope))
    return campaign


def _described(campaign: Campaign, scope: Scope) -> dict:
    return {
        "name": campaign.name,
        "scope": campaign.scope,
        "tenants": list(scope.tenant_ids),
        "provinces": list(scope.province_codes),
        "websites": len(scope.website_ids),
        "rules": campaign.rule_codes or "all",
        "chunk_size": campaign.chunk_size,
    }


def _locked(campaign_id: int) -> Campaign:
    return Campaign.objects.select_for_update().get(pk=campaign_id)


def do_start_campaign(
    campaign: Campaign | int, *, actor=None, queue: str | None = None
) -> Campaign:
    """Start a pending campaign: the workers resolve its scope and inspect in chunks.

    ``queue`` (default ``INSPECTION_QUEUE``, else Celery's default queue) is where its
    start task and chunk tasks go, e.g. a queue served by dedicated inspection workers.
    """
    from inspections.tasks import start_campaign

    queue = queue or getattr(settings, "INSPECTION_QUEUE", "") or None

    campaign_id = campaign if isinstance(campaign, int) else campaign.pk
    with transaction.atomic():
        campaign = _locked(campaign_id)
        if campaign.is_recurring_template:
            raise CampaignError(_("A recurring campaign starts by its schedule, not by hand."))
        if not can_proceed(campaign.start):
            raise CampaignError(
                _("The campaign is “%(status)s”: it cannot be started.")
                % {"status": campaign.get_status_display()}
            )
        campaign.start()
        campaign.started_at = timezone.now()
        campaign.save(update_fields=["status", "started_at"])
        audit.record(
            "campaign.start",
            campaign,
            actor=actor,
            before={"status": CampaignStatus.PENDING},
            after={"status": campaign.status},
        )
        options = {"queue": queue} if queue else {}
        transaction.on_commit(
            lambda: start_campaign.apply_async((campaign_id,), {"queue": queue}, **options)
        )
    return campaign


def do_cancel_campaign(campaign: Campaign | int, *, actor=None, reason: str = "") -> Campaign:
    """Stop a campaign: chunks not yet started do nothing; results so far stay."""
    campaign_id = campaign if isinstance(campaign, int) else campaign.pk
    with transaction.atomic():
        campaign = _locked(campaign_id)
        before = campaign.status
        if not can_proceed(campaign.cancel):
            raise CampaignError(
                _("The campaign is “%(status)s”: it cannot be cancelled.")
                % {"status": campaign.get_status_display()}
            )
        campaign.cancel()
        campaign.finished_at = timezone.now()
        campaign.save(update_fields=["status", "finished_at"])
        audit.record(
            "campaign.cancel",
            campaign,
            actor=actor,
            before={"status": before},
            after={"status": campaign.status},
            reason=reason,
        )
    return campaign


def do_fail_campaign(campaign_id: int, reason: str) -> bool:
    """Mark a campaign that could not be run as failed (by the workers); False if it
    had already ended."""
    with transaction.atomic():
        campaign = _locked(campaign_id)
        if not can_proceed(campaign.fail):
            return False
        before = campaign.status
        campaign.fail()
        campaign.finished_at = timezone.now()
        campaign.failure_reason = reason[:2000]
        campaign.save(update_fields=["status", "finished_at", "failure_reason"])
        audit.record(
            "campaign.fail",
            campaign,
            before={"status": before},
            after={"status": campaign.status},
            reason=reason[:500],
        )
    return True


def do_copy_campaign(template_id: int, *, actor=None) -> Campaign:
    """A new pending campaign with the template's scope and rules (a recurring run)."""
    template = Campaign.objects.get(pk=template_id)
    name = f"{template.name} · {timezone.localtime():%Y-%m-%d %H:%M}"
    return do_create_campaign(
        name=name[:200],
        scope=Scope.of(template),
        rule_codes=template.rule_codes,
        chunk_size=template.chunk_size,
        actor=actor,
        template=template,
    )


def do_make_recurring(campaign: Campaign, schedule, *, actor=None) -> Campaign:
    """Make ``campaign`` a recurring template run on ``schedule`` (a django-celery-beat
    ``CrontabSchedule`` or ``IntervalSchedule``); only a campaign not started may be one."""
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    with transaction.atomic():
        campaign = _locked(campaign.pk)
        if campaign.status != CampaignStatus.PENDING:
            raise CampaignError(_("Only a campaign not started yet can be made recurring."))
        kind = "crontab" if isinstance(schedule, CrontabSchedule) else "interval"
        task, _created = PeriodicTask.objects.update_or_create(
            name=f"Inspection campaign {campaign.pk}",
            defaults={
                "task": SCHEDULED_TASK,
                "args": json.dumps([campaign.pk]),
                kind: schedule,
                "enabled": True,
            },
        )
        campaign.schedule = task
        campaign.save(update_fields=["schedule"])
        audit.record("campaign.schedule", campaign, actor=actor, after={"schedule": str(schedule)})
    return campaign


def rule_codes_of(campaign: Campaign) -> list[str]:
    """The codes the campaign runs, in registration order (every rule when none chosen)."""
    return [rule.code for rule in rules_for(campaign.rule_codes or None)]


def tenant_ids(values: Iterable) -> tuple[int, ...]:
    return tuple(sorted({int(getattr(v, "pk", v)) for v in values}))
