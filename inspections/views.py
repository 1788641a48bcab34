"""Staff pages of inspection campaigns: list, new campaign, detail with live progress.

Reviewers see campaigns; leads (and admins) create, start and cancel them.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView, ListView

from icpportal.models import LEAD_ROLES
from icpportal.tenancy import StaffRequiredMixin, staff_role
from inspections.campaigns import (
    CampaignError,
    Scope,
    count_in_scope,
    do_cancel_campaign,
    do_create_campaign,
    do_start_campaign,
)
from inspections.case_views.forms import PauseForm
from inspections.findings import Progress, campaign_progress, non_pass_results, progress_for
from inspections.forms import CampaignForm, ScheduleForm
from inspections.impact import Impact, campaign_impact
from inspections.models import Campaign, EnforcementControl
from inspections.rules import default_registry
from inspections.schedules import (
    do_create_schedule,
    do_delete_schedule,
    do_set_schedule_enabled,
    schedules,
)

RESULTS_PER_PAGE = 50
SCOPE_FIELDS = ("scope", "tenants", "provinces", "website_ids")


def rule_titles(codes: list[str] | None = None) -> dict[str, str]:
    """Rule code → title; every registered rule when ``codes`` is empty."""
    rules = default_registry.all()
    titles = {rule.code: str(rule.title) for rule in rules}
    if not codes:
        return titles
    return {code: titles.get(code, code) for code in codes}


class CampaignListView(StaffRequiredMixin, ListView):
    """Every campaign, newest first, with how far it got."""

    model = Campaign
    template_name = "inspections/campaign_list.html"
    paginate_by = 25

    def get_queryset(self):
        return Campaign.objects.select_related("created_by").order_by("-created_at", "-id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaigns = list(context["object_list"])
        percents = progress_for(campaigns)
        titles = rule_titles()
        context["rows"] = [
            (c, percents.get(c.pk, 0), [titles.get(code, code) for code in c.rule_codes])
            for c in campaigns
        ]
        context["may_manage"] = staff_role(self.request.user) in LEAD_ROLES
        context["schedules"] = list(schedules())
        return context


class CampaignCreateView(StaffRequiredMixin, FormView):
    """A lead describes a new campaign; it starts from its page."""

    allowed_roles = LEAD_ROLES
    form_class = CampaignForm
    template_name = "inspections/campaign_form.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        preview = preview_of(context["form"])
        context["preview"] = preview
        context["impact"] = preview.websites if preview else None
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            campaign = do_create_campaign(
                name=data["name"],
                scope=form.scope_value(),
                rule_codes=data["rules"],
                chunk_size=data["chunk_size"],
                actor=self.request.user,
            )
        except CampaignError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        messages.success(self.request, _("Campaign “%(name)s” created.") % {"name": campaign.name})
        return redirect("campaign-detail", pk=campaign.pk)


class CampaignImpactView(StaffRequiredMixin, View):
    """The form's impact preview (htmx, as the scope or rules change): websites in
    scope, expected duration, how many would open cases."""

    allowed_roles = LEAD_ROLES

    def get(self, request):
        preview = preview_of(CampaignForm(request.GET))
        context = {"count": preview.websites if preview else None, "preview": preview}
        return render(request, "inspections/_impact.html", context)


def preview_of(form: CampaignForm) -> Impact | None:
    """The impact of the form's scope and rules (an unbound form: every website and
    rule), None while the scope is incomplete."""
    if not form.is_bound:
        return campaign_impact(Scope())
    form.is_valid()
    if any(name in form.errors for name in SCOPE_FIELDS):
        return None
    rules = [] if "rules" in form.errors else form.cleaned_data.get("rules") or []
    return campaign_impact(form.scope_value(), rules)


def impact_of(form: CampaignForm) -> int | None:
    """How many websites the form's scope covers (an unbound form: all), None if unclear."""
    if not form.is_bound:
        return count_in_scope(Scope())
    form.is_valid()
    if any(name in form.errors for name in SCOPE_FIELDS):
        return None
    return count_in_scope(form.scope_value())


def enforcement_switch() -> EnforcementControl:
    """The enforcement switch as it stands, read only (one query, who changed it included)."""
    control = (
        EnforcementControl.objects.select_related("changed_by")
        .filter(pk=EnforcementControl.SINGLETON_ID)
        .first()
    )
    return control or EnforcementControl(pk=EnforcementControl.SINGLETON_ID)


def rule_rows(progress: Progress, titles: dict[str, str]) -> list[tuple[str, str, dict]]:
    """(code, title, counts) per rule, for the progress table."""
    return [(code, titles.get(code, code), counts) for code, counts in progress.rules.items()]


