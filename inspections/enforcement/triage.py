"""Staff decisions on cannot_tell results: accept as pass, confirm as failure, re-check.

Each decision locks the result, refuses one already decided (or no longer cannot
tell), stores a :class:`TriageDecision` and writes an audit row, in one transaction.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from icpportal import audit
from icpportal.tenancy import staff_role
from inspections.enforcement.actions import CaseActionError
from inspections.enforcement.cases import open_case_for_results
from inspections.models import RectificationCase, RuleResult, TriageDecision, TriageOutcome
from inspections.models.cases import OPEN_STATES
from inspections.rules import Status


def _claim(result: RuleResult | int, actor) -> RuleResult:
    if staff_role(actor) is None:
        raise CaseActionError(_("Only compliance staff triage results."))
    pk = result if isinstance(result, int) else result.pk
    result = (
        RuleResult.objects.select_for_update(of=("self",))
        .select_related("website", "tenant")
        .get(pk=pk)
    )
    if result.status != Status.CANNOT_TELL:
        raise CaseActionError(_("Only a result the rules could not tell needs a decision."))
    if TriageDecision.objects.filter(result=result).exists():
        raise CaseActionError(_("Someone has already decided about this result."))
    return result


def _decide(result, outcome: str, *, actor, reason: str, **links) -> TriageDecision:
    decision = TriageDecision.objects.create(
        result=result,
        tenant_id=result.tenant_id,
        outcome=outcome,
        reason=reason,
        decided_by=actor,
        **links,
    )
    audit.record(
        f"triage.{outcome}",
        result,
        actor=actor,
        tenant=result.tenant,
        before={"status": result.status},
        after={
            "decision": outcome,
            "rule": result.rule_code,
            "website": result.website_id,
            **{name: obj.pk for name, obj in links.items() if obj is not None},
        },
        reason=reason,
    )
    return decision


def do_accept_as_pass(result: RuleResult | int, *, actor, reason: str) -> TriageDecision:
    """Staff checked by hand: the website meets the rule. A reason is required."""
    reason = (reason or "").strip()
    if not reason:
        raise CaseActionError(_("Give a reason for accepting this result as a pass."))
    with transaction.atomic():
        result = _claim(result, actor)
        return _decide(result, TriageOutcome.ACCEPT_PASS, actor=actor, reason=reason)


def do_confirm_failure(result: RuleResult | int, *, actor, reason: str = "") -> TriageDecision:
    """Staff checked by hand: the website fails the rule. Its case opens (or the open
    case gets the finding), exactly as a campaign's blocking failure would."""
    with transaction.atomic():
        result = _claim(result, actor)
        open_case_for_results(result.campaign_id, result.website_id, [result])
        case = RectificationCase.objects.filter(
            website_id=result.website_id, state__in=OPEN_STATES
        ).first()
        if case is None:
            raise CaseActionError(
                _("The website is no longer filed: no rectification case can be opened.")
            )
        return _decide(
            result, TriageOutcome.CONFIRM_FAILURE, actor=actor, reason=reason.strip(), case=case
        )


def do_recheck(result: RuleResult | int, *, actor, reason: str = "") -> TriageDecision:
    """Run the rule again on the website now; a new cannot_tell comes back to the queue."""
    from inspections.campaigns import CampaignError, Scope, do_create_campaign, do_start_campaign
    from inspections.models import CampaignScope

    with transaction.atomic():
        result = _claim(result, actor)
        try:
            campaign = do_create_campaign(
                name=f"Re-check of {result.rule_code} on website #{result.website_id}",
                scope=Scope(kind=CampaignScope.WEBSITES, website_ids=(result.website_id,)),
                rule_codes=[result.rule_code],
                actor=actor,
            )
            do_start_campaign(campaign, actor=actor)
        except CampaignError as error:
            raise CaseActionError(str(error)) from None
        return _decide(
            result, TriageOutcome.RECHECK, actor=actor, reason=reason.strip(), recheck=campaign
        )


def do_decide(result: RuleResult | int, outcome: str, *, actor, reason: str = "") -> TriageDecision:
    """The decision ``outcome`` (a :class:`TriageOutcome`) on one result."""
    if outcome == TriageOutcome.ACCEPT_PASS:
        return do_accept_as_pass(result, actor=actor, reason=reason)
    if outcome == TriageOutcome.CONFIRM_FAILURE:
        return do_confirm_failure(result, actor=actor, reason=reason)
    if outcome == TriageOutcome.RECHECK:
        return do_recheck(result, actor=actor, reason=reason)
    raise CaseActionError(_("Choose accept as pass, confirm as failure or re-check."))
