"""Provider review (初审) by compliance staff: return with reasons, or pass.

Re-exported by ``filings.applications.actions``; import the actions from there.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from filings.applications import sms_step
from filings.applications.apply import ApplyError, open_transfer_access
from filings.applications.bureau import send_to_bureau
from filings.applications.drafts import is_payload_path
from filings.applications.notices import notify_customer
from filings.applications.transitions import (
    ActionResult,
    Refused,
    done,
    locked,
    record_transition,
    refused,
    staff_only,
    transition,
)
from filings.choices import ApplicationKind, ApplicationStatus
from filings.models import Application
from filings.registry import RegistryError

Kind = ApplicationKind
Status = ApplicationStatus


def do_return(application: Application, reasons: Mapping[str, str], *, actor) -> ActionResult:
    """Staff send the application back, with a reason per payload field ("" = overall)."""
    try:
        with transaction.atomic():
            app = locked(application)
            if (refusal := staff_only(app, actor)) is not None:
                raise Refused(refusal)
            cleaned, errors = _clean_reasons(app, reasons)
            if errors:
                raise Refused(
                    refused(
                        app, "invalid", _("Please correct the marked reasons."), field_errors=errors
                    )
                )
            before = app.status
            transition(app, "return_for_changes", _("returned"))
            app.return_reasons = cleaned
            app.save()
            event = record_transition(
                app,
                "application.return",
                actor=actor,
                before=before,
                reason=_reasons_text(cleaned),
                reasons=cleaned,
            )
            notify_customer(
                app,
                "application_returned",
                occurrence=str(event.pk),
                context={"reasons": _reasons_text(cleaned)},
            )
    except Refused as refusal:
        return refusal.result
    return done(app, "returned", _("The application was returned to the customer."))


def _clean_reasons(app: Application, reasons: Mapping[str, str]):
    cleaned: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for path, text in (reasons or {}).items():
        text = str(text or "").strip()
        if path and not is_payload_path(app.kind, path):
            errors[path] = [_("This application has no such field.")]
        elif not text:
            errors[path] = [_("Say what the customer must correct.")]
        else:
            cleaned[path] = text
    if not cleaned and not errors:
        errors[""] = [_("Give at least one reason.")]
    return cleaned, errors


def _reasons_text(reasons: Mapping[str, str]) -> str:
    return "; ".join(f"{path}: {text}" if path else text for path, text in reasons.items())


_PASSED_NEXT = {
    Status.SMS_VERIFICATION: gettext_lazy(
        "Each head in charge receives an SMS code from the MIIT and must enter it within 24 hours."
    ),
    Status.BUREAU_REVIEW: gettext_lazy(
        "It was sent to the communications administration bureau for review."
    ),
}


def do_pass_provider_review(application: Application, *, actor, note: str = "") -> ActionResult:
    """Staff pass the application: the MIIT SMS step starts, or it goes to the bureau.

    A transfer's website becomes reachable here at this moment (access state
    ``transfer_pending``) while the bureau reviews it.
    """
    try:
        with transaction.atomic():
            app = locked(application)
            if (refusal := staff_only(app, actor)) is not None:
                raise Refused(refusal)
            before = app.status
            transition(app, "pass_review", _("passed"))
            try:
                if app.kind == Kind.TRANSFER:
                    open_transfer_access(app, actor)
                if app.status == Status.SMS_VERIFICATION:
                    sms_step.start(app)
                else:
                    send_to_bureau(app)
            except ApplyError as error:
                raise Refused(
                    refused(
                        app,
                        "invalid",
                        _("The application cannot be passed as it stands: return it instead."),
                        field_errors=error.field_errors,
                    )
                ) from None
            except sms_step.HeadMissing as error:
                raise Refused(
                    refused(
                        app,
                        "head_missing",
                        error.message,
                        field_errors={error.role: [error.message]},
                    )
                ) from None
            except RegistryError as error:
                raise Refused(refused(app, "registry", str(error))) from None
            app.return_reasons = {}
            app.save()
            event = record_transition(
                app,
                "application.pass",
                actor=actor,
                before=before,
                reason=note.strip(),
                registry_reference=app.registry_reference,
            )
            notify_customer(
                app,
                "application_passed",
                occurrence=str(event.pk),
                context={"next_step": _PASSED_NEXT[app.status]},
            )
    except Refused as refusal:
        return refusal.result
    return done(app, "passed", _PASSED_NEXT[app.status])
