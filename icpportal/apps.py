from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    default = True
    name = "icpportal"
    verbose_name = _("Portal")


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django admin on the compliance-staff site (staff profiles, not ``is_staff``)."""

    default = False
    default_site = "icpportal.admin_base.ComplianceAdminSite"
