from icpportal.models.api_token import ApiToken
from icpportal.models.audit import AuditEvent
from icpportal.models.calendar import HolidayOverride
from icpportal.models.invitation import Invitation
from icpportal.models.tenancy import Membership, StaffProfile, Tenant

__all__ = [
    "ApiToken",
    "AuditEvent",
    "HolidayOverride",
    "Invitation",
    "Membership",
    "StaffProfile",
    "Tenant",
]
