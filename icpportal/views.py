from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from filings.applications.views.pages import ROW_RELATIONS, with_next_steps
from filings.choices import OPEN_APPLICATION_STATUSES
from filings.models import Application, Entity, Website
from icpportal.redirects import next_url
from icpportal.tenancy import staff_role, switch_tenant
from inspections.dashboard import StaffDashboardView

# How many entities, websites and applications the dashboard lists before "View all".
DASHBOARD_ROWS = 20


@login_required
def home(request):
    """The customer's dashboard; compliance staff outside a customer account get the
    staff dashboard (inspections.dashboard).

    Entities, websites with their filing numbers and access, the applications in
    progress with their next step; a fixed number of queries however many there are.
    """
    if staff_role(request.user) is not None:
        # Staff belong to no customer account: TenantMiddleware leaves their tenant None.
        return StaffDashboardView.as_view()(request)
    tenant = request.tenant
    open_applications = Application.objects.for_tenant(tenant).filter(
        status__in=OPEN_APPLICATION_STATUSES
    )
    in_flight = open_applications.select_related(*ROW_RELATIONS).order_by("-updated_at", "-id")
    context = {
        "is_staff_member": staff_role(request.user) is not None,
        "entities": Entity.objects.for_tenant(tenant)
        .select_related("province")
        .order_by("name", "id")[:DASHBOARD_ROWS],
        "websites": Website.objects.for_tenant(tenant)
        .select_related("entity")
        .order_by("name", "id")[:DASHBOARD_ROWS],
        "applications": with_next_steps(in_flight[:DASHBOARD_ROWS]) if tenant else [],
        "application_count": open_applications.count(),
        "entity_count": Entity.objects.for_tenant(tenant).count(),
        "website_count": Website.objects.for_tenant(tenant).count(),
    }
    return render(request, "home.html", context)


@login_required
@require_POST
def switch_tenant_view(request):
    try:
        tenant_id = int(request.POST.get("tenant", ""))
    except ValueError:
        tenant_id = 0
    if switch_tenant(request, tenant_id):
        messages.success(request, _("Switched customer account."))
    else:
        messages.error(request, _("You are not a member of that customer account."))
    return redirect(next_url(request, reverse("home")))
