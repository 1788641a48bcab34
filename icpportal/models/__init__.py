from icpportal.models.api_token import ApiToken
from icpportal.models.audit import AuditEvent
from icpportal.models.bulk_job import BulkJob, BulkJobItem
from icpportal.models.calendar import HolidayOverride
from icpportal.models.invitation import Invitation
from icpportal.models.tenancy import LEAD_ROLES, Membership, StaffProfile, Tenant

__all__ = [
    "LEAD_ROLES",
    "ApiToken",
    "AuditEvent",
    "BulkJob",
    "BulkJobItem",
    "HolidayOverride",
    "Invitation",
    "Membership",
    "StaffProfile",
    "Tenant",
]
