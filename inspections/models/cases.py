"""Rectification cases: a website's blocking findings, a deadline, and what happens after it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from icpportal.tenancy import TenantQuerySet


class CaseState(models.TextChoices):
    OPEN = "open", _("Opened")
    NOTIFIED = "notified", _("Customer notified")
    REMEDIATION_SUBMITTED = "remediation_submitted", _("Remediation submitted")
    RE_INSPECTING = "re_inspecting", _("Re-inspecting")
    OVERDUE = "overdue", _("Deadline passed")
    ACCESS_BLOCKED = "access_blocked", _("Access blocked")
    ACCESS_CANCELLED = "access_cancelled", _("Access cancelled")
    TRANSFER_CANCELLED = "transfer_cancelled", _("Transfer cancelled")
    RESOLVED = "resolved", _("Resolved")
    CLOSED_DEREGISTERED = "closed_deregistered", _("Closed: deregistered")


S = CaseState
# States of a case still being worked on: at most one per website.
OPEN_STATES: tuple[str, ...] = (
    S.OPEN,
    S.NOTIFIED,
    S.REMEDIATION_SUBMITTED,
    S.RE_INSPECTING,
    S.OVERDUE,
    S.ACCESS_BLOCKED,
)
# Before the deadline: the clock runs, and extending keeps the state.
RUNNING_STATES: tuple[str, ...] = (S.OPEN, S.NOTIFIED, S.REMEDIATION_SUBMITTED, S.RE_INSPECTING)
FINAL_STATES: tuple[str, ...] = (
    S.ACCESS_CANCELLED,
    S.TRANSFER_CANCELLED,
    S.RESOLVED,
    S.CLOSED_DEREGISTERED,
)


class PeriodKind(models.TextChoices):
    WORKING = "working", _("working days")
    CALENDAR = "calendar", _("calendar days")


class HoldReason(models.TextChoices):
    """Why escalation waits on a case although its step is due."""

    NONE = "", _("Not held")
    CAMPAIGN_APPROVAL = (
        "campaign_approval",
        _("Waiting for a lead to approve the campaign's blocks"),
    )
    CANCEL_APPROVAL = "cancel_approval", _("Waiting for two leads to approve cancelling access")
    CLOCK_PAUSED = "clock_paused", _("Clock paused: a change application is under review")


class RectificationCase(FSMModelMixin, models.Model):
    """A website that failed a blocking check, and must be put right by a deadline.

    One open case per website: blocking findings of later campaigns join it without
    shortening its deadline. When the deadline passes unresolved, access to the
    website's domains is blocked, and after a grace period access (or a pending
    transfer) is cancelled. The state moves only through the actions of
    ``inspections.enforcement``, each with an audit row.
    """

    # No single-column index: case_tenant_state serves tenant look-ups (and the cascade).
    tenant = models.ForeignKey(
        "icpportal.Tenant",
        on_delete=models.CASCADE,
        related_name="rectification_cases",
        db_index=False,
    )
    website = models.ForeignKey(
        "filings.Website",
        verbose_name=_("website"),
        on_delete=models.CASCADE,
        related_name="rectification_cases",
    )
    entity = models.ForeignKey(
        "filings.Entity",
        verbose_name=_("entity"),
        on_delete=models.CASCADE,
        related_name="rectification_cases",
    )
    campaign = models.ForeignKey(
        "inspections.Campaign",
        verbose_name=_("opened by campaign"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opened_cases",
        db_index=False,  # case_campaign_state serves it
    )
    state = FSMField(
        _("state"), max_length=25, choices=CaseState.choices, default=S.OPEN, protected=True
    )
    opened_at = models.DateTimeField(_("opened at"))
    deadline = models.DateTimeField(_("deadline"))
    period_kind = models.CharField(
        _("period in"), max_length=10, choices=PeriodKind.choices, default=PeriodKind.WORKING
    )
    period_days = models.PositiveSmallIntegerField(_("period (days)"))
    # Set while a change application of the website is under review; the deadline
    # moves on by the paused time when the clock resumes.
    clock_paused_at = models.DateTimeField(_("clock paused at"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(_("time paused (seconds)"), default=0)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
        db_index=False,  # case_assignee_state serves it
    )
    extension_count = models.PositiveSmallIntegerField(_("extensions"), default=0)
    # [{"at": iso, "by": username, "reason": text, "deadline": iso}]
    extension_reasons = models.JSONField(_("reasons for extensions"), default=list, blank=True)
    # Each warning is sent once: its stamp is set in the transaction that queues it.
    half_period_warned_at = models.DateTimeField(
        _("half-period warning sent"), null=True, blank=True
    )
    last_day_warned_at = models.DateTimeField(_("last-day warning sent"), null=True, blank=True)
    block_warned_at = models.DateTimeField(_("block notice sent"), null=True, blank=True)
    blocked_at = models.DateTimeField(_("blocked at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Four-eyes approval of cancelling access: a lead proposes, a second lead approves.
    cancel_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancel proposed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # rarely searched by; each index slows escalation's bulk updates
    )
    cancel_requested_at = models.DateTimeField(_("cancel proposed at"), null=True, blank=True)
    cancel_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancel approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # rarely searched by; each index slows escalation's bulk updates
    )
    cancel_approved_at = models.DateTimeField(_("cancel approved at"), null=True, blank=True)
    hold_reason = models.CharField(
        _("held because"), max_length=20, choices=HoldReason.choices, blank=True, default=""
    )
    # When the escalation scan next looks at the case (a warning, the deadline, the
    # block, the cancel); null while nothing is scheduled (held, or closed).
    next_step_at = models.DateTimeField(_("next step at"), null=True, blank=True)
    last_reinspection = models.ForeignKey(
        "inspections.Campaign",
        verbose_name=_("last re-inspection"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # rarely searched by; each index slows escalation's bulk updates
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("rectification case")
        verbose_name_plural = _("rectification cases")
        ordering = ["deadline", "id"]
        constraints = [
            # One open case per website: later findings join it (open_cases_for_campaign).
            models.UniqueConstraint(
                fields=["website"],
                condition=models.Q(state__in=OPEN_STATES),
                name="case_one_open_per_website",
            ),
        ]
        indexes = [
            # The escalation scan: due cases of one state, soonest first.
            models.Index(
                fields=["state", "next_step_at"],
                condition=models.Q(next_step_at__isnull=False),
                name="case_escalation_due",
            ),
            # The customer's case list and dashboard card.
            models.Index(fields=["tenant", "state"], name="case_tenant_state"),
            # A staff member's own queue.
            models.Index(fields=["assignee", "state"], name="case_assignee_state"),
            # The staff queue by deadline.
            models.Index(fields=["deadline"], name="case_deadline"),
            # How many websites one campaign would block (the lead-approval threshold).
            models.Index(fields=["campaign", "state"], name="case_campaign_state"),
            # The staff queue's default view: open cases by deadline, any page deep
            # (index-only scan of the page's ids).
            models.Index(
                fields=["deadline", "id"],
                condition=models.Q(state__in=OPEN_STATES),
                name="case_queue_open_deadline",
            ),
            # The staff queue filtered by one state, by deadline.
            models.Index(fields=["state", "deadline", "id"], name="case_queue_state_deadline"),
            # The staff queue sorted by when cases were opened.
            models.Index(fields=["opened_at", "id"], name="case_queue_opened"),
            # The queue's banner of campaigns whose blocks wait for a lead.
            models.Index(
                fields=["campaign"],
                condition=models.Q(hold_reason="campaign_approval"),
                name="case_waiting_campaign_approval",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.website}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_blocked(self) -> bool:
        return self.state == S.ACCESS_BLOCKED

    # The state machine (DESIGN.md); every transition is called by an action of
    # inspections.enforcement, or applied set-based by the escalation scan.

    @transition(field=state, source=S.OPEN, target=S.NOTIFIED)
    def notify_customer(self) -> None:
        """The opening notices went out."""

    @transition(field=state, source=S.NOTIFIED, target=S.REMEDIATION_SUBMITTED)
    def submit_remediation(self) -> None:
        """The customer says the problems are fixed."""

    @transition(
        field=state,
        source=(S.OPEN, S.NOTIFIED, S.REMEDIATION_SUBMITTED),
        target=S.RE_INSPECTING,
    )
    def start_reinspection(self) -> None:
        """The case's rules run again on the website."""

    @transition(field=state, source=OPEN_STATES, target=S.RESOLVED)
    def resolve(self) -> None:
        """Every finding passed on re-inspection (or was waived): access is allowed again."""

    @transition(field=state, source=(S.OVERDUE, S.ACCESS_BLOCKED), target=None)
    def reinspect_after_deadline(self) -> None:
        """Re-inspected after the deadline: the state stays unless every finding passes."""

    @transition(field=state, source=S.RE_INSPECTING, target=S.NOTIFIED)
    def reinspection_failed(self) -> None:
        """Still failing: the customer is told the new evidence."""

    @transition(field=state, source=(S.OPEN, S.NOTIFIED), target=S.OVERDUE)
    def miss_deadline(self) -> None:
        """The deadline passed unresolved."""

    @transition(field=state, source=S.OVERDUE, target=S.ACCESS_BLOCKED)
    def block(self) -> None:
        """Access to the website's domains is blocked (safeguards allowed it)."""

    @transition(field=state, source=S.ACCESS_BLOCKED, target=S.ACCESS_CANCELLED)
    def cancel_access(self) -> None:
        """Access is cancelled (取消接入): the filing stays, the site leaves the provider."""

    @transition(field=state, source=S.ACCESS_BLOCKED, target=S.TRANSFER_CANCELLED)
    def cancel_transfer(self) -> None:
        """The pending transfer to this provider is cancelled instead."""

    @transition(field=state, source=RUNNING_STATES, target=None)
    def extend_running(self) -> None:
        """A new deadline; the state stays."""

    @transition(field=state, source=(S.OVERDUE, S.ACCESS_BLOCKED), target=S.NOTIFIED)
    def extend_after_deadline(self) -> None:
        """A new deadline after it passed: back to notified, any block lifted."""

    @transition(field=state, source=S.ACCESS_BLOCKED, target=S.NOTIFIED)
    def lift_block(self) -> None:
        """A lead lifts the block with a reason and a new deadline."""

    @transition(field=state, source=OPEN_STATES, target=None)
    def waive(self) -> None:
        """A lead waives one finding; others still fail, so the state stays."""

    @transition(field=state, source=OPEN_STATES, target=S.CLOSED_DEREGISTERED)
    def close_deregistered(self) -> None:
        """The entity or website was deregistered: nothing left to rectify."""


