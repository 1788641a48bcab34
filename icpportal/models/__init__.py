from icpportal.models.audit import AuditEvent
from icpportal.models.calendar import HolidayOverride
from icpportal.models.invitation import Invitation
from icpportal.models.tenancy import Membership, StaffProfile, Tenant

__all__ = ["AuditEvent", "HolidayOverride", "Invitation", "Membership", "StaffProfile", "Tenant"]
