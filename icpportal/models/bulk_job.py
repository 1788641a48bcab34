"""A step staff apply to many rectification cases at once, run by a worker with progress."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class BulkJob(models.Model):
    """One bulk step (assign, extend, remind, re-inspect, waive) over a frozen set of cases.

    The cases are either the ones staff ticked, or every case the queue's filter matched
    when the job started (its query string is kept, the ids are frozen then). A worker
    applies the step case by case through the usual actions, each with its own audit
    row; every case it handled gets a :class:`BulkJobItem`, so a retried run skips it.
    """

    class Kind(models.TextChoices):
        ASSIGN = "assign", _("Assign")
        EXTEND = "extend", _("Extend the deadline")
        REMIND = "remind", _("Send a reminder")
        REINSPECT = "reinspect", _("Re-inspect")
        WAIVE = "waive", _("Waive a finding")

    class State(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("bulk job", "Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("step"), max_length=10, choices=Kind.choices)
    # {"reason": text, "days": n, "assignee": user id, "rule": rule code}, as the kind needs.
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    # The queue filter's query string when the job covers "all matching the filter".
    query = models.TextField(_("queue filter"), blank=True)
    # Case ids: the ticked ones, or the filter's matches frozen when the job started.
    case_ids = models.JSONField(_("cases"), default=list, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="bulk_jobs",
        db_index=False,  # bulkjob_recent serves it
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(_("cases"), default=0)
    done = models.PositiveIntegerField(_("cases handled"), default=0)
    failed = models.PositiveIntegerField(_("cases failed"), default=0)
    # {"outcomes": {"applied": n, "skipped": n, "failed": n}, "errors": [{"case", "message"}]}
    summary = models.JSONField(_("result"), default=dict, blank=True)
    failure_reason = models.TextField(_("reason of failure"), blank=True)
    # Same user, step, parameters and selection: a repeated request finds this job.
    idempotency_key = models.CharField(_("request key"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("bulk job")
        verbose_name_plural = _("bulk jobs")
        ordering = ["-created_at", "-id"]
        indexes = [
            # A user's recent jobs, newest first (the bulk job pages and the API).
            models.Index(fields=["requested_by", "-created_at"], name="bulkjob_recent"),
            # The repeated-request check: the same key within the last minutes.
            models.Index(fields=["idempotency_key", "-created_at"], name="bulkjob_key"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)

    @property
    def percent(self) -> int:
        if not self.total:
            return 0 if self.is_active else 100
        return min(100, self.done * 100 // self.total)


class BulkJobItem(models.Model):
    """One case a bulk job handled, and how: applied, skipped (nothing to do) or failed.

    A row per case rather than a list in the job: marking a case handled stays one
    insert at 10,000 cases, and the unique key stops a retried run from handling it twice.
    """

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("Applied")
        SKIPPED = "skipped", _("Nothing to do")
        FAILED = "failed", _("Failed")

    job = models.ForeignKey(BulkJob, on_delete=models.CASCADE, related_name="items")
    # No foreign key: the record of what was done stays if the case goes.
    case_id = models.BigIntegerField(_("case"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    message = models.TextField(_("message"), blank=True)
    at = models.DateTimeField(_("handled at"), auto_now_add=True)

    class Meta:
        verbose_name = _("bulk job case")
        verbose_name_plural = _("bulk job cases")
        constraints = [
            # A case is handled once per job, however often the task runs.
            models.UniqueConstraint(fields=["job", "case_id"], name="bulkjobitem_once"),
        ]

    def __str__(self) -> str:
        return f"{self.job_id}/{self.case_id}: {self.outcome}"
