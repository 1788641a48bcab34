"""Safeguards against blocking many websites by mistake.

- the global pause (a lead's switch): no block and no cancel runs while it is on;
- the hourly cap: blocks are reserved from a per-hour budget before they are applied;
- the campaign threshold: when one campaign would block more websites than
  ``ENFORCEMENT_CAMPAIGN_APPROVAL_THRESHOLD``, its blocks wait for a lead's approval.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db import transaction

from inspections.models import (
    BlockBudget,
    CampaignBlockApproval,
    CaseState,
    EnforcementControl,
    RectificationCase,
)
from inspections.models.cases import OPEN_STATES

S = CaseState
# A campaign's cases that count as "would block": overdue, or blocked or cancelled already.
BLOCKING_STATES = (S.OVERDUE, S.ACCESS_BLOCKED, S.ACCESS_CANCELLED, S.TRANSFER_CANCELLED)


def enforcement_paused() -> bool:
    return EnforcementControl.objects.filter(
        pk=EnforcementControl.SINGLETON_ID, paused=True
    ).exists()


def _hour(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0)


def reserve_blocks(wanted: int, now: datetime) -> int:
    """Take up to ``wanted`` blocks from this hour's budget; how many were granted.

    A short transaction of its own, so concurrent workers wait on the budget row only
    for an instant. Unused blocks go back with :func:`release_blocks`; a worker that
    dies in between loses its reservation, which errs on the side of fewer blocks.
    """
    cap = settings.ENFORCEMENT_BLOCKS_PER_HOUR
    if wanted <= 0 or cap <= 0:
        return 0
    with transaction.atomic():
        BlockBudget.objects.get_or_create(hour=_hour(now))
        budget = BlockBudget.objects.select_for_update().get(hour=_hour(now))
        granted = max(0, min(wanted, cap - budget.blocks))
        if granted:
            budget.blocks += granted
            budget.save(update_fields=["blocks"])
    return granted


def release_blocks(unused: int, now: datetime) -> None:
    if unused > 0:
        from django.db.models import F

        BlockBudget.objects.filter(hour=_hour(now), blocks__gte=unused).update(
            blocks=F("blocks") - unused
        )


def blocks_this_hour(now: datetime) -> int:
    return BlockBudget.objects.filter(hour=_hour(now)).values_list("blocks", flat=True).first() or 0


def campaigns_needing_approval(
    campaign_ids: Iterable[int], *, safe: set[int] | None = None
) -> set[int]:
    """Campaigns that would block more websites than the threshold and have no approval.

    ``safe`` (kept by the caller for one escalation run) collects campaigns that cannot
    reach the threshold during the run: even if every one of their open cases went
    overdue, they would block no more than it. A campaign gains cases only when it
    finishes, and those start with days to their deadline, so the verdict holds for
    the run and the campaign's cases need not be counted for every batch.
    """
    ids = {pk for pk in campaign_ids if pk is not None}
    if safe is not None:
        ids -= safe
    if not ids:
        return set()
    threshold = settings.ENFORCEMENT_CAMPAIGN_APPROVAL_THRESHOLD
    approved = set(
        CampaignBlockApproval.objects.filter(campaign_id__in=ids).values_list(
            "campaign_id", flat=True
        )
    )
    held = set()
    for campaign_id in ids - approved:
        cases = RectificationCase.objects.filter(campaign_id=campaign_id)
        # Counting stops past the threshold: the answer is only "more than it or not".
        could_block = cases.filter(state__in=sorted({*OPEN_STATES, *BLOCKING_STATES}))
        if could_block[: threshold + 1].count() <= threshold:
            if safe is not None:
                safe.add(campaign_id)
            continue
        would_block = cases.filter(state__in=BLOCKING_STATES)[: threshold + 1].count()
        if would_block > threshold:
            held.add(campaign_id)
    return held
