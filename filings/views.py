"""Customer pages of entities, persons in charge and websites (tenant-scoped)."""

from django.db.models import Count, Prefetch
from django.views.generic import DetailView, ListView

from filings.models import Domain, Entity, Person, Website
from icpportal import audit
from icpportal.tenancy import TenantScopedMixin


class EntityListView(TenantScopedMixin, ListView):
    model = Entity
    paginate_by = 50
    template_name = "filings/entity_list.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("province", "head")
            .annotate(website_count=Count("websites"))
            .order_by("name", "id")
        )


class EntityDetailView(TenantScopedMixin, DetailView):
    model = Entity
    template_name = "filings/entity_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("province", "head")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["websites"] = self.object.websites.select_related("head")
        return context


class PersonListView(TenantScopedMixin, ListView):
    model = Person
    paginate_by = 50
    template_name = "filings/person_list.html"


class PersonDetailView(TenantScopedMixin, DetailView):
    model = Person
    template_name = "filings/person_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["entities"] = self.object.entities_headed.all()
        context["websites"] = self.object.websites_headed.all()
        membership = self.request.membership
        context["can_reveal_id"] = membership is not None and membership.is_owner
        return context


class PersonIdNumberView(TenantScopedMixin, DetailView):
    """The full ID number of a person: owners only, and every view is audited."""

    model = Person
    owner_only = True
    template_name = "filings/person_id_number.html"

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        audit.record("person.view_id_number", self.object, actor=request.user)
        response["Cache-Control"] = "no-store"
        return response


class WebsiteListView(TenantScopedMixin, ListView):
    model = Website
    paginate_by = 50
    template_name = "filings/website_list.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("entity", "head")
            .prefetch_related(Prefetch("domains", queryset=Domain.objects.order_by("name")))
        )


class WebsiteDetailView(TenantScopedMixin, DetailView):
    model = Website
    template_name = "filings/website_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("entity", "head", "entity__province")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["domains"] = self.object.domains.all()
        context["timeline"] = audit.timeline(self.object)
        return context
