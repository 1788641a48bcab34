"""The MIIT steps of an application: the heads' SMS codes, and the bureau's decision.

Re-exported by ``filings.applications.actions``; import the actions from there.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from filings.applications import sms_step
from filings.applications.apply import ApplyError, apply_payload, end_transfer_access
from filings.applications.notices import notify_customer
from filings.applications.transitions import (
    ActionResult,
    Refused,
    done,
    locked,
    not_allowed,
    record_transition,
    refused,
    transition,
)
from filings.choices import ApplicationStatus, HeadRole
from filings.models import Application, MiitVerification
from filings.registry import RegistryError, get_registry
from icpportal import audit

Status = ApplicationStatus
Verification = MiitVerification.Status


def _apply_errors(error: Exception) -> dict[str, list[str]]:
    if isinstance(error, ApplyError):
        return error.field_errors
    # A database constraint caught what validation could not (a row written meanwhile);
    # its text names tables and values, so the person gets a plain message.
    return {"": [_("Another record already holds some of this data.")]}


def send_to_bureau(application: Application, now: datetime.datetime | None = None) -> str:
    """Submit the (locked) application to the registry; raises ``RegistryError``."""
    application.registry_reference = get_registry().submit(application)
    application.bureau_submitted_at = now or timezone.now()
    return application.registry_reference


def _fail_sms_step(
    app: Application, *, actor, reason: str, closing: str, now: datetime.datetime
) -> None:
    """sms_verification → returned: the codes were not all entered in time or correctly."""
    before = app.status
    sms_step.close_pending(app, closing, now)
    app.fail_sms_verification()
    app.return_reasons = {"": reason}
    # The transfer's access opened at provider pass; it opens again at the next pass.
    end_transfer_access(app, actor)
    app.save()
    event = record_transition(
        app, "application.sms_failed", actor=actor, before=before, reason=reason
    )
    notify_customer(
        app, "application_returned", occurrence=str(event.pk), context={"reasons": reason}
    )


def _expired_reason() -> str:
    return _("The MIIT SMS codes were not all entered within 24 hours.")


def do_record_miit_code(application: Application, role: str, code: str, *, actor) -> ActionResult:
    """A head enters the MIIT code sent to their mobile.

    The last head's right code sends the application to the bureau; 5 wrong codes
    from one head, or a code after the 24 hours, return it to the customer.
    """
    entered = (code or "").strip()
    try:
        with transaction.atomic():
            app = locked(application)
            if app.status != Status.SMS_VERIFICATION:
                raise Refused(not_allowed(app, _("verified by SMS")))
            if role not in sms_step.required_roles(app):
                raise Refused(
                    refused(
                        app, "unknown_role", _("This application needs no code from this head.")
                    )
                )
            verification = (
                sms_step.pending_verifications(app).select_for_update().filter(role=role).first()
            )
            if verification is None:
                raise Refused(refused(app, "not_pending", _("No code is waiting for this head.")))
            if not entered:
                raise Refused(refused(app, "empty", _("Enter the code from the SMS.")))
            now = timezone.now()
            if now >= verification.expires_at:
                _fail_sms_step(
                    app,
                    actor=actor,
                    reason=_expired_reason(),
                    closing=Verification.EXPIRED,
                    now=now,
                )
                return refused(
                    app, "expired", _("The code has expired: the application was returned to you.")
                )
            if get_registry().check_sms_code(app, role, entered):
                return _code_accepted(app, verification, actor=actor, now=now)
            return _code_refused(app, verification, actor=actor, now=now)
    except Refused as refusal:
        return refusal.result
    except RegistryError as error:
        return refused(application, "registry", str(error))


def _code_accepted(
    app: Application, verification: MiitVerification, *, actor, now: datetime.datetime
) -> ActionResult:
    verification.status = Verification.VERIFIED
    verification.verified_at = verification.finished_at = now
    verification.save(update_fields=["status", "verified_at", "finished_at"])
    audit.record(
        "application.miit_verified",
        app,
        actor=actor,
        after={"role": verification.role, "phone": verification.phone},
    )
    if not sms_step.all_verified(app):
        return done(app, "verified", _("Code accepted. The other head still has to enter theirs."))
    before = app.status
    transition(app, "complete_sms_verification", _("sent to the bureau"))
    send_to_bureau(app, now)
    app.save()
    record_transition(
        app,
        "application.bureau_submit",
        actor=actor,
        before=before,
        registry_reference=app.registry_reference,
    )
    return done(
        app, "bureau_review", _("All codes are in: the bureau reviews the application now.")
    )


def _code_refused(
    app: Application, verification: MiitVerification, *, actor, now: datetime.datetime
) -> ActionResult:
    verification.attempts += 1
    left = sms_step.MAX_WRONG_CODES - verification.attempts
    if left > 0:
        verification.save(update_fields=["attempts"])
        audit.record(
            "application.miit_wrong_code",
            app,
            actor=actor,
            after={"role": verification.role, "attempts": verification.attempts},
        )
        message = ngettext("Wrong code. %(n)d try left.", "Wrong code. %(n)d tries left.", left) % {
            "n": left
        }
        return refused(app, "wrong_code", message)
    verification.save(update_fields=["attempts"])
    reason = _("The %(role)s entered a wrong MIIT code %(n)d times.") % {
        "role": HeadRole(verification.role).label,
        "n": verification.attempts,
    }
    _fail_sms_step(app, actor=actor, reason=reason, closing=Verification.MAX_ATTEMPTS, now=now)
    return refused(
        app, "max_attempts", _("Too many wrong codes: the application was returned to you.")
    )


def do_expire_sms_step(
    application: Application | int, *, now: datetime.datetime | None = None
) -> ActionResult:
    """Return an application whose heads did not all enter their codes within 24 hours."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            app = locked(application)
            if app.status != Status.SMS_VERIFICATION:
                raise Refused(not_allowed(app, _("returned")))
            if not sms_step.pending_verifications(app).filter(expires_at__lte=now).exists():
                raise Refused(refused(app, "not_due", _("The heads still have time.")))
            _fail_sms_step(
                app, actor=None, reason=_expired_reason(), closing=Verification.EXPIRED, now=now
            )
    except Refused as refusal:
        return refusal.result
    return done(app, "returned", _expired_reason())


