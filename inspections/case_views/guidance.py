"""What the customer does about a failing rule: the page or application that fixes it."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from filings.choices import ApplicationKind
from icpportal.masking import mask_mapping
from inspections.models import CaseFinding, RectificationCase
from inspections.rules import default_registry


@dataclass(frozen=True)
class Remedy:
    label: Promise | str
    url: str


def _application(kind: str, case: RectificationCase) -> str:
    query = urlencode({"kind": kind, "website": case.website_id})
    return f"{reverse('application-new')}?{query}"


def remedy_for(finding: CaseFinding, case: RectificationCase) -> Remedy:
    """The one next step that fixes ``finding``."""
    code = finding.rule_code
    if code == "contact_reachability":
        return Remedy(_("Verify the contact numbers by SMS"), reverse("contact-inspection"))
    if code == "required_materials":
        return Remedy(
            _("Upload the missing materials"), reverse("website-materials", args=[case.website_id])
        )
    if code == "entity_identity":
        return Remedy(
            _("Correct the entity information (change application)"),
            _application(ApplicationKind.CHANGE_ENTITY, case),
        )
    if code == "dns_ip_ownership":
        return Remedy(
            _("Update the access information (change application)"),
            _application(ApplicationKind.CHANGE_ACCESS, case),
        )
    if code == "access_provider":
        return Remedy(
            _("Transfer the filing to us (new access application)"),
            _application(ApplicationKind.TRANSFER, case),
        )
    return Remedy(
        _("Correct the website information (change application)"),
        _application(ApplicationKind.CHANGE_WEBSITE, case),
    )


def rule_texts(code: str) -> tuple[str, str]:
    """The rule's title and what fixing it takes, in the current language."""
    try:
        rule = default_registry.get(code)
    except KeyError:
        return code, ""
    return str(rule.title), str(rule.fix_text)


def finding_guidance(case: RectificationCase) -> list[dict]:
    """Each finding of ``case`` with its rule in plain words, the evidence as lines
    (personal data masked) and, while it fails, the step that fixes it."""
    items = []
    for finding in case.findings.order_by("status", "rule_code"):
        title, fix_text = rule_texts(finding.rule_code)
        items.append(
            {
                "finding": finding,
                "title": title,
                "fix_text": fix_text,
                "evidence": evidence_lines(mask_mapping(finding.evidence or {})),
                "remedy": remedy_for(finding, case) if finding.status == "open" else None,
            }
        )
    return items


def evidence_lines(evidence: dict) -> list[tuple[str, str]]:
    """The evidence as short "what: value" lines, nested values flattened."""
    lines: list[tuple[str, str]] = []

    def walk(label: str, value) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{label} › {key}" if label else str(key), inner)
        elif isinstance(value, list):
            for inner in value:
                walk(label, inner)
        else:
            lines.append((label.replace("_", " "), str(value)))

    walk("", evidence or {})
    return lines[:20]


def deadline_outcome(case: RectificationCase, countdown: dict) -> str:
    """What happens at (or since) the deadline, in the words of the case page."""
    if not case.is_open:
        return _("This case is closed.")
    cancel_at = formats.date_format(timezone.localtime(countdown["cancel_at"]), "Y-m-d")
    if case.is_blocked:
        return _(
            "Access to this website's domains is blocked: visitors see an interception "
            "page. Fix the problems and ask for a re-inspection; access comes back at once "
            "when it passes. Otherwise access will be cancelled from %(cancel_at)s."
        ) % {"cancel_at": cancel_at}
    if countdown["passed"]:
        return _("The deadline has passed: access to the website's domains is about to be blocked.")
    return _(
        "If the problems are not fixed by then, access to the website's domains is blocked "
        "(visitors see an interception page), and from %(cancel_at)s access is cancelled."
    ) % {"cancel_at": cancel_at}
