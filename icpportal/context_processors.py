from django.conf import settings

from icpportal.tenancy import memberships_of, staff_role


def portal(request):
    """Header data every page shows: current tenant, the user's tenants, staff role."""
    user = getattr(request, "user", None)
    authenticated = user is not None and user.is_authenticated
    unread = 0
    if authenticated:
        from notifications.models import Notification

        unread = Notification.objects.in_app_for(user).unread().count()
    # TenantMiddleware has read them already (none for staff).
    memberships = getattr(request, "memberships", None)
    if memberships is None:
        memberships = list(memberships_of(user)) if authenticated else []
    return {
        "unread_notification_count": unread,
        "current_tenant": getattr(request, "tenant", None),
        "current_membership": getattr(request, "membership", None),
        "user_memberships": memberships,
        "staff_role": staff_role(user) if authenticated else None,
        "provider_name": settings.PROVIDER_NAME,
    }
