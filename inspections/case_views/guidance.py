"""What the customer does about a failing rule: the page or application that fixes it."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from filings.choices import ApplicationKind
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
