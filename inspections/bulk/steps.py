"""One bulk step on one case, through the action staff would use on the case page.

Every action writes its own audit row; a case is marked handled in the same
transaction, so a retried run never applies the step to it twice.
"""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from icpportal.models import BulkJob, BulkJobItem
from inspections.enforcement.actions import (
    CaseActionError,
    do_extend_case,
    do_request_reinspection,
    do_waive_finding,
)
from inspections.enforcement.assignment import do_assign_case
from inspections.enforcement.reminders import do_remind_case
from inspections.models import CaseFinding, FindingStatus
from inspections.tasks import TRANSIENT_ERRORS

logger = logging.getLogger(__name__)
K = BulkJob.Kind
Outcome = BulkJobItem.Outcome


def apply_step(job: BulkJob, case_id: int) -> tuple[str, str]:
    """(outcome, message) of the job's step on one case; CaseActionError when refused."""
    actor, params = job.requested_by, job.params
    if job.kind == K.EXTEND:
        do_extend_case(case_id, actor=actor, days=params["days"], reason=params["reason"])
    elif job.kind == K.ASSIGN:
        # do_assign_case loads the assignee (with its staff profile) itself.
        assignee = get_user_model()(pk=params["assignee"])
        do_assign_case(case_id, actor=actor, assignee=assignee, reason=params.get("reason", ""))
    elif job.kind == K.REMIND:
        if not do_remind_case(case_id, actor=actor):
            return Outcome.SKIPPED, _("A reminder was already sent today.")
    elif job.kind == K.REINSPECT:
        do_request_reinspection(case_id, actor=actor)
    elif job.kind == K.WAIVE:
        finding_id = (
            CaseFinding.objects.filter(
                case_id=case_id, rule_code=params["rule"], status=FindingStatus.OPEN
            )
            .values_list("pk", flat=True)
            .first()
        )
        if finding_id is None:
            return Outcome.SKIPPED, _("No failing finding of this rule.")
        do_waive_finding(finding_id, actor=actor, reason=params["reason"])
    return Outcome.APPLIED, ""


def handle_case(job: BulkJob, case_id: int) -> str | None:
    """Apply the step to one case once; the outcome, or None if a twin run handled it."""
    try:
        with transaction.atomic():
            # Claims the case: a twin run of this job waits here, then finds the row.
            BulkJobItem.objects.create(job_id=job.pk, case_id=case_id, outcome=Outcome.APPLIED)
            outcome, message = apply_step(job, case_id)
            if outcome != Outcome.APPLIED:
                BulkJobItem.objects.filter(job_id=job.pk, case_id=case_id).update(
                    outcome=outcome, message=message
                )
        return outcome
    except TRANSIENT_ERRORS:  # retried by the task
        raise
    except IntegrityError:
        if BulkJobItem.objects.filter(job_id=job.pk, case_id=case_id).exists():
            return None
        logger.exception("Bulk job %s: case %s", job.pk, case_id)
        message = _("The step could not be saved.")
    except CaseActionError as error:
        message = str(error)
    except ObjectDoesNotExist:
        message = _("The case (or the assignee) no longer exists.")
    except Exception as error:  # one broken case must not stop the other 9,999
        logger.exception("Bulk job %s: case %s", job.pk, case_id)
        message = _("Unexpected error: %(error)s") % {"error": type(error).__name__}
    _item, created = BulkJobItem.objects.get_or_create(
        job_id=job.pk, case_id=case_id, defaults={"outcome": Outcome.FAILED, "message": message}
    )
    return Outcome.FAILED if created else None
