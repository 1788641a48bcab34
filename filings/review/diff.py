"""What an application proposes, side by side with what is on file now.

The reviewer reads each payload field next to the live value it would replace, with
the fields that change marked. Values are compared the way the live rows store them
(trimmed, upper-case ID numbers, E.164 phones, IDNA domains) so a change of spelling
only is not reported; ID numbers and phones are shown masked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from filings.applications.drafts import editable_sections
from filings.applications.proposed import read_value
from filings.models import Application, Domain, Entity, Person, ProvinceRule, Website
from filings.payloads import (
    LIST_SECTIONS,
    PERSON_REFERENCE,
    read_domain_name,
    read_int,
    read_section,
    section_fields,
)
from filings.validators import to_idna
from icpportal.masking import mask_value

SECTION_LABELS = {
    "entity": _("Entity"),
    "entity_head": _("Entity head"),
    "website": _("Website"),
    "website_head": _("Website head"),
    "domains": _("Domains"),
    "transfer": _("Transfer"),
    "reason": _("Reason"),
}
# The model whose field describes each section's values (labels and choices).
_SECTION_MODELS: dict[str, type[models.Model]] = {
    "entity": Entity,
    "entity_head": Person,
    "website": Website,
    "website_head": Person,
    "domains": Domain,
}
_OTHER_LABELS = {
    ("transfer", "filing_number"): _("Website filing number"),
    ("reason", "text"): _("Reason"),
}


class Change(models.TextChoices):
    SAME = "same", _("Unchanged")
    CHANGED = "changed", _("Changed")
    NEW = "new", _("New")
    ADDED = "added", _("Added")
    REMOVED = "removed", _("Removed")


@dataclass(frozen=True)
class FieldDiff:
    """One payload field: its path, label, the live and the proposed value (as shown)."""

    path: str
    label: str
    live: str
    proposed: str
    change: str

    @property
    def is_changed(self) -> bool:
        return self.change in (Change.CHANGED, Change.ADDED, Change.REMOVED)

    @property
    def change_label(self) -> str:
        return str(Change(self.change).label)


@dataclass(frozen=True)
class SectionDiff:
    """A section (or one domain entry) of the payload with its fields."""

    path: str
    label: str
    change: str
    fields: list[FieldDiff] = field(default_factory=list)

    @property
    def changed_count(self) -> int:
        return sum(1 for f in self.fields if f.is_changed)

    @property
    def change_label(self) -> str:
        return str(Change(self.change).label)


def field_label(section: str, name: str) -> str:
    """The field's name as the customer saw it in the wizard."""
    if (section, name) in _OTHER_LABELS:
        return str(_OTHER_LABELS[section, name])
    model = _SECTION_MODELS.get(section)
    if model is None:
        return name
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # a payload field the model does not have
        return name


def _choices(section: str, name: str) -> dict[str, str]:
    model = _SECTION_MODELS.get(section)
    if model is None:
        return {}
    try:
        model_field = model._meta.get_field(name)
    except Exception:
        return {}
    return {str(k): str(v) for k, v in (model_field.flatchoices or ())}


class _Shower:
    """Turns stored values into text for the page (choices by label, masked personal data)."""

    def __init__(self) -> None:
        self._provinces: dict[str, str] | None = None

    def province(self, code: str) -> str:
        if self._provinces is None:
            self._provinces = dict(ProvinceRule.objects.values_list("code", "name"))
        return self._provinces.get(code, code)

    def show(self, section: str, name: str, value: Any) -> str:
        if value in (None, "", []):
            return ""
        if name == "province":
            return self.province(str(value))
        if name == "pre_approvals":
            return "; ".join(
                " ".join(str(part) for part in entry.values() if part) for entry in value
            )
        if hasattr(value, "isoformat"):
            return value.isoformat()
        text = str(value)
        choices = _choices(section, name)
        if text in choices:
            return choices[text]
        return str(mask_value(name, text))


def _model_name(name: str) -> str:
    return "province_id" if name == "province" else name


def _live_values(obj: models.Model | None, section: str) -> dict[str, Any] | None:
    if obj is None:
        return None
    values = {name: getattr(obj, _model_name(name), "") for name in section_fields(section)}
    if section in _SECTION_MODELS and _SECTION_MODELS[section] is Website:
        values["pre_approvals"] = list(obj.pre_approvals or [])
    return values


def _proposed_values(section: str, values: Mapping[str, Any]) -> dict[str, Any]:
    proposed = {name: read_value(name, values.get(name)) for name in section_fields(section)}
    if section == "domains":
        proposed["name"] = _idna(values.get("name"))
    return proposed


def _idna(value: Any) -> str:
    name = read_domain_name(value)
    try:
        return to_idna(name) if name else ""
    except Exception:
        return name


