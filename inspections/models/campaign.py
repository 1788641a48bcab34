"""An inspection campaign: which websites, which rules, and how far the workers got."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

# A chunk is one Celery task; it must finish well inside the broker's visibility
# timeout (see inspections.tasks.run_campaign_chunk), so its size is bounded.
MIN_CHUNK_SIZE = 1
MAX_CHUNK_SIZE = 2000
DEFAULT_CHUNK_SIZE = 500


class CampaignScope(models.TextChoices):
    ALL = "all", _("All filed websites")
    TENANT = "tenant", _("Customers")
    PROVINCE = "province", _("Provinces")
    WEBSITES = "websites", _("Listed websites")


class CampaignStatus(models.TextChoices):
    PENDING = "pending", _("Not started")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    CANCELLED = "cancelled", _("Cancelled")
    FAILED = "failed", _("Failed")


class Campaign(FSMModelMixin, models.Model):
    """A run of the special inspection over a set of filed websites.

    A lead chooses the websites (all, some customers, some provinces, or a list) and
    the rules (none chosen: every rule); the workers inspect the websites in chunks and
    keep one result per website and rule. A campaign with a ``schedule`` is a
    recurring template: each time the schedule fires a copy of it is created and started.
    """

    name = models.CharField(_("name"), max_length=200)
    scope = models.CharField(
        _("scope"), max_length=10, choices=CampaignScope.choices, default=CampaignScope.ALL
    )
    scope_tenants = models.ManyToManyField(
        "icpportal.Tenant", verbose_name=_("customers"), blank=True, related_name="+"
    )
    # Division codes of ProvinceRule rows, e.g. ["310000"].
    scope_provinces = models.JSONField(_("provinces"), default=list, blank=True)
    # Website ids, for short lists (a re-inspection, a handful of complaints).
    scope_website_ids = models.JSONField(_("websites"), default=list, blank=True)
    # Codes of inspection rules; empty means every registered rule.
    rule_codes = models.JSONField(_("rules"), default=list, blank=True)
    status = FSMField(
        _("status"),
        max_length=10,
        choices=CampaignStatus.choices,
        default=CampaignStatus.PENDING,
        protected=True,
    )
    chunk_size = models.PositiveIntegerField(
        _("websites per task"),
        default=DEFAULT_CHUNK_SIZE,
        validators=[MinValueValidator(MIN_CHUNK_SIZE), MaxValueValidator(MAX_CHUNK_SIZE)],
    )
    total_websites = models.PositiveIntegerField(_("websites in scope"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    # Set once every chunk task is queued: only then can the last chunk finish it.
    queued_at = models.DateTimeField(_("all chunks queued at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    failure_reason = models.TextField(_("reason of failure"), blank=True)
    # A recurring template: django-celery-beat runs run_scheduled_campaign(template id).
    schedule = models.ForeignKey(
        "django_celery_beat.PeriodicTask",
        verbose_name=_("schedule"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The recurring template this campaign was copied from.
    template = models.ForeignKey(
        "self",
        verbose_name=_("copied from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="runs",
    )

    class Meta:
        verbose_name = _("inspection campaign")
        verbose_name_plural = _("inspection campaigns")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The campaign list shows the newest first.
            models.Index(fields=["-created_at", "-id"], name="campaign_newest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(chunk_size__gte=MIN_CHUNK_SIZE)
                & models.Q(chunk_size__lte=MAX_CHUNK_SIZE),
                name="campaign_chunk_size_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        """Still to finish: the progress page keeps polling."""
        return self.status in (CampaignStatus.PENDING, CampaignStatus.RUNNING)

    @property
    def is_recurring_template(self) -> bool:
        return self.schedule_id is not None

    # The state machine: every change goes through an action in inspections.campaigns
    # (or the conditional update of inspections.tasks.finish_if_complete) with an audit row.

    @transition(field=status, source=CampaignStatus.PENDING, target=CampaignStatus.RUNNING)
    def start(self) -> None:
        """A lead starts the campaign; the workers resolve its scope and inspect."""

    @transition(field=status, source=CampaignStatus.RUNNING, target=CampaignStatus.FINISHED)
    def finish(self) -> None:
        """Every website of the campaign was inspected (or could not be)."""

    @transition(
        field=status,
        source=(CampaignStatus.PENDING, CampaignStatus.RUNNING),
        target=CampaignStatus.CANCELLED,
    )
    def cancel(self) -> None:
        """A lead stops the campaign; chunks not yet started do nothing."""

    @transition(
        field=status,
        source=(CampaignStatus.PENDING, CampaignStatus.RUNNING),
        target=CampaignStatus.FAILED,
    )
    def fail(self) -> None:
        """The campaign could not be started (e.g. its scope could not be resolved)."""
