"""The "New campaign" form of the staff pages."""

from __future__ import annotations

import re

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from filings.models import ProvinceRule
from icpportal.models import Tenant
from inspections.campaigns import Scope
from inspections.models import CampaignScope
from inspections.models.campaign import DEFAULT_CHUNK_SIZE, MAX_CHUNK_SIZE, MIN_CHUNK_SIZE
from inspections.rules import all_rules
from inspections.schedules import Crontab

# A website list is for a handful of sites; a larger set is a tenant or province scope.
MAX_LISTED_WEBSITES = 1000
_SEPARATORS = re.compile(r"[\s,;，；]+")


class CampaignForm(forms.Form):
    """Which websites, which rules, how many websites per worker task."""

    name = forms.CharField(label=_("Name"), max_length=200)
    scope = forms.ChoiceField(
        label=_("Websites"),
        choices=CampaignScope.choices,
        initial=CampaignScope.ALL,
        widget=forms.RadioSelect,
    )
    tenants = forms.ModelMultipleChoiceField(
        label=_("Customers"),
        queryset=Tenant.objects.filter(is_active=True).order_by("name"),
        required=False,
        help_text=_("For the “Customers” scope."),
    )
    provinces = forms.MultipleChoiceField(
        label=_("Provinces"),
        required=False,
        help_text=_("For the “Provinces” scope: the entity's province."),
    )
    website_ids = forms.CharField(
        label=_("Website ids"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For the “Listed websites” scope: ids separated by commas or spaces."),
    )
    rules = forms.MultipleChoiceField(
        label=_("Rules"),
        required=False,
        help_text=_("None chosen: every rule."),
        widget=forms.CheckboxSelectMultiple,
    )
    chunk_size = forms.IntegerField(
        label=_("Websites per worker task"),
        initial=DEFAULT_CHUNK_SIZE,
        validators=[MinValueValidator(MIN_CHUNK_SIZE), MaxValueValidator(MAX_CHUNK_SIZE)],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provinces"].choices = [
            (row.code, row.display_name) for row in ProvinceRule.objects.order_by("code")
        ]
        self.fields["rules"].choices = [(rule.code, rule.title) for rule in all_rules()]

    def clean_website_ids(self) -> list[int]:
        text = self.cleaned_data.get("website_ids") or ""
        ids: list[int] = []
        for part in filter(None, _SEPARATORS.split(text.strip())):
            if not part.isdigit():
                raise forms.ValidationError(
                    _("“%(value)s” is not a website id."), params={"value": part}
                )
            ids.append(int(part))
        if len(set(ids)) > MAX_LISTED_WEBSITES:
            raise forms.ValidationError(
                _("List at most %(max)s websites; choose customers or provinces for more."),
                params={"max": MAX_LISTED_WEBSITES},
            )
        return sorted(set(ids))

    def clean(self):
        data = super().clean()
        scope = data.get("scope")
        required = {
            CampaignScope.TENANT: ("tenants", _("Choose at least one customer.")),
            CampaignScope.PROVINCE: ("provinces", _("Choose at least one province.")),
            CampaignScope.WEBSITES: ("website_ids", _("List at least one website id.")),
        }
        if scope in required:
            name, message = required[scope]
            if name not in self.errors and not data.get(name):
                self.add_error(name, message)
        return data

    def scope_value(self) -> Scope:
        """The chosen scope (call after ``is_valid()``)."""
        data = self.cleaned_data
        kind = data["scope"]
        return Scope(
            kind=kind,
            tenant_ids=tuple(t.pk for t in data.get("tenants") or ())
            if kind == CampaignScope.TENANT
            else (),
            province_codes=tuple(data.get("provinces") or ())
            if kind == CampaignScope.PROVINCE
            else (),
            website_ids=tuple(data.get("website_ids") or ())
            if kind == CampaignScope.WEBSITES
            else (),
        )


class ScheduleForm(CampaignForm):
    """A recurring campaign: the campaign's fields and when it runs (crontab)."""

    minute = forms.CharField(label=_("Minute"), max_length=60, initial="0")
    hour = forms.CharField(label=_("Hour"), max_length=60, initial="2")
    day_of_month = forms.CharField(label=_("Day of month"), max_length=60, initial="*")
    month_of_year = forms.CharField(label=_("Month"), max_length=60, initial="*")
    day_of_week = forms.CharField(
        label=_("Day of week"),
        max_length=60,
        initial="*",
        help_text=_("0 or sun = Sunday; e.g. 1-5 for working days."),
    )

    CRONTAB_FIELDS = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")

    def clean(self):
        data = super().clean()
        if not any(name in self.errors for name in self.CRONTAB_FIELDS):
            for name, message in self.crontab_value().errors().items():
                self.add_error(name, message)
        return data

    def crontab_value(self) -> Crontab:
        data = self.cleaned_data
        return Crontab(**{name: data.get(name, "").strip() for name in self.CRONTAB_FIELDS})
