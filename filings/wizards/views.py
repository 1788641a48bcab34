"""The application wizard's pages: choose a kind, then walk its steps.

Every page finds the application through the customer's own tenant-scoped queryset
(another account's application, website or entity answers 404), reads the request
into a step form, and saves through the draft actions, so a step is saved whole or
not at all.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from filings.applications.actions import do_create_application
from filings.applications.completeness import ENTITY_KINDS, WEBSITE_KINDS
from filings.choices import OPEN_APPLICATION_STATUSES, ApplicationKind
from filings.materials.forms import MaterialUploadForm
from filings.materials.uploads import max_upload_bytes
from filings.materials.views import UploadSizeGuardMixin
from filings.models import Application, Entity, Website
from filings.wizards import saving
from filings.wizards.guidance import checklist_text
from filings.wizards.steps import MATERIALS, REVIEW, Step, WizardState
from filings.wizards.summary import returned_for, review_sections
from icpportal.tenancy import TenantScopedMixin

Kind = ApplicationKind

KIND_DESCRIPTIONS = {
    Kind.FIRST_FILING: gettext_lazy("An entity files for the first time, with its first website."),
    Kind.NEW_WEBSITE: gettext_lazy("Add a website to an entity that is already filed."),
    Kind.TRANSFER: gettext_lazy("A website filed with another provider moves its access here."),
    Kind.CHANGE_ENTITY: gettext_lazy("Correct the entity's details or its head."),
    Kind.CHANGE_WEBSITE: gettext_lazy("Correct a website's details, head or domains."),
    Kind.CHANGE_ACCESS: gettext_lazy("Change the domains accessed through us."),
    Kind.CANCEL_ACCESS: gettext_lazy("Stop accessing a website through us; its number stays."),
    Kind.DEREGISTER_WEBSITE: gettext_lazy("Give up a website's filing number."),
    Kind.DEREGISTER_ENTITY: gettext_lazy("Give up the entity's filing, such as an empty shell."),
}


def _wizard_url(application: Application, step: Step | None = None) -> str:
    if step is None:
        return reverse("application-wizard", args=[application.pk])
    return reverse("application-wizard-step", args=[application.pk, step.slug])


def _detail_url(application: Application) -> str:
    return reverse("application-detail", args=[application.pk])


class NewApplicationView(TenantScopedMixin, View):
    """Choose a kind; ``?kind=…&website=…&entity=…`` shows the start page of one kind
    about one record, whose button opens the draft."""

    model = Application
    template_name = "filings/wizards/new.html"

    def target(self, request: HttpRequest) -> tuple[str, Entity | None, Website | None]:
        kind = request.GET.get("kind", "")
        if kind and kind not in Kind.values:
            raise Http404
        tenant = request.tenant
        website = entity = None
        if website_id := request.GET.get("website"):
            website = get_object_or_404(
                Website.objects.for_tenant(tenant).select_related("entity"),
                pk=_int(website_id),
            )
        if entity_id := request.GET.get("entity"):
            entity = get_object_or_404(Entity.objects.for_tenant(tenant), pk=_int(entity_id))
        return kind, entity, website

    def get(self, request: HttpRequest) -> HttpResponse:
        kind, entity, website = self.target(request)
        return self.page(kind, entity, website)

    def post(self, request: HttpRequest) -> HttpResponse:
        kind, entity, website = self.target(request)
        if not kind or request.tenant is None:
            raise Http404
        result = do_create_application(
            request.tenant, kind, actor=request.user, entity=entity, website=website
        )
        if not result.ok:
            return self.page(kind, entity, website, error=result.message)
        return HttpResponseRedirect(_wizard_url(result.application))

    def page(self, kind, entity, website, error: str = "") -> HttpResponse:
        tenant = self.request.tenant
        context: dict[str, Any] = {
            "kind": kind,
            "kind_label": Kind(kind).label if kind else "",
            "entity": entity,
            "website": website,
            "error": error,
            "kinds": [(k, Kind(k).label, KIND_DESCRIPTIONS[k]) for k in Kind.values],
        }
        if kind and (entity is not None or website is not None):
            context["open_application"] = self.open_application(kind, entity, website)
        if kind in WEBSITE_KINDS and website is None:
            context["choose"] = "website"
            context["websites"] = (
                Website.objects.for_tenant(tenant)
                .filter(filing_state=Website.FilingState.FILED)
                .select_related("entity")
                .order_by("name", "pk")
            )
        elif kind in ENTITY_KINDS and entity is None and website is None:
            context["choose"] = "entity"
            context["entities"] = (
                Entity.objects.for_tenant(tenant)
                .exclude(state=Entity.State.DEREGISTERED)
                .order_by("name", "pk")
            )
        return render(self.request, self.template_name, context)

    def open_application(self, kind, entity, website) -> Application | None:
        """A draft or application in flight of this kind about the same record."""
        about = {"website": website} if website is not None else {"entity": entity}
        return (
            Application.objects.for_tenant(self.request.tenant)
            .filter(kind=kind, status__in=OPEN_APPLICATION_STATUSES, **about)
            .order_by("-pk")
            .first()
        )


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise Http404 from None


class ApplicationWizardView(TenantScopedMixin, View):
    """Resume a draft at its first step not yet complete; a returned application at
    the first step the reviewer asked to correct."""

    model = Application

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        application = get_object_or_404(self.get_queryset(), pk=pk)
        if not application.is_editable:
            return HttpResponseRedirect(_detail_url(application))
        state = WizardState(application)
        step = state.first_returned() or state.first_incomplete()
        return HttpResponseRedirect(_wizard_url(application, step))


class ApplicationWizardStepView(UploadSizeGuardMixin, TenantScopedMixin, View):
    """One step: its form (or the documents, or the review), back, next, save and leave."""

    model = Application
    template_name = "filings/wizards/step.html"

    def get_queryset(self):
        return super().get_queryset().select_related("entity", "website__entity")

    def load(self, pk: int, slug: str) -> tuple[Application, WizardState, Step]:
        application = get_object_or_404(self.get_queryset(), pk=pk)
        application.tenant = self.request.tenant  # the tenant it was found through
        state = WizardState(application)
        step = state.step(slug)
        if step is None:
            raise Http404
        return application, state, step

    def get(self, request: HttpRequest, pk: int, step: str) -> HttpResponse:
        application, state, current = self.load(pk, step)
        if not application.is_editable:
            messages.info(request, _("This application is no longer a draft."))
            return HttpResponseRedirect(_detail_url(application))
        return self.page(state, current, state.form(current))

    def post(self, request: HttpRequest, pk: int, step: str) -> HttpResponse:
        application, state, current = self.load(pk, step)
        if not application.is_editable:
            messages.info(request, _("This application is no longer a draft."))
            return HttpResponseRedirect(_detail_url(application))
        action = request.POST.get("action", "next")
        if current is REVIEW:
            return HttpResponseRedirect(_detail_url(application))
        if current is MATERIALS:
            if request.POST.get("kind"):
                return self.upload(state)
            return self.go(state, current, action)
        leaving = action == "leave"
        form = state.form(current, data=request.POST, leaving=leaving)
        if form.is_valid() and saving.save_step(state, current, form, actor=request.user):
            return self.go(WizardState(state.application), current, action)
        return self.page(state, current, form)

    def go(self, state: WizardState, current: Step, action: str) -> HttpResponse:
        """Where the customer goes after a step was saved."""
        application = state.application
        if action == "leave":
            messages.success(
                self.request, _("Saved. You can come back to this application at any time.")
            )
            return HttpResponseRedirect(_detail_url(application))
        if action == "stay":  # e.g. "add another domain": the same step, one more line
            return HttpResponseRedirect(_wizard_url(application, current))
        step = state.step(current.slug) or current
        _before, after = state.neighbours(step) if step in state.steps else (None, REVIEW)
        return HttpResponseRedirect(_wizard_url(application, after or REVIEW))

    def upload(self, state: WizardState) -> HttpResponse:
        kind = self.request.POST.get("kind", "")
        items = {item.kind for item in state.checklist}
        if kind not in items:
            raise Http404
        form = MaterialUploadForm(
            self.request.POST,
            self.request.FILES,
            too_large="file" in self.size_guard.too_large,
            kinds=[kind],
            fixed_kind=kind,
        )
        url = _wizard_url(state.application, MATERIALS)
        if self.handle_upload(state.application, form, url) is not None:
            return HttpResponseRedirect(url)
        return self.page(state, MATERIALS, None, failed_upload=form)

    def page(self, state: WizardState, step: Step, form, failed_upload=None) -> HttpResponse:
        before, after = state.neighbours(step)
        progress = [
            {
                "step": s,
                "url": _wizard_url(state.application, s),
                "done": state.is_complete(s),
                "current": s is step,
            }
            for s in state.steps
        ]
        context: dict[str, Any] = {
            "application": state.application,
            "step": step,
            "progress": progress,
            "position": state.steps.index(step) + 1,
            "step_count": len(state.steps),
            "form": form,
            "before_url": _wizard_url(state.application, before) if before else "",
            "is_last": after is None,
            "province": state.province,
        }
        context["return_reasons"] = returned_for(state.application, step)
        if step is MATERIALS:
            context["items"] = self.material_items(state, failed_upload)
            context["max_bytes"] = max_upload_bytes()
        if step is REVIEW:
            context["sections"] = review_sections(state)
            context["open_steps"] = [s for s in state.steps[:-1] if not state.is_complete(s)]
            context["missing_materials"] = [i for i in state.checklist if i.material is None]
        return render(self.request, self.template_name, context)

    def material_items(self, state: WizardState, failed_upload) -> list[dict[str, Any]]:
        """Each required document with its checklist text and its own upload form."""
        items = []
        failed_kind = failed_upload.data.get("kind") if failed_upload is not None else ""
        used_failed = False
        for item in state.checklist:
            if item.kind == failed_kind and item.material is None and not used_failed:
                form, used_failed = failed_upload, True
            else:
                initial = {"kind": item.kind, "holder_name": item.head}
                form = MaterialUploadForm(kinds=[item.kind], fixed_kind=item.kind, initial=initial)
            items.append({"item": item, "text": checklist_text(item.kind), "form": form})
        return items
