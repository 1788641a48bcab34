"""Reading what a campaign found: progress, blocking findings per website, the triage queue.

:func:`blocking_findings` is what the enforcement side opens rectification cases
from; it streams, so a campaign over a million websites is read in bounded memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from inspections.models import (
    Campaign,
    CampaignStatus,
    InspectionStatus,
    RuleResult,
    WebsiteInspection,
)
from inspections.rules import Severity, Status

# Websites (not results) read per query while streaming findings.
FINDINGS_BATCH = 500
PROGRESS_STATUSES = (Status.PASS, Status.FAIL, Status.CANNOT_TELL, Status.ERROR)


class CampaignNotFinished(Exception):
    """Findings are read from finished campaigns only: a running one is incomplete."""


def _blocking(campaign_id: int) -> QuerySet[RuleResult]:
    # Served by the partial index ruleresult_campaign_findings.
    return RuleResult.objects.filter(
        campaign_id=campaign_id, status=Status.FAIL, severity=Severity.BLOCKING
    )


def blocking_findings(
    campaign_id: int, *, batch_size: int = FINDINGS_BATCH
) -> Iterator[tuple[int, list[RuleResult]]]:
    """``(website_id, its failing blocking results)`` of a finished campaign, by website id.

    Keyset pagination over websites: one query for the next ``batch_size`` website ids
    with a finding, one for their results; memory stays bounded by the batch.
    """
    status = Campaign.objects.filter(pk=campaign_id).values_list("status", flat=True).first()
    if status != CampaignStatus.FINISHED:
        raise CampaignNotFinished(f"Campaign {campaign_id} is {status or 'missing'}, not finished.")
    after = 0
    while True:
        website_ids = list(
            _blocking(campaign_id)
            .filter(website_id__gt=after)
            .order_by("website_id")
            .values_list("website_id", flat=True)
            .distinct()[:batch_size]
        )
        if not website_ids:
            return
        results: dict[int, list[RuleResult]] = {pk: [] for pk in website_ids}
        for result in (
            _blocking(campaign_id)
            .filter(website_id__in=website_ids)
            .order_by("website_id", "rule_code")
        ):
            results[result.website_id].append(result)
        yield from results.items()
        after = website_ids[-1]


def triage_results(campaign_id: int) -> QuerySet[RuleResult]:
    """The cannot_tell results of a campaign, for the staff triage queue (website order)."""
    return (
        RuleResult.objects.filter(campaign_id=campaign_id, status=Status.CANNOT_TELL)
        .select_related("website", "tenant")
        .order_by("website_id", "rule_code")
    )


def non_pass_results(campaign_id: int) -> QuerySet[RuleResult]:
    """The latest answers other than pass (the campaign page's table)."""
    return (
        RuleResult.objects.filter(campaign_id=campaign_id)
        .exclude(status=Status.PASS)
        .select_related("website")
        .order_by("-updated_at", "-id")
    )


@dataclass
class Progress:
    """How far a campaign got, from the database."""

    status: str
    total: int = 0
    done: int = 0
    failed: int = 0
    # rule code → {"pass": n, "fail": n, "cannot_tell": n, "error": n, "not_applicable": n}
    rules: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def finished_count(self) -> int:
        return self.done + self.failed

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.status == CampaignStatus.FINISHED else 0
        return min(100, self.finished_count * 100 // self.total)

    @property
    def is_active(self) -> bool:
        return self.status in (CampaignStatus.PENDING, CampaignStatus.RUNNING)

    def to_json(self) -> dict:
        return {
            "status": self.status,
            "total": self.total,
            "done": self.done,
            "failed": self.failed,
            "percent": self.percent,
            "rules": self.rules,
        }


def campaign_progress(campaign: Campaign, rule_codes: list[str] | None = None) -> Progress:
    """Done / total / failed and per-rule answer counts: two grouped queries."""
    counts = dict(
        campaign.inspections.order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    progress = Progress(
        status=campaign.status,
        total=campaign.total_websites,
        done=counts.get(InspectionStatus.DONE, 0),
        failed=counts.get(InspectionStatus.FAILED, 0),
    )
    empty = {str(s): 0 for s in (*PROGRESS_STATUSES, Status.NOT_APPLICABLE)}
    progress.rules = {code: dict(empty) for code in rule_codes or ()}
    rows = (
        campaign.results.order_by()
        .values_list("rule_code", "status")
        .annotate(n=Count("id"))
        .values_list("rule_code", "status", "n")
    )
    for code, status, n in rows:
        progress.rules.setdefault(code, dict(empty))[status] = n
    return progress


def progress_for(campaigns: list[Campaign]) -> dict[int, int]:
    """Percent done of several campaigns in one query (the campaign list)."""
    ids = [c.pk for c in campaigns]
    rows = (
        WebsiteInspection.objects.filter(campaign_id__in=ids)
        .exclude(status=InspectionStatus.PENDING)
        .order_by()
        .values_list("campaign_id")
        .annotate(n=Count("id"))
        .values_list("campaign_id", "n")
    )
    finished = dict(rows)
    percents: dict[int, int] = {}
    for c in campaigns:
        if c.total_websites:
            percents[c.pk] = min(100, finished.get(c.pk, 0) * 100 // c.total_websites)
        else:
            percents[c.pk] = 100 if c.status == CampaignStatus.FINISHED else 0
    return percents
