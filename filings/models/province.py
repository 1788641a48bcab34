from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class ProvinceRule(models.Model):
    """A province's filing rules as its communications administration publishes them.

    Everything that differs between provinces lives here, each row with where it was
    read and when it was last checked, never in code.
    """

    code = models.CharField(_("division code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=20)
    name_en = models.CharField(_("English name"), max_length=40)
    prefix = models.CharField(_("filing-number prefix"), max_length=2, unique=True)
    domain_expiry_margin_days = models.PositiveIntegerField(
        _("domain must stay valid for more than (days)"), default=90
    )
    landline_required = models.BooleanField(_("landline required"), default=False)
    office_phone_distinct_from_head_mobile = models.BooleanField(
        _("office phone must differ from the head's mobile"), default=False
    )
    emergency_phone_distinct_from_heads = models.BooleanField(
        _("emergency phone must differ from the heads' phones"), default=True
    )
    unique_across_entities = models.BooleanField(
        _("a head or phone may not repeat across unrelated entities"), default=False
    )
    head_must_be_legal_representative = models.BooleanField(
        _("entity head must be the legal representative"), default=True
    )
    verification_form_max_age_days = models.PositiveIntegerField(
        _("verification form valid for (days)"), null=True, blank=True
    )
    residence_permit_for_non_local = models.BooleanField(
        _("non-local individuals need a residence permit"), default=False
    )
    bureau_review_working_days = models.PositiveIntegerField(
        _("bureau review time (working days)"), default=20
    )
    source = models.CharField(_("source"), max_length=300)
    verified_on = models.DateField(_("checked on"))

    class Meta:
        verbose_name = _("province rule")
        verbose_name_plural = _("province rules")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.prefix})"

    @property
    def display_name(self) -> str:
        """The province's name in the current language."""
        return self.name if (get_language() or "zh").startswith("zh") else self.name_en
