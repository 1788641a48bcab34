"""The proposed data of an application as its page shows it, each field with the
self-check problems and the return reasons that name it.

Personal numbers are masked; a head reused from the account shows as that person.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from filings.choices import ApplicationStatus, HeadRole
from filings.models import Application, Domain, Entity, Person, ProvinceRule, Website
from filings.payloads import (
    LIST_SECTIONS,
    PERSON_REFERENCE,
    editable_sections,
    payload_sections,
    read_int,
    read_pre_approvals,
    read_section,
    read_text,
    section_fields,
)
from icpportal.masking import mask_value
from inspections.rules import Status, get_rule

SECTION_TITLES: dict[str, Promise] = {
    "entity": _("Entity"),
    "entity_head": HeadRole.ENTITY_HEAD.label,
    "website": _("Website"),
    "website_head": HeadRole.WEBSITE_HEAD.label,
    "domains": _("Domains"),
    "transfer": _("Filing to transfer"),
    "reason": _("Reason"),
}
_SECTION_MODEL = {
    "entity": Entity,
    "entity_head": Person,
    "website": Website,
    "website_head": Person,
    "domains": Domain,
}
_OTHER_LABELS: dict[tuple[str, str], Promise] = {
    ("transfer", "filing_number"): _("Website filing number"),
    ("reason", "text"): _("Reason"),
}


@dataclass(frozen=True)
class Problem:
    """One thing to fix (or, when not blocking, to consider) before submitting."""

    message: str
    fix: str = ""
    blocking: bool = True


@dataclass
class Notes:
    """What the page says about one field or section."""

    problems: list[Problem] = field(default_factory=list)
    return_reasons: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.problems or self.return_reasons)


@dataclass
class ProposedField:
    path: str
    label: str
    value: str
    notes: Notes = field(default_factory=Notes)


@dataclass
class ProposedEntry:
    """A section, or one domain of the ``domains`` list."""

    path: str
    title: str
    fields: list[ProposedField] = field(default_factory=list)
    person: Person | None = None
    notes: Notes = field(default_factory=Notes)
    empty: bool = False


@dataclass
class Proposal:
    entries: list[ProposedEntry]
    general: Notes
    blocking_count: int = 0
    warning_count: int = 0

    @property
    def blocks_submission(self) -> bool:
        return self.blocking_count > 0


def _label(section: str, name: str) -> str:
    if (section, name) in _OTHER_LABELS:
        return capfirst(str(_OTHER_LABELS[(section, name)]))
    model = _SECTION_MODEL.get(section)
    try:
        return capfirst(str(model._meta.get_field(name).verbose_name))
    except Exception:  # a payload field the model names differently
        return capfirst(name.replace("_", " "))


def _display(section: str, name: str, value: Any, provinces: Mapping[str, str]) -> str:
    if name == "pre_approvals":
        return "; ".join(
            " ".join(filter(None, (a["number"], a["issuer"] and f"({a['issuer']})")))
            for a in read_pre_approvals(value)
        )
    text = read_text(value).strip()
    if not text:
        return ""
    if name == "province":
        return provinces.get(text, text)
    model = _SECTION_MODEL.get(section)
    if model is not None:
        try:
            choices = dict(model._meta.get_field(name).flatchoices)
        except Exception:
            choices = {}
        if text in choices:
            return str(choices[text])
    return str(mask_value(name, text))


def _fields(section: str, values: Mapping[str, Any], prefix: str, provinces) -> list:
    return [
        ProposedField(
            path=f"{prefix}.{name}",
            label=_label(section, name),
            value=_display(section, name, values.get(name), provinces),
        )
        for name in section_fields(section)
        if name in values
    ]


def _notes_by_path(application: Application, outcomes, blocking) -> dict[str, Notes]:
    notes: dict[str, Notes] = {}

    def add(path: str, problem: Problem) -> None:
        entry = notes.setdefault(path, Notes())
        if problem.message not in {p.message for p in entry.problems}:
            entry.problems.append(problem)

    for outcome in outcomes:
        if outcome.status != Status.FAIL:
            continue
        try:
            fix = str(get_rule(outcome.code).fix_text)
        except KeyError:
            fix = ""
        for path in outcome.fields or ("",):
            add(path, Problem(outcome.message, fix, outcome.is_blocking))
    for path, messages in (blocking or {}).items():
        for message in messages:
            add(path, Problem(str(message), "", True))
    if application.status == ApplicationStatus.RETURNED:
        for path, reason in (application.return_reasons or {}).items():
            if str(reason).strip():
                notes.setdefault(path, Notes()).return_reasons.append(str(reason))
    return notes


def build_proposal(
    application: Application, outcomes: Iterable[Any] = (), blocking=None
) -> Proposal:
    """The application's sections for the page, with every note placed at its field.

    ``outcomes`` and ``blocking`` are what the self-check answered (none when the
    application is no longer editable). A note whose path the page does not show
    goes to the nearest shown parent, else to the general notes.
    """
    payload = application.payload or {}
    codes = {read_text((read_section(payload, "entity") or {}).get("province")).strip()} - {""}
    provinces = (
        dict(ProvinceRule.objects.filter(code__in=codes).values_list("code", "name"))
        if codes
        else {}
    )
    person_ids = {
        read_int((read_section(payload, name) or {}).get(PERSON_REFERENCE))
        for name in ("entity_head", "website_head")
    } - {None}
    persons = (
        Person.objects.for_tenant(application.tenant).in_bulk(person_ids) if person_ids else {}
    )
    entries: list[ProposedEntry] = []
    own = payload_sections(application.kind)
    for name in editable_sections(application.kind):
        if name not in own and not payload.get(name):
            continue  # a transfer's entity sections, when the entity is on file already
        values = read_section(payload, name)
        title = str(SECTION_TITLES.get(name, name))
        if name in LIST_SECTIONS:
            entries.append(ProposedEntry(name, title, empty=not values))
            for index, entry in enumerate(values or []):
                path = f"{name}.{index}"
                label = read_text(entry.get("name")).strip() or f"#{index + 1}"
                entries.append(
                    ProposedEntry(path, f"{title}: {label}", _fields(name, entry, path, provinces))
                )
            continue
        values = values or {}
        person = None
        if PERSON_REFERENCE in values:
            person = persons.get(read_int(values[PERSON_REFERENCE]))
        fields = _fields(name, values, name, provinces)
        entries.append(
            ProposedEntry(
                name,
                title,
                fields,
                person=person,
                empty=person is None and not any(f.value for f in fields),
            )
        )
    return _place_notes(entries, _notes_by_path(application, outcomes, blocking))


def _place_notes(entries: list[ProposedEntry], notes: dict[str, Notes]) -> Proposal:
    targets: dict[str, Notes] = {}
    for entry in entries:
        targets[entry.path] = entry.notes
        for item in entry.fields:
            targets[item.path] = item.notes
    general = Notes()
    blocking = warnings = 0
    for path, note in notes.items():
        target = general
        parts = path.split(".") if path else []
        while parts:
            candidate = ".".join(parts)
            if candidate in targets:
                target = targets[candidate]
                break
            parts.pop()
        # One finding may name several fields that land at the same place: say it once.
        known = {p.message for p in target.problems}
        fresh = [p for p in note.problems if p.message not in known]
        target.problems.extend(fresh)
        reasons = [r for r in note.return_reasons if r not in target.return_reasons]
        target.return_reasons.extend(reasons)
        blocking += sum(p.blocking for p in fresh)
        warnings += sum(not p.blocking for p in fresh)
    return Proposal(entries, general, blocking, warnings)
