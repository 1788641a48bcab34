"""What an application needs before it can be submitted, besides the inspection rules.

The rules of the special inspection judge the content (ID checksums, phones,
materials…). These checks make sure the application can be applied at all: the
fields a live row cannot do without are there, the rows it is about exist, and the
filing rules of the bureau allow it (a shell entity may not file again, a transfer
needs a filing the bureau holds elsewhere). Each problem names its payload field.
"""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.utils.translation import gettext as _

from filings.applications.proposed import REQUIRED, is_blank, section, transfer_record
from filings.choices import ApplicationKind
from filings.models import Application, Entity, Person, RegistryRecord, Website
from filings.payloads import PERSON_REFERENCE, payload_sections, read_int, read_text
from icpportal.crypto import keyed_hash

Kind = ApplicationKind

# Kinds whose approval creates a website here; their sections are all required.
FILING_KINDS = frozenset({Kind.FIRST_FILING, Kind.NEW_WEBSITE, Kind.TRANSFER})
# Kinds about an existing entity, and kinds about an existing website.
ENTITY_KINDS = frozenset({Kind.NEW_WEBSITE, Kind.CHANGE_ENTITY, Kind.DEREGISTER_ENTITY})
WEBSITE_KINDS = frozenset(
    {Kind.CHANGE_WEBSITE, Kind.CHANGE_ACCESS, Kind.CANCEL_ACCESS, Kind.DEREGISTER_WEBSITE}
)

Problems = dict[str, list[str]]


def _required() -> str:
    return _("This field is required.")


def _missing_fields(application: Application, problems: Problems) -> None:
    creating = application.kind in FILING_KINDS
    for name in payload_sections(application.kind):
        values = section(application, name)
        if name == "domains":
            entries = values or []
            if not entries and (creating or application.kind == Kind.CHANGE_ACCESS):
                problems["domains"].append(_("Add at least one domain."))
            for index, entry in enumerate(entries):
                if not read_text(entry.get("name")).strip():
                    problems[f"domains.{index}.name"].append(_required())
            continue
        if not creating and name != "reason" and is_blank(values):
            continue  # a change leaves a section it does not touch as it is
        if name in ("entity_head", "website_head"):
            _check_person(application, name, values or {}, problems)
            continue
        for field in REQUIRED.get(name, ()):
            if not read_text((values or {}).get(field)).strip():
                problems[f"{name}.{field}"].append(_required())


def _check_person(application: Application, name: str, values, problems: Problems) -> None:
    if PERSON_REFERENCE in values:
        person_id = read_int(values[PERSON_REFERENCE])
        if not Person.objects.filter(tenant_id=application.tenant_id, pk=person_id).exists():
            problems[f"{name}.{PERSON_REFERENCE}"].append(
                _("This person is not on file in your account.")
            )
        return
    for field in REQUIRED["person"]:
        if not read_text(values.get(field)).strip():
            problems[f"{name}.{field}"].append(_required())


def _tenant_entity(application: Application, id_hash: str) -> Entity | None:
    if not id_hash:
        return None
    return Entity.objects.filter(tenant_id=application.tenant_id, id_number_hash=id_hash).first()


def _check_targets(application: Application, problems: Problems) -> None:
    kind = application.kind
    if kind in ENTITY_KINDS:
        entity = application.entity
        if entity is None or entity.tenant_id != application.tenant_id:
            problems[""].append(_("Choose the entity this application is about."))
        elif entity.state == Entity.State.DEREGISTERED:
            problems[""].append(_("This entity is deregistered."))
    if kind in WEBSITE_KINDS:
        website = application.website
        if website is None or website.tenant_id != application.tenant_id:
            problems[""].append(_("Choose the website this application is about."))
        elif website.filing_state != Website.FilingState.FILED:
            problems[""].append(_("This website is deregistered."))


def _check_shell(application: Application, problems: Problems) -> None:
    """A shell entity must be deregistered before it can file again.

    A transfer (new access) stays open to it: that is how its website is accessed again.
    """
    if application.kind not in (Kind.FIRST_FILING, Kind.NEW_WEBSITE):
        return
    entity = application.entity
    field = ""
    if entity is None and application.kind == Kind.FIRST_FILING:
        values = section(application, "entity") or {}
        number = read_text(values.get("id_number")).strip().upper()
        entity = _tenant_entity(application, keyed_hash(number) if number else "")
        field = "entity.id_number"
        if entity is not None and entity.state == Entity.State.ACTIVE:
            problems[field].append(
                _(
                    "This entity is already filed in your account (%(number)s): apply for a "
                    "new website instead."
                )
                % {"number": entity.filing_number or entity.name}
            )
            return
    if entity is not None and entity.state == Entity.State.SHELL:
        problems[field].append(
            _(
                "“%(name)s” is an empty shell: no website of it is accessed any more. It must "
                "be deregistered before it can file again."
            )
            % {"name": entity.name}
        )


def _check_transfer(application: Application, problems: Problems) -> None:
    if application.kind != Kind.TRANSFER:
        return
    field = "transfer.filing_number"
    number = read_text((section(application, "transfer") or {}).get("filing_number")).strip()
    if not number:
        return  # already reported as required
    record = transfer_record(application.payload)
    if record is None:
        problems[field].append(_("The bureau holds no website filing with this number."))
        return
    if record.status == RegistryRecord.Status.DEREGISTERED:
        problems[field].append(_("The bureau has deregistered this filing."))
    elif settings.PROVIDER_CODE in (record.access_providers or []):
        problems[field].append(_("This website is already accessed through us."))
    existing = Website.objects.filter(filing_number=number).first()
    if existing is not None and existing.tenant_id != application.tenant_id:
        problems[field].append(_("This filing is on file in another customer account."))
    typed = read_text((section(application, "entity") or {}).get("id_number")).strip().upper()
    if typed and keyed_hash(typed) != record.entity_id_hash:
        problems["entity.id_number"].append(
            _("This is not the ID document of the entity that holds this filing.")
        )
    entity = application.entity or _tenant_entity(application, record.entity_id_hash)
    if entity is None and is_blank(section(application, "entity")):
        problems["entity"].append(
            _(
                "The entity of this filing (%(name)s) is not on file in your account yet: "
                "enter its details."
            )
            % {"name": record.entity_name}
        )


def submission_problems(application: Application) -> dict[str, list[str]]:
    """Every problem that stops the application from being submitted, by payload path."""
    problems: Problems = defaultdict(list)
    _check_targets(application, problems)
    _missing_fields(application, problems)
    _check_shell(application, problems)
    _check_transfer(application, problems)
    return {path: messages for path, messages in problems.items() if messages}
