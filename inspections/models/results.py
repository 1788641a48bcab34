"""What a campaign found: one inspection per website, one result per website and rule."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from icpportal.tenancy import TenantQuerySet
from inspections.rules.base import Severity, Status


class InspectionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    DONE = "done", _("Inspected")
    # The website could not be inspected (gone since the campaign started, or its
    # chunk failed for good): counted, never retried by this campaign.
    FAILED = "failed", _("Could not be inspected")


class WorstStatus(models.TextChoices):
    """The worst answer any rule gave about a website, worst first."""

    FAIL_BLOCKING = "fail_blocking", _("Blocking failure")
    FAIL_WARNING = "fail_warning", _("Warning")
    ERROR = "error", _("Error")
    CANNOT_TELL = "cannot_tell", _("Cannot tell")
    PASS = "pass", _("Passed")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class WebsiteInspection(models.Model):
    """One website of a campaign: waiting, inspected (with its worst answer) or failed.

    The rows are created when the campaign starts, so progress is simply how many are
    no longer waiting.
    """

    campaign = models.ForeignKey(
        "inspections.Campaign", on_delete=models.CASCADE, related_name="inspections"
    )
    website = models.ForeignKey(
        "filings.Website", on_delete=models.CASCADE, related_name="inspections"
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=InspectionStatus.choices,
        default=InspectionStatus.PENDING,
    )
    worst_status = models.CharField(
        _("worst answer"), max_length=15, choices=WorstStatus.choices, blank=True
    )
    finished_at = models.DateTimeField(_("inspected at"), null=True, blank=True)

    class Meta:
        verbose_name = _("website inspection")
        verbose_name_plural = _("website inspections")
        constraints = [
            # One inspection per website and campaign: a repeated start adds nothing.
            models.UniqueConstraint(
                fields=["campaign", "website"], name="inspection_unique_campaign_website"
            ),
        ]
        indexes = [
            # Progress counts by status; the "anything still waiting?" test that finishes
            # a campaign; and the walk over waiting websites in id order that queues chunks.
            models.Index(
                fields=["campaign", "status", "website"], name="inspection_campaign_status"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.website_id}: {self.status}"


class RuleResult(models.Model):
    """One rule's answer about one website in one campaign, with its evidence.

    Written by upsert on (campaign, website, rule): a chunk that runs twice leaves one
    result. A pass keeps only the hash of the input it judged; any other answer keeps
    its full evidence.
    """

    campaign = models.ForeignKey(
        "inspections.Campaign", on_delete=models.CASCADE, related_name="results"
    )
    website = models.ForeignKey(
        "filings.Website", on_delete=models.CASCADE, related_name="rule_results"
    )
    # The website's customer, copied so customer pages filter results without a join.
    tenant = models.ForeignKey("icpportal.Tenant", on_delete=models.CASCADE, related_name="+")
    rule_code = models.CharField(_("rule"), max_length=50)
    rule_version = models.PositiveSmallIntegerField(_("rule version"))
    status = models.CharField(_("status"), max_length=15, choices=Status.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, blank=True)
    message = models.TextField(_("message"), blank=True)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    # Payload paths the answer is about, e.g. ["domains.0.expires_on"].
    fields = models.JSONField(_("fields"), default=list, blank=True)
    # SHA-256 of the snapshot (and look-ups) the rule judged.
    input_hash = models.CharField(_("input hash"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("rule result")
        verbose_name_plural = _("rule results")
        constraints = [
            # The upsert key: a retried or duplicated chunk never doubles a result.
            models.UniqueConstraint(
                fields=["campaign", "website", "rule_code"],
                name="ruleresult_unique_campaign_website_rule",
            ),
        ]
        indexes = [
            # Per-rule progress counts of a campaign (pass/fail/cannot_tell/error).
            models.Index(
                fields=["campaign", "rule_code", "status"], name="ruleresult_campaign_rule"
            ),
            # Findings of a campaign by status and severity, in website order
            # (blocking_findings, triage_results); passes are most rows and never asked.
            models.Index(
                fields=["campaign", "status", "severity", "website"],
                condition=~models.Q(status="pass"),
                name="ruleresult_campaign_findings",
            ),
            # The campaign page's table of the latest non-pass results.
            models.Index(
                fields=["campaign", "-updated_at", "-id"],
                condition=~models.Q(status="pass"),
                name="ruleresult_campaign_recent",
            ),
            # A website's latest result per rule, across campaigns.
            models.Index(
                fields=["website", "rule_code", "-created_at"], name="ruleresult_website_latest"
            ),
            # The staff triage queue: cannot_tell answers, newest first.
            models.Index(
                fields=["-created_at", "-id"],
                condition=models.Q(status="cannot_tell"),
                name="ruleresult_triage",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule_code} on website {self.website_id}: {self.status}"

    @property
    def is_blocking(self) -> bool:
        return self.status == Status.FAIL and self.severity == Severity.BLOCKING
