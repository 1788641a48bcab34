from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMField, FSMModelMixin, transition

from filings.choices import SMS_VERIFICATION_HEADS, ApplicationKind, ApplicationStatus
from filings.payloads import SCHEMA_VERSION as PAYLOAD_SCHEMA_VERSION
from icpportal.tenancy import TenantQuerySet

Status = ApplicationStatus

# Statuses in which the customer may edit the proposed data.
EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)
# Statuses in which someone other than the customer is looking at the application.
UNDER_REVIEW_STATUSES = (Status.PROVIDER_REVIEW, Status.SMS_VERIFICATION, Status.BUREAU_REVIEW)


class Application(FSMModelMixin, models.Model):
    """A filing application (备案订单): what the customer proposes, until approved.

    The proposed data lives in ``payload``; nothing live changes before approval.
    The status moves only through the transitions below, each called by an action in
    ``filings.applications.actions`` that writes the audit row.
    """

    tenant = models.ForeignKey(
        "icpportal.Tenant", on_delete=models.CASCADE, related_name="applications"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=ApplicationKind.choices)
    status = FSMField(
        _("status"),
        max_length=20,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
        protected=True,
    )
    payload = models.JSONField(_("proposed data"), default=dict, blank=True)
    payload_version = models.PositiveSmallIntegerField(default=PAYLOAD_SCHEMA_VERSION)
    # The live rows a change, transfer, cancel or deregistration is about.
    entity = models.ForeignKey(
        "filings.Entity",
        verbose_name=_("entity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applications",
    )
    website = models.ForeignKey(
        "filings.Website",
        verbose_name=_("website"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applications",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Reasons given by staff or the bureau, keyed by payload field ("" for the whole).
    return_reasons = models.JSONField(_("reasons for return"), default=dict, blank=True)
    decision_reasons = models.JSONField(_("decision reasons"), default=list, blank=True)
    registry_reference = models.CharField(_("bureau reference"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # The customer's last edit; a draft idle for 45 days expires.
    last_activity_at = models.DateTimeField(_("last activity"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # The non-passing answers of the pre-submit self-check, for the reviewer.
    self_check = models.JSONField(_("self-check results"), default=list, blank=True)
    bureau_submitted_at = models.DateTimeField(_("sent to the bureau at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # Filing numbers the bureau issued on approval: {"entity": …, "website": …}.
    issued_numbers = models.JSONField(_("issued filing numbers"), default=dict, blank=True)
    # Set when the approved payload was written to the live rows (exactly once).
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at", "-id"]
        indexes = [
            # Staff queues: submitted applications of one status, oldest first.
            models.Index(fields=["status", "submitted_at"], name="application_queue"),
            # The customer's dashboard lists its applications by status.
            models.Index(fields=["tenant", "status"], name="application_tenant_status"),
            # The draft-expiry job scans idle drafts.
            models.Index(
                fields=["last_activity_at"],
                condition=models.Q(status="draft"),
                name="application_idle_drafts",
            ),
            # The bureau poll asks about applications under bureau review, oldest first.
            models.Index(
                fields=["bureau_submitted_at"],
                condition=models.Q(status="bureau_review"),
                name="application_bureau_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def required_heads(self) -> tuple[str, ...]:
        """The heads (roles) who must enter an MIIT SMS code for this kind."""
        return SMS_VERIFICATION_HEADS.get(self.kind, ())

    @property
    def is_editable(self) -> bool:
        """Whether the customer may still change the proposed data."""
        return self.status in EDITABLE_STATUSES

    # The state machine (DESIGN.md "State machines"): every change of status goes
    # through one of these; the actions check who may call them and write the audit.

    @transition(field=status, source=Status.DRAFT, target=Status.PROVIDER_REVIEW)
    def submit(self) -> None:
        """The customer submits a draft whose self-check found nothing blocking."""

    @transition(field=status, source=Status.DRAFT, target=Status.EXPIRED)
    def expire(self) -> None:
        """A draft was left untouched for 45 days."""

    @transition(field=status, source=Status.PROVIDER_REVIEW, target=Status.RETURNED)
    def return_for_changes(self) -> None:
        """Provider staff send the application back with a reason per field."""

    @transition(field=status, source=Status.RETURNED, target=Status.PROVIDER_REVIEW)
    def resubmit(self) -> None:
        """The customer corrected a returned application and sends it again."""

    @transition(
        field=status,
        source=Status.PROVIDER_REVIEW,
        target=RETURN_VALUE(Status.SMS_VERIFICATION, Status.BUREAU_REVIEW),
    )
    def pass_review(self) -> str:
        """Provider review passed: the heads verify by SMS, or (nobody to verify) the
        application goes straight to the bureau."""
        return Status.SMS_VERIFICATION if self.required_heads else Status.BUREAU_REVIEW

    @transition(field=status, source=Status.SMS_VERIFICATION, target=Status.BUREAU_REVIEW)
    def complete_sms_verification(self) -> None:
        """Every required head entered the MIIT code: the bureau reviews."""

    @transition(field=status, source=Status.SMS_VERIFICATION, target=Status.RETURNED)
    def fail_sms_verification(self) -> None:
        """24 hours passed without every code, or too many wrong codes were entered."""

    @transition(field=status, source=Status.BUREAU_REVIEW, target=Status.APPROVED)
    def approve(self) -> None:
        """The bureau approved; numbers are issued and the payload is applied."""

    @transition(field=status, source=Status.BUREAU_REVIEW, target=Status.REJECTED)
    def reject(self) -> None:
        """The bureau rejected, with reasons."""

    @transition(
        field=status,
        source=(Status.DRAFT, Status.RETURNED, Status.PROVIDER_REVIEW),
        target=Status.WITHDRAWN,
    )
    def withdraw(self) -> None:
        """The customer gives the application up before it reaches the MIIT steps."""

    @transition(
        field=status,
        source=(Status.SMS_VERIFICATION, Status.BUREAU_REVIEW),
        target=Status.WITHDRAWN,
    )
    def withdraw_for_overdue_case(self) -> None:
        """The provider ends a transfer pending with the bureau: the rectification
        case of its website ran out, so the transfer is cancelled instead of access."""