def do_bureau_decide(
    application: Application | int,
    *,
    approved: bool,
    reasons: Sequence[str] = (),
    issued_numbers: Mapping[str, str] | None = None,
    actor=None,
) -> ActionResult:
    """Record the bureau's decision: approve (numbers issued, payload applied) or reject.

    Approval and the writing of the live rows are one transaction: if the payload
    cannot be applied, the application stays under bureau review.
    """
    reasons = [str(r).strip() for r in reasons if str(r).strip()]
    try:
        with transaction.atomic():
            app = locked(application)
            before = app.status
            if approved:
                transition(app, "approve", _("approved"))
            else:
                if not reasons:
                    raise Refused(refused(app, "reasons_required", _("Give the bureau's reasons.")))
                transition(app, "reject", _("rejected"))
            app.decided_at = timezone.now()
            app.decision_reasons = reasons
            if approved:
                app.issued_numbers = dict(issued_numbers or {})
                try:
                    apply_payload(app, actor)
                except (ApplyError, IntegrityError) as error:
                    raise Refused(
                        refused(
                            app,
                            "apply_failed",
                            _("The approved application could not be written to the records."),
                            field_errors=_apply_errors(error),
                        )
                    ) from None
            else:
                end_transfer_access(app, actor)
                app.save()
            event = record_transition(
                app,
                f"application.{'approve' if approved else 'reject'}",
                actor=actor,
                before=before,
                reason="; ".join(reasons),
                numbers=app.issued_numbers,
            )
            _notify_decision(app, approved, reasons, occurrence=str(event.pk))
    except Refused as refusal:
        return refusal.result
    if approved:
        return done(app, "approved", _("The bureau approved the application."))
    return done(app, "rejected", _("The bureau rejected the application."))


def _notify_decision(app: Application, approved: bool, reasons: list[str], occurrence: str):
    if approved:
        numbers = " ".join(app.issued_numbers.values())
        text = _("Filing numbers: %(numbers)s") % {"numbers": numbers} if numbers else ""
        notify_customer(
            app, "application_approved", occurrence=occurrence, context={"numbers": text}
        )
    else:
        notify_customer(
            app,
            "application_rejected",
            occurrence=occurrence,
            context={"reasons": "; ".join(reasons)},
        )


def do_apply_application(application: Application | int, *, actor=None) -> ActionResult:
    """Write an approved application's payload to the live rows (once; a repeat is a no-op).

    :func:`do_bureau_decide` does this on approval; this action is for an approval
    recorded without it (e.g. by another registry adapter's import).
    """
    try:
        with transaction.atomic():
            app = locked(application)
            if app.status != Status.APPROVED:
                raise Refused(not_allowed(app, _("applied")))
            if app.applied_at is not None:
                return done(app, "already_applied", _("This application is already applied."))
            try:
                apply_payload(app, actor)
            except (ApplyError, IntegrityError) as error:
                raise Refused(
                    refused(
                        app,
                        "apply_failed",
                        _("The approved application could not be written to the records."),
                        field_errors=_apply_errors(error),
                    )
                ) from None
    except Refused as refusal:
        return refusal.result
    return done(app, "applied", _("The approved data is now on file."))