class CampaignDetailView(StaffRequiredMixin, DetailView):
    """One campaign: live progress, answers per rule, the latest non-pass results."""

    model = Campaign
    template_name = "inspections/campaign_detail.html"

    def get_queryset(self):
        return Campaign.objects.select_related("created_by", "template")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaign = self.object
        titles = rule_titles(campaign.rule_codes)
        paginator = Paginator(non_pass_results(campaign.pk), RESULTS_PER_PAGE)
        page = paginator.get_page(self.request.GET.get("page"))
        for result in page.object_list:
            result.rule_title = titles.get(result.rule_code, result.rule_code)
        progress = campaign_progress(campaign, list(titles))
        context.update(
            progress=progress,
            rule_rows=rule_rows(progress, titles),
            page_obj=page,
            results=page.object_list,
            may_manage=staff_role(self.request.user) in LEAD_ROLES,
            control=enforcement_switch(),
            pause_form=PauseForm(),
        )
        return context


class CampaignProgressView(StaffRequiredMixin, View):
    """The progress partial the detail page polls every 2 s (``?format=json``: JSON)."""

    model = Campaign

    def get(self, request, pk):
        campaign = get_object_or_404(Campaign, pk=pk)
        titles = rule_titles(campaign.rule_codes)
        progress = campaign_progress(campaign, list(titles))
        if request.GET.get("format") == "json":
            return JsonResponse({"campaign": campaign.pk, **progress.to_json()})
        context = {
            "campaign": campaign,
            "progress": progress,
            "rule_rows": rule_rows(progress, titles),
        }
        # No request context: the poll needs no header data (unread count, memberships).
        return HttpResponse(render_to_string("inspections/_progress.html", context))


class _CampaignActionView(StaffRequiredMixin, View):
    allowed_roles = LEAD_ROLES
    model = Campaign

    def act(self, campaign: Campaign) -> str:
        raise NotImplementedError

    def post(self, request, pk) -> HttpResponse:
        campaign = get_object_or_404(Campaign, pk=pk)
        try:
            message = self.act(campaign)
        except CampaignError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, message)
        return redirect("campaign-detail", pk=pk)


class CampaignStartView(_CampaignActionView):
    def act(self, campaign: Campaign) -> str:
        do_start_campaign(campaign, actor=self.request.user)
        return _("Campaign started: the workers are inspecting its websites.")


class CampaignCancelView(_CampaignActionView):
    def act(self, campaign: Campaign) -> str:
        do_cancel_campaign(campaign, actor=self.request.user)
        return _("Campaign cancelled; results so far are kept.")


class ScheduleCreateView(StaffRequiredMixin, FormView):
    """A lead sets up a recurring campaign: websites, rules and a crontab."""

    allowed_roles = LEAD_ROLES
    form_class = ScheduleForm
    template_name = "inspections/schedule_form.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["impact"] = impact_of(context["form"])
        context["time_zone"] = settings.TIME_ZONE
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            template = do_create_schedule(
                name=data["name"],
                scope=form.scope_value(),
                crontab=form.crontab_value(),
                rule_codes=data["rules"],
                chunk_size=data["chunk_size"],
                actor=self.request.user,
            )
        except CampaignError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Recurring campaign “%(name)s” scheduled (%(crontab)s).")
            % {"name": template.name, "crontab": form.crontab_value().text()},
        )
        return redirect("campaign-list")


class _ScheduleActionView(StaffRequiredMixin, View):
    allowed_roles = LEAD_ROLES
    model = Campaign

    def act(self, campaign: Campaign) -> str:
        raise NotImplementedError

    def post(self, request, pk) -> HttpResponse:
        campaign = get_object_or_404(Campaign, pk=pk)
        try:
            message = self.act(campaign)
        except CampaignError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, message)
        return redirect("campaign-list")


class ScheduleToggleView(_ScheduleActionView):
    """Pause (``enabled=0``) or resume (``enabled=1``) a recurring campaign."""

    def act(self, campaign: Campaign) -> str:
        enabled = self.request.POST.get("enabled") == "1"
        do_set_schedule_enabled(campaign, enabled, actor=self.request.user)
        if enabled:
            return _("Schedule “%(name)s” resumed.") % {"name": campaign.name}
        return _("Schedule “%(name)s” paused.") % {"name": campaign.name}


class ScheduleDeleteView(_ScheduleActionView):
    def act(self, campaign: Campaign) -> str:
        do_delete_schedule(campaign, actor=self.request.user)
        return _("Schedule “%(name)s” deleted; the campaigns it ran are kept.") % {
            "name": campaign.name
        }
