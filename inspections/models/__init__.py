"""Inspection campaigns, what they found, rectification cases and the access gate."""

from inspections.models.campaign import Campaign, CampaignScope, CampaignStatus
from inspections.models.cases import (
    CaseFinding,
    CaseMessage,
    CaseState,
    FindingStatus,
    HoldReason,
    PeriodKind,
    RectificationCase,
)
from inspections.models.enforcement import BlockBudget, CampaignBlockApproval, EnforcementControl
from inspections.models.gate import AccessDecision, AccessState
from inspections.models.results import (
    InspectionStatus,
    RuleResult,
    WebsiteInspection,
    WorstStatus,
)
from inspections.models.triage import TriageDecision, TriageOutcome

__all__ = [
    "AccessDecision",
    "AccessState",
    "BlockBudget",
    "Campaign",
    "CampaignBlockApproval",
    "CampaignScope",
    "CampaignStatus",
    "CaseFinding",
    "CaseMessage",
    "CaseState",
    "EnforcementControl",
    "FindingStatus",
    "HoldReason",
    "InspectionStatus",
    "PeriodKind",
    "RectificationCase",
    "RuleResult",
    "TriageDecision",
    "TriageOutcome",
    "WebsiteInspection",
    "WorstStatus",
]
