"""The review step's summary: each section as label/value rows, ID numbers and phones masked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from filings.choices import ContentCategory, EntityType, IdType, ServiceType
from filings.models import Person, ProvinceRule
from filings.payloads import PERSON_REFERENCE, read_int, read_pre_approvals, read_text
from filings.wizards.steps import ENTITY_BASICS, Step, WizardState
from icpportal.masking import mask_value

LABELS = {
    "entity_type": _("Entity type"),
    "province": _("Province"),
    "name": _("Name"),
    "id_type": _("ID document type"),
    "id_number": _("ID document number"),
    "address": _("Address"),
    "legal_representative": _("Legal representative"),
    "office_phone": _("Office phone"),
    "emergency_phone": _("Emergency phone"),
    "email": _("Email"),
    "mobile": _("Mobile number"),
    "landline": _("Landline"),
    "homepage_url": _("Home page address"),
    "content_category": _("Content category"),
    "service_type": _("Service type"),
    "pre_approvals": _("Pre-approvals"),
    "filing_number": _("Website filing number"),
    "registrar": _("Registrar"),
    "registrant_name": _("Registrant"),
    "registrant_id_type": _("Registrant's ID document type"),
    "registrant_id_number": _("Registrant's ID document number"),
    "expires_on": _("Expires on"),
    "text": _("Reason"),
}
_CHOICES = {
    "entity_type": EntityType,
    "id_type": IdType,
    "registrant_id_type": IdType,
    "content_category": ContentCategory,
    "service_type": ServiceType,
}


@dataclass(frozen=True)
class SummarySection:
    step: Step
    rows: list[tuple[str, str]]
    entries: list[list[tuple[str, str]]]  # for the domains: one list of rows per domain


def _display(name: str, value: Any, provinces: dict[str, str]) -> str:
    if name == "pre_approvals":
        return "; ".join(
            f"{p['number']} ({p['issuer']})" if p["issuer"] else p["number"]
            for p in read_pre_approvals(value)
        )
    text = read_text(value).strip()
    if name in _CHOICES and text in _CHOICES[name].values:
        return str(_CHOICES[name](text).label)
    if name == "province":
        return provinces.get(text, text)
    return str(mask_value(name, text) or "")


def _rows(values: dict[str, Any], provinces: dict[str, str], persons: dict[int, Person]):
    if PERSON_REFERENCE in values:
        person = persons.get(read_int(values[PERSON_REFERENCE]) or 0)
        if person is None:
            return []
        values = {
            "name": person.name,
            "id_type": person.id_type,
            "id_number": person.id_number,
            "mobile": person.mobile,
        }
    order = list(LABELS)
    names = sorted(values, key=lambda n: order.index(n) if n in order else len(order))
    return [
        (str(LABELS.get(name, name)), _display(name, values[name], provinces))
        for name in names
        if read_text(values[name]).strip() and values[name] != []
    ]


def review_sections(state: WizardState) -> list[SummarySection]:
    """Every section the wizard asked for, in step order."""
    provinces = {p.code: p.display_name for p in ProvinceRule.objects.all()}
    person_ids = [
        read_int((state.saved(name) or {}).get(PERSON_REFERENCE))
        for name in ("entity_head", "website_head")
        if isinstance(state.saved(name), dict)
    ]
    persons = Person.objects.for_tenant(state.application.tenant).in_bulk(
        [pk for pk in person_ids if pk]
    )
    sections = []
    for step in state.steps:
        if not step.section or step is ENTITY_BASICS:
            continue
        saved = state.saved(step.section)
        if isinstance(saved, list):
            entries = [_rows(entry, provinces, persons) for entry in saved]
            sections.append(SummarySection(step, [], entries))
        else:
            sections.append(SummarySection(step, _rows(saved or {}, provinces, persons), []))
    return sections


def returned_for(application, step: Step) -> list[tuple[str, str]]:
    """The reviewer's reasons for returning the application that concern ``step``
    (the overall reason goes with the review), as (field label, reason)."""
    reasons = application.return_reasons or {}
    wanted = []
    for path, reason in reasons.items():
        parts = str(path).split(".")
        if step.section and parts[0] == step.section:
            label = LABELS.get(parts[-1], "") if len(parts) > 1 else ""
            if step.section == "domains" and len(parts) > 1 and parts[1].isdigit():
                label = f"{_('Domain')} {int(parts[1]) + 1}" + (f" · {label}" if label else "")
            wanted.append((str(label), str(reason)))
        elif not path and step.slug == "review":
            wanted.append(("", str(reason)))
    return wanted