class FindingStatus(models.TextChoices):
    OPEN = "open", _("Failing")
    PASSED = "passed", _("Passed")
    WAIVED = "waived", _("Waived")


class CaseFinding(models.Model):
    """One failing blocking rule of a case, with its latest result and evidence."""

    case = models.ForeignKey(RectificationCase, on_delete=models.CASCADE, related_name="findings")
    # Copied from the case so customer pages filter findings without a join.
    tenant = models.ForeignKey("icpportal.Tenant", on_delete=models.CASCADE, related_name="+")
    rule_code = models.CharField(_("rule"), max_length=50)
    rule_version = models.PositiveSmallIntegerField(_("rule version"))
    result = models.ForeignKey(
        "inspections.RuleResult",
        verbose_name=_("latest result"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    severity = models.CharField(_("severity"), max_length=10, default="blocking")
    message = models.TextField(_("message"), blank=True)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("waived by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    waived_reason = models.TextField(_("reason for waiving"), blank=True)
    first_seen_at = models.DateTimeField(_("first seen"))
    last_seen_at = models.DateTimeField(_("last seen"))

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("case finding")
        verbose_name_plural = _("case findings")
        ordering = ["case", "rule_code"]
        constraints = [
            # A rule appears once per case; a later failure updates the row.
            models.UniqueConstraint(fields=["case", "rule_code"], name="finding_unique_case_rule"),
        ]
        indexes = [
            # The case queue's rule filter (cases with an open finding of a rule) and
            # the findings queue's rule filter.
            models.Index(
                fields=["rule_code", "case"],
                condition=models.Q(status="open"),
                name="finding_open_rule",
            ),
            # The findings queue: most recently seen first, by status.
            models.Index(fields=["status", "-last_seen_at", "-id"], name="finding_status_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_code} ({self.status})"


class CaseMessage(models.Model):
    """A message in a case's thread: customer ↔ staff, or a staff-only comment."""

    case = models.ForeignKey(RectificationCase, on_delete=models.CASCADE, related_name="messages")
    tenant = models.ForeignKey("icpportal.Tenant", on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_staff = models.BooleanField(_("from staff"), default=False)
    # Staff comments the customer never sees.
    internal = models.BooleanField(_("internal comment"), default=False)
    body = models.TextField(_("message"), max_length=4000)
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("case message")
        verbose_name_plural = _("case messages")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"], name="casemessage_thread")]

    def __str__(self) -> str:
        return f"#{self.case_id}: {self.body[:40]}"
