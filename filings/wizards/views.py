"""The application wizard's pages: choose a kind, then walk its steps."""

from __future__ import annotations

from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.views.generic import TemplateView

from filings.applications.actions import do_create_application
from filings.choices import ApplicationKind
from filings.models import Application, Entity, Website
from filings.payloads import payload_sections
from icpportal.tenancy import TenantScopedMixin


class NewApplicationView(TenantScopedMixin, TemplateView):
    """The kind chooser; ``?kind=…&website=…&entity=…`` opens a draft of that kind."""

    model = Application
    template_name = "filings/wizards/new.html"

    def get(self, request, *args, **kwargs):
        kind = request.GET.get("kind")
        if kind:
            return self.start(kind)
        return super().get(request, *args, **kwargs)

    def start(self, kind: str):
        if kind not in ApplicationKind.values:
            raise Http404
        tenant = self.request.tenant
        website = entity = None
        if website_id := self.request.GET.get("website"):
            website = Website.objects.for_tenant(tenant).filter(pk=website_id).first()
            if website is None:
                raise Http404
        if entity_id := self.request.GET.get("entity"):
            entity = Entity.objects.for_tenant(tenant).filter(pk=entity_id).first()
            if entity is None:
                raise Http404
        result = do_create_application(
            tenant, kind, actor=self.request.user, entity=entity, website=website
        )
        return HttpResponseRedirect(reverse("application-wizard", args=[result.application.pk]))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["kinds"] = ApplicationKind.choices
        return context


class ApplicationWizardView(TenantScopedMixin, TemplateView):
    model = Application

    def get(self, request, *args, **kwargs):
        application = self.get_queryset().filter(pk=kwargs["pk"]).first()
        if application is None:
            raise Http404
        step = payload_sections(application.kind)[0]
        return HttpResponseRedirect(reverse("application-wizard-step", args=[application.pk, step]))


class ApplicationWizardStepView(TenantScopedMixin, TemplateView):
    model = Application
    template_name = "filings/wizards/step.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application = self.get_queryset().filter(pk=kwargs["pk"]).first()
        if application is None or kwargs["step"] not in payload_sections(application.kind):
            raise Http404
        context["application"] = application
        context["step"] = kwargs["step"]
        return context
