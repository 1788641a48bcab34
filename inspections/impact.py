"""What a campaign would do before a lead launches it: how many websites, how long, and
how many rectification cases it would open on what the websites' latest results say."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from filings.models import Website
from inspections.campaigns import Scope, count_in_scope, websites_in_scope
from inspections.models import Campaign, CampaignStatus, RectificationCase, RuleResult
from inspections.models.cases import OPEN_STATES
from inspections.rules import Severity, Status, rules_for

# The pace of this many last finished campaigns estimates a new one's duration.
PACE_CAMPAIGNS = 5


@dataclass(frozen=True)
class Impact:
    """The preview of a campaign: websites in scope, expected duration, likely cases."""

    websites: int
    seconds: int | None
    # Websites whose latest result of a chosen rule is a blocking failure…
    failing: int
    # …of which already have an open case (their findings join it).
    with_open_case: int

    @property
    def would_open(self) -> int:
        return self.failing - self.with_open_case

    def duration_text(self) -> str:
        if self.seconds is None:
            return ""
        if self.seconds < 60:
            return _("under a minute")
        minutes = round(self.seconds / 60)
        if minutes < 90:
            return ngettext("about %(n)d minute", "about %(n)d minutes", minutes) % {"n": minutes}
        hours = round(self.seconds / 3600)
        return ngettext("about %(n)d hour", "about %(n)d hours", hours) % {"n": hours}


def websites_per_second() -> float | None:
    """The pace of the last finished campaigns (one query), None before the first."""
    rows = (
        Campaign.objects.filter(
            status=CampaignStatus.FINISHED,
            started_at__isnull=False,
            finished_at__isnull=False,
            total_websites__gt=0,
        )
        .order_by("-finished_at")
        .values_list("total_websites", "started_at", "finished_at")[:PACE_CAMPAIGNS]
    )
    websites = seconds = 0.0
    for total, started, finished in rows:
        websites += total
        seconds += max(1.0, (finished - started).total_seconds())
    return websites / seconds if seconds else None


def failing_now(scope: Scope, rule_codes: Sequence[str]) -> dict[str, int]:
    """Websites of ``scope`` whose latest result of one of ``rule_codes`` is a blocking
    failure, and how many of them have an open case: one query.

    The latest result per website and rule is read with DISTINCT ON over the index
    ``ruleresult_website_latest``.
    """
    latest = (
        RuleResult.objects.filter(
            website__in=websites_in_scope(scope).values("pk"), rule_code__in=list(rule_codes)
        )
        .order_by("website_id", "rule_code", "-created_at", "-id")
        .distinct("website_id", "rule_code")
        .values("pk")
    )
    failing = RuleResult.objects.filter(
        pk__in=latest, status=Status.FAIL, severity=Severity.BLOCKING
    ).values("website_id")
    open_case = RectificationCase.objects.filter(website=OuterRef("pk"), state__in=OPEN_STATES)
    return Website.objects.filter(pk__in=failing).aggregate(
        failing=Count("pk"), with_open_case=Count("pk", filter=Q(Exists(open_case)))
    )


def campaign_impact(scope: Scope, rule_codes: Sequence[str] = ()) -> Impact:
    """The preview of a campaign over ``scope`` with ``rule_codes`` (none: every rule)."""
    codes = [rule.code for rule in rules_for(list(rule_codes) or None)]
    websites = count_in_scope(scope)
    pace = websites_per_second()
    counts = failing_now(scope, codes) if websites else {"failing": 0, "with_open_case": 0}
    return Impact(
        websites=websites,
        seconds=round(websites / pace) if pace else None,
        failing=counts["failing"],
        with_open_case=counts["with_open_case"],
    )
