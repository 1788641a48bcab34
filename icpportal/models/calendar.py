from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class HolidayOverride(models.Model):
    """A day staff mark as a holiday or a working day, overriding the official calendar.

    Used for years the State Council has not announced yet, and for corrections.
    """

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("holiday override")
        verbose_name_plural = _("holiday overrides")
        ordering = ["date"]

    def __str__(self) -> str:
        kind = _("working day") if self.is_working_day else _("holiday")
        return f"{self.date:%Y-%m-%d} {kind}"
