"""Inspection campaigns and what they found (see ``campaign`` and ``results``)."""

from inspections.models.campaign import Campaign, CampaignScope, CampaignStatus
from inspections.models.results import (
    InspectionStatus,
    RuleResult,
    WebsiteInspection,
    WorstStatus,
)

__all__ = [
    "Campaign",
    "CampaignScope",
    "CampaignStatus",
    "InspectionStatus",
    "RuleResult",
    "WebsiteInspection",
    "WorstStatus",
]