def _compare(live: Any, proposed: Any) -> bool:
    if live in (None, "") and proposed in (None, "", []):
        return True
    if isinstance(live, list) or isinstance(proposed, list):
        return list(live or []) == list(proposed or [])
    return live == proposed


def _fields(
    shower: _Shower,
    path: str,
    section: str,
    live: Mapping[str, Any] | None,
    proposed: Mapping[str, Any] | None,
    change_all: str | None = None,
) -> list[FieldDiff]:
    rows = []
    for name in section_fields(section):
        live_value = live.get(name) if live is not None else None
        proposed_value = proposed.get(name) if proposed is not None else None
        if change_all is not None:
            change = change_all
        elif _compare(live_value, proposed_value):
            change = Change.SAME
        else:
            change = Change.CHANGED
        rows.append(
            FieldDiff(
                path=f"{path}.{name}" if path else "",
                label=field_label(section, name),
                live=shower.show(section, name, live_value),
                proposed=shower.show(section, name, proposed_value),
                change=change,
            )
        )
    return rows


class PayloadDiff:
    """The whole payload of one application compared with the live rows."""

    def __init__(self, application: Application) -> None:
        self.application = application
        self._shower = _Shower()
        website = application.website
        self._entity = application.entity or (website.entity if website else None)
        self._website = website

    def _live_object(self, section: str) -> models.Model | None:
        if section == "entity":
            return self._entity
        if section == "entity_head":
            return self._entity.head if self._entity else None
        if section == "website":
            return self._website
        if section == "website_head":
            return self._website.head if self._website else None
        return None

    def _person_values(self, values: Mapping[str, Any]) -> dict[str, Any] | None:
        """The values of a head section; a reference reads the person on file."""
        if PERSON_REFERENCE not in values:
            return _proposed_values("entity_head", values)
        person = Person.objects.filter(
            tenant_id=self.application.tenant_id, pk=read_int(values[PERSON_REFERENCE])
        ).first()
        return _live_values(person, "entity_head")

    def _section(self, section: str, values: Any) -> SectionDiff:
        label = str(SECTION_LABELS.get(section, section))
        values = values if isinstance(values, Mapping) else {}
        live = _live_values(self._live_object(section), section)
        if section in ("entity_head", "website_head"):
            proposed = self._person_values(values)
        else:
            proposed = _proposed_values(section, values)
        if live is None:
            rows = _fields(self._shower, section, section, None, proposed, Change.NEW)
            return SectionDiff(section, label, Change.NEW, rows)
        rows = _fields(self._shower, section, section, live, proposed)
        changed = any(row.is_changed for row in rows)
        return SectionDiff(section, label, Change.CHANGED if changed else Change.SAME, rows)

    def _domains(self, entries: list[dict[str, Any]]) -> list[SectionDiff]:
        live_rows = (
            list(self._website.domains.filter(is_active=True).order_by("name"))
            if self._website is not None
            else []
        )
        by_name = {row.name: row for row in live_rows}
        seen: set[str] = set()
        diffs = []
        for index, entry in enumerate(entries):
            proposed = _proposed_values("domains", entry)
            path = f"domains.{index}"
            row = by_name.get(proposed["name"])
            title = proposed["name"] or str(_("Domain %(number)d") % {"number": index + 1})
            if row is None:
                change = Change.ADDED if self._website is not None else Change.NEW
                fields = _fields(self._shower, path, "domains", None, proposed, change)
                diffs.append(SectionDiff(path, title, change, fields))
                continue
            seen.add(row.name)
            fields = _fields(self._shower, path, "domains", _live_values(row, "domains"), proposed)
            changed = any(f.is_changed for f in fields)
            diffs.append(
                SectionDiff(path, title, Change.CHANGED if changed else Change.SAME, fields)
            )
        for row in live_rows:
            if row.name not in seen:
                live = _live_values(row, "domains")
                # A removed domain is no payload field: nothing to give a reason for.
                fields = _fields(self._shower, "", "domains", live, None, Change.REMOVED)
                diffs.append(SectionDiff("", row.name, Change.REMOVED, fields))
        return diffs

    def sections(self) -> list[SectionDiff]:
        """Every section the application holds, in the wizard's order; domains one by one."""
        payload = self.application.payload or {}
        result: list[SectionDiff] = []
        for section in editable_sections(self.application.kind):
            values = read_section(payload, section)
            if values is None:
                continue
            if section in LIST_SECTIONS:
                result.extend(self._domains(values))
            else:
                result.append(self._section(section, values))
        return result


def payload_diff(application: Application) -> list[SectionDiff]:
    """The application's payload compared with the live data, section by section."""
    return PayloadDiff(application).sections()
