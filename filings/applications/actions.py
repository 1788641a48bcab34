"""Actions on filing applications: the only way an application changes.

Each action runs in one transaction, moves the status through the state machine on
``Application`` (a step the status does not allow is refused with a clear message),
writes one audit row per transition, and queues the customer's notifications with
the transaction. Problems a person can fix come back as an ``ActionResult``, with
nothing saved. Provider review lives in ``filings.applications.review`` and the
MIIT and bureau steps in ``filings.applications.bureau``; both are re-exported
here, so callers import every action from this module.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from filings.applications import sms_step
from filings.applications.apply import end_transfer_access
from filings.applications.bureau import (
    do_apply_application,
    do_bureau_decide,
    do_expire_sms_step,
    do_record_miit_code,
)
from filings.applications.completeness import ENTITY_KINDS, WEBSITE_KINDS, submission_problems
from filings.applications.drafts import (
    DRAFT_LIFETIME,
    clean_section,
    prefill_transfer_section,
)
from filings.applications.notices import notify_customer
from filings.applications.proposed import initial_payload
from filings.applications.review import do_pass_provider_review, do_return
from filings.applications.transitions import (
    ActionResult,
    Refused,
    done,
    ensure_allowed,
    locked,
    record_transition,
    refused,
    transition,
)
from filings.choices import OPEN_APPLICATION_STATUSES, ApplicationKind, ApplicationStatus
from filings.models import Application, Entity, MiitVerification, Website
from icpportal import audit
from inspections.rules import run_rules
from inspections.snapshot import snapshot_from_application

__all__ = [
    "ActionResult",
    "do_apply_application",
    "do_bureau_decide",
    "do_create_application",
    "do_expire_draft",
    "do_expire_sms_step",
    "do_pass_provider_review",
    "do_record_miit_code",
    "do_resubmit",
    "do_return",
    "do_save_draft",
    "do_submit",
    "do_withdraw",
    "self_check",
]

Kind = ApplicationKind
Status = ApplicationStatus
# Changes and cancellations of access need the site to be accessed here now.
_NEEDS_ACCESS = frozenset({Kind.CHANGE_WEBSITE, Kind.CHANGE_ACCESS, Kind.CANCEL_ACCESS})


def _actor_or_none(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


# ---- creating and editing drafts -------------------------------------------------------


def _check_target(tenant, kind: str, entity: Entity | None, website: Website | None):
    """The entity and website a new application is about, or a refusal."""
    if website is not None:
        if website.tenant_id != tenant.pk:
            return refused(None, "not_found", _("No such website in your account."))
        entity = website.entity
        if website.filing_state != Website.FilingState.FILED:
            return refused(None, "deregistered", _("This website is deregistered."))
        if kind in _NEEDS_ACCESS and website.access_state != Website.AccessState.ACCESSED:
            return refused(None, "not_accessed", _("This website is not accessed through us."))
    elif kind in WEBSITE_KINDS:
        return refused(None, "website_required", _("Choose the website this application is about."))
    if entity is not None and entity.tenant_id != tenant.pk:
        return refused(None, "not_found", _("No such entity in your account."))
    if entity is None and kind in ENTITY_KINDS:
        return refused(None, "entity_required", _("Choose the entity this application is about."))
    if entity is not None and entity.state == Entity.State.DEREGISTERED:
        return refused(None, "deregistered", _("This entity is deregistered."))
    shell = entity is not None and entity.state == Entity.State.SHELL
    if shell and kind == Kind.NEW_WEBSITE:
        return refused(
            None,
            "shell",
            _(
                "“%(name)s” is an empty shell: no website of it is accessed any more. It "
                "must be deregistered before it can file again."
            )
            % {"name": entity.name},
        )
    return entity, website


def do_create_application(
    tenant,
    kind: str,
    *,
    actor,
    entity: Entity | None = None,
    website: Website | None = None,
    payload: Mapping[str, Any] | None = None,
) -> ActionResult:
    """Open a draft of ``kind`` for ``tenant``, about ``entity`` or ``website`` if given.

    A change starts from the live data; a transfer whose filing number is given is
    pre-filled from the bureau's record. ``payload`` sections are checked like
    :func:`do_save_draft`'s.
    """
    if kind not in Kind.values:
        return refused(None, "unknown_kind", _("Unknown kind of application."))
    target = _check_target(tenant, kind, entity, website)
    if isinstance(target, ActionResult):
        return target
    entity, website = target
    data = initial_payload(kind, entity=entity, website=website)
    errors: dict[str, list[str]] = {}
    for name, values in (payload or {}).items():
        cleaned = clean_section(tenant.pk, kind, name, values, errors)
        if cleaned is not None:
            data[name] = cleaned
    if not errors:
        prefill_transfer_section(data, errors)
    if errors:
        return refused(None, "invalid", _("Please correct the marked fields."), field_errors=errors)
    with transaction.atomic():
        # One open change, cancellation or deregistration per website or entity.
        if kind in WEBSITE_KINDS:
            open_ones = Application.objects.filter(website=website)
        elif kind in (Kind.CHANGE_ENTITY, Kind.DEREGISTER_ENTITY):
            open_ones = Application.objects.filter(entity=entity)
        else:
            open_ones = Application.objects.none()
        already = (
            open_ones.filter(tenant=tenant, kind=kind, status__in=OPEN_APPLICATION_STATUSES)
            .values_list("pk", flat=True)
            .first()
        )
        if already is not None:
            return refused(
                None,
                "already_open",
                _("Application #%(number)s of this kind is already open for it.")
                % {"number": already},
            )
        application = Application.objects.create(
            tenant=tenant,
            kind=kind,
            entity=entity,
            website=website,
            payload=data,
            created_by=_actor_or_none(actor),
        )
        audit.record(
            "application.create",
            application,
            actor=actor,
            after={"kind": kind, "status": application.status},
        )
    return done(application, "created", _("The draft application was created."))


def do_save_draft(application: Application, section: str, data: Any, *, actor) -> ActionResult:
    """Replace one section of the proposed data (a wizard step) and note the activity."""
    try:
        with transaction.atomic():
            app = locked(application)
            if not app.is_editable:
                raise Refused(
                    refused(
                        app,
                        "not_editable",
                        _("Application #%(number)s is “%(status)s” and cannot be changed.")
                        % {"number": app.pk, "status": app.get_status_display()},
                    )
                )
            errors: dict[str, list[str]] = {}
            cleaned = clean_section(app.tenant_id, app.kind, section, data, errors)
            payload = {**(app.payload or {}), section: cleaned}
            if not errors and section == "transfer":
                prefill_transfer_section(payload, errors)
            if errors:
                raise Refused(
                    refused(
                        app, "invalid", _("Please correct the marked fields."), field_errors=errors
                    )
                )
            app.payload = payload
            app.last_activity_at = timezone.now()
            app.save(update_fields=["payload", "last_activity_at", "updated_at"])
            audit.record("application.save_draft", app, actor=actor, after={"section": section})
    except Refused as refusal:
        return refusal.result
    return done(app, "saved", _("Saved."))


# ---- the customer's steps ------------------------------------------------------------


def self_check(application: Application) -> tuple[list[Any], dict[str, list[str]]]:
    """The pre-submit self-check: every rule's outcome, and what blocks submission.

    Blocking rule failures and missing essentials come back by payload field
    (``""`` when a problem names no field); warnings are in the outcomes only.
    """
    outcomes = list(run_rules(snapshot_from_application(application)).values())
    blocking = submission_problems(application)
    for outcome in outcomes:
        if outcome.is_blocking:
            for field in outcome.fields or ("",):
                blocking.setdefault(field, []).append(outcome.message)
    return outcomes, blocking


def _submit(application: Application, name: str, *, actor, step: str) -> ActionResult:
    try:
        with transaction.atomic():
            app = locked(application)
            before = app.status
            ensure_allowed(app, name, step)
            outcomes, blocking = self_check(app)
            if blocking:
                raise Refused(
                    refused(
                        app,
                        "self_check_failed",
                        _("Fix the marked problems before submitting."),
                        field_errors=blocking,
                        outcomes=outcomes,
                    )
                )
            transition(app, name, step)
            app.submitted_at = timezone.now()
            app.self_check = [o.to_json() for o in outcomes if o.status != "pass"]
            app.return_reasons = {}
            app.save()
            event = record_transition(app, f"application.{name}", actor=actor, before=before)
            notify_customer(app, "application_submitted", occurrence=str(event.pk))
    except Refused as refusal:
        return refusal.result
    return done(
        app,
        "submitted",
        _("Submitted: the provider reviews it within about one working day."),
        outcomes=outcomes,
    )


def do_submit(application: Application, *, actor) -> ActionResult:
    """Submit a draft for provider review, if its self-check finds nothing blocking."""
    return _submit(application, "submit", actor=actor, step=_("submitted"))


def do_resubmit(application: Application, *, actor) -> ActionResult:
    """Send a returned application, corrected, back to provider review."""
    return _submit(application, "resubmit", actor=actor, step=_("resubmitted"))


def do_withdraw(application: Application, *, actor, reason: str = "") -> ActionResult:
    """Give up an application before the MIIT steps (draft, returned, provider review)."""
    try:
        with transaction.atomic():
            app = locked(application)
            before = app.status
            transition(app, "withdraw", _("withdrawn"))
            sms_step.close_pending(app, MiitVerification.Status.CANCELLED, timezone.now())
            end_transfer_access(app, actor)
            app.save()
            record_transition(
                app, "application.withdraw", actor=actor, before=before, reason=reason.strip()
            )
    except Refused as refusal:
        return refusal.result
    return done(app, "withdrawn", _("The application was withdrawn."))


def do_withdraw_for_overdue_case(
    application: Application, *, case_label: str, reason: str
) -> ActionResult:
    """End a transfer pending with the bureau whose website's rectification case ran
    out (the escalation calls this inside its own transaction): the transfer's access
    ends, the customer is told. ``case_label`` names the case in the notice."""
    try:
        with transaction.atomic():
            app = locked(application)
            before = app.status
            transition(app, "withdraw_for_overdue_case", _("cancelled"))
            sms_step.close_pending(app, MiitVerification.Status.CANCELLED, timezone.now())
            end_transfer_access(app, None)
            app.save()
            event = record_transition(
                app, "application.withdraw_for_overdue_case", actor=None, before=before,
                reason=reason,
            )  # fmt: skip
            notify_customer(
                app,
                "application_transfer_cancelled",
                occurrence=str(event.pk),
                context={"case": case_label},
            )
    except Refused as refusal:
        return refusal.result
    return done(app, "withdrawn", _("The transfer application was cancelled."))


def do_expire_draft(
    application: Application | int, *, now: datetime.datetime | None = None
) -> ActionResult:
    """Expire a draft nobody has touched for 45 days (the periodic job calls this)."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            app = locked(application)
            before = app.status
            if app.status == Status.DRAFT and now - app.last_activity_at < DRAFT_LIFETIME:
                raise Refused(refused(app, "not_due", _("This draft has not expired yet.")))
            transition(app, "expire", _("expired"))
            app.save()
            event = record_transition(
                app,
                "application.expire",
                actor=None,
                before=before,
                reason=_("No change for %(days)d days.") % {"days": DRAFT_LIFETIME.days},
            )
            notify_customer(
                app,
                "draft_expired",
                occurrence=str(event.pk),
                context={"days": DRAFT_LIFETIME.days},
            )
    except Refused as refusal:
        return refusal.result
    return done(app, "expired", _("The draft expired."))
