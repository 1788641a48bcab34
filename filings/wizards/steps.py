"""The steps of each application kind's wizard, and how far a draft has come.

A step edits one payload section (the entity's first step only its type and
province, which decide the rest), or is the materials checklist, or the final
review. Which steps a kind has follows the sections ``filings.payloads`` gives it;
a transfer also asks for the entity when the filing's entity is not on file yet.

A step is complete when what is saved for it passes the step's form as if it were
typed in again, so "resume" lands on the first step the customer has not finished.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from filings.applications.drafts import editable_sections
from filings.applications.proposed import transfer_record
from filings.choices import ApplicationKind, ApplicationStatus, EntityType
from filings.materials.checklist import ChecklistItem, checklist
from filings.models import Application, Entity, MaterialRequirement, ProvinceRule
from filings.payloads import PERSON_REFERENCE, read_section, read_text
from filings.wizards import forms as step_forms

Kind = ApplicationKind


@dataclass(frozen=True)
class Step:
    """One page of a wizard."""

    slug: str
    title: Promise
    section: str = ""  # the payload section it saves ("" for materials and review)
    help: Promise | str = ""


ENTITY_BASICS = Step(
    "entity-type",
    _("Entity type and province"),
    "entity",
    _("The entity's type and province decide which documents and details are needed."),
)
ENTITY = Step("entity", _("Entity"), "entity", _("As printed on the entity's certificate."))
ENTITY_HEAD = Step(
    "entity-head",
    _("Entity head"),
    "entity_head",
    _("The person in charge of the entity; the bureau sends their mobile a code."),
)
TRANSFER = Step(
    "transfer",
    _("Filing to transfer"),
    "transfer",
    _("The filing held at another provider: we look it up at the bureau."),
)
WEBSITE = Step("website", _("Website"), "website")
WEBSITE_HEAD = Step(
    "website-head", _("Website head"), "website_head", _("The person in charge of the website.")
)
DOMAINS = Step(
    "domains",
    _("Domains"),
    "domains",
    _("Every domain of the website; each must be registered to the entity under its real name."),
)
REASON = Step("reason", _("Reason"), "reason")
MATERIALS = Step(
    "materials",
    _("Documents"),
    help=_("One upload per document: JPEG, PNG or PDF, checked by content, not by name."),
)
REVIEW = Step(
    "review", _("Review"), help=_("Check everything before the self-check and submission.")
)

_SECTION_STEPS: dict[str, tuple[Step, ...]] = {
    "entity": (ENTITY_BASICS, ENTITY),
    "entity_head": (ENTITY_HEAD,),
    "transfer": (TRANSFER,),
    "website": (WEBSITE,),
    "website_head": (WEBSITE_HEAD,),
    "domains": (DOMAINS,),
    "reason": (REASON,),
}
_ENTITY_SECTIONS = ("entity", "entity_head")


@dataclass
class WizardState:
    """What the wizard knows about one draft while it answers one request."""

    application: Application
    _forms_checked: dict[str, bool] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return self.application.kind

    @property
    def payload(self) -> dict[str, Any]:
        return self.application.payload or {}

    def saved(self, section: str) -> Any:
        return read_section(self.payload, section)

    @cached_property
    def live_entity(self) -> Entity | None:
        app = self.application
        if app.website_id:
            return app.website.entity
        return app.entity if app.entity_id else None

    @property
    def entity_type(self) -> str:
        values = self.saved("entity") or {}
        typed = read_text(values.get("entity_type")).strip()
        if typed:
            return typed
        if self.live_entity is not None:
            return self.live_entity.entity_type
        record = self.transfer_record
        return record.entity_type if record is not None else ""

    @cached_property
    def province(self) -> ProvinceRule | None:
        values = self.saved("entity") or {}
        code = read_text(values.get("province")).strip()
        if not code and self.live_entity is not None:
            code = self.live_entity.province_id
        if not code and self.transfer_record is not None:
            code = self.transfer_record.province_id
        return ProvinceRule.objects.filter(code=code).first() if code else None

    @cached_property
    def transfer_record(self):
        return transfer_record(self.payload) if self.kind == Kind.TRANSFER else None

    @cached_property
    def transfer_entity_on_file(self) -> bool:
        """Whether the entity of the filing to transfer is already in this account."""
        record = self.transfer_record
        if self.application.entity_id:
            return True
        if record is None:
            return False
        return (
            Entity.objects.for_tenant(self.application.tenant)
            .filter(id_number_hash=record.entity_id_hash)
            .exists()
        )

    @cached_property
    def has_materials(self) -> bool:
        return MaterialRequirement.objects.filter(application_kind=self.kind).exists()

    @cached_property
    def steps(self) -> tuple[Step, ...]:
        sections = list(editable_sections(self.kind))
        if self.kind == Kind.TRANSFER:
            # The entity is asked for only when this account does not hold it yet.
            sections = [s for s in sections if s not in _ENTITY_SECTIONS]
            if not self.transfer_entity_on_file:
                sections[1:1] = _ENTITY_SECTIONS
        steps: list[Step] = []
        for name in sections:
            steps += _SECTION_STEPS[name]
        if self.has_materials:
            steps.append(MATERIALS)
        steps.append(REVIEW)
        return tuple(steps)

    def step(self, slug: str) -> Step | None:
        return next((s for s in self.steps if s.slug == slug), None)

    def neighbours(self, step: Step) -> tuple[Step | None, Step | None]:
        index = self.steps.index(step)
        before = self.steps[index - 1] if index > 0 else None
        after = self.steps[index + 1] if index + 1 < len(self.steps) else None
        return before, after

    # ---- forms of the steps -----------------------------------------------------------

    def legal_representative(self) -> str:
        """Whom the entity head must be, where the province says so ("" otherwise)."""
        province = self.province
        if province is None or not province.head_must_be_legal_representative:
            return ""
        if self.entity_type == EntityType.INDIVIDUAL:
            return ""
        values = self.saved("entity") or {}
        return read_text(values.get("legal_representative")).strip()

    def form(self, step: Step, data=None, *, leaving: bool = False):
        """The form of ``step``, bound to ``data`` when given."""
        saved = self.saved(step.section) if step.section else None
        common: dict[str, Any] = {"data": data, "leaving": leaving}
        if step is DOMAINS:
            entries = saved or []
            initial = [
                {k: v for k, v in entry.items() if k != "registrant_id_number"} for entry in entries
            ]
            return step_forms.DomainFormSet(
                data, initial=initial, saved_entries=entries, leaving=leaving, prefix="domains"
            )
        saved = saved if isinstance(saved, dict) else {}
        if step is ENTITY_BASICS:
            return step_forms.EntityBasicsForm(saved=saved, **common)
        if step is ENTITY:
            record = self.transfer_record
            return step_forms.EntityForm(
                saved=saved,
                entity_type=self.entity_type,
                province=self.province,
                expected_id_hash=record.entity_id_hash if record is not None else "",
                **common,
            )
        if step in (ENTITY_HEAD, WEBSITE_HEAD):
            same_as = None
            if step is WEBSITE_HEAD:
                entity_head = self.saved("entity_head")
                same_as = entity_head if entity_head and not _blank(entity_head) else None
            return step_forms.PersonForm(
                saved=saved,
                tenant=self.application.tenant,
                same_as=same_as,
                legal_representative=self.legal_representative() if step is ENTITY_HEAD else "",
                **common,
            )
        if step is WEBSITE:
            return step_forms.WebsiteForm(saved=saved, entity_type=self.entity_type, **common)
        if step is TRANSFER:
            return step_forms.TransferForm(saved=saved, **common)
        if step is REASON:
            return step_forms.ReasonForm(saved=saved, **common)
        return None

    # ---- how far the draft has come ---------------------------------------------------

    @cached_property
    def checklist(self) -> list[ChecklistItem]:
        return checklist(self.application) if self.has_materials else []

    def is_complete(self, step: Step) -> bool:
        if step is REVIEW:
            return False
        if step is MATERIALS:
            # An empty list means the rule cannot tell yet (no entity type or province).
            items = self.checklist
            return bool(items) and all(item.material is not None for item in items)
        if step.slug not in self._forms_checked:
            saved = self.saved(step.section)
            if saved is None or _blank(saved):
                done = False
            else:
                form = self.form(step, data=saved_as_data(step, saved))
                done = form.is_valid()
            self._forms_checked[step.slug] = done
        return self._forms_checked[step.slug]

    def first_returned(self) -> Step | None:
        """The first step a reviewer's reason for returning the application is about."""
        if self.application.status != ApplicationStatus.RETURNED:
            return None
        sections = {str(path).split(".")[0] for path in self.application.return_reasons or {}}
        return next((s for s in self.steps if s.section and s.section in sections), None)

    def first_incomplete(self) -> Step:
        return next((s for s in self.steps if not self.is_complete(s)), REVIEW)


def _blank(values: Any) -> bool:
    if isinstance(values, list):
        return not values
    if isinstance(values, dict):
        if PERSON_REFERENCE in values:
            return False
        return all(not v for v in values.values())
    return not values


def saved_as_data(step: Step, saved: Any) -> dict[str, Any]:
    """A saved section as the form of ``step`` would receive it from the browser."""
    if step is DOMAINS:
        data = {
            "domains-TOTAL_FORMS": str(len(saved)),
            "domains-INITIAL_FORMS": str(len(saved)),
        }
        for index, entry in enumerate(saved):
            for key, value in entry.items():
                data[f"domains-{index}-{key}"] = read_text(value)
        return data
    values = dict(saved)
    if PERSON_REFERENCE in values:
        return {"person": values[PERSON_REFERENCE]}
    if step is WEBSITE:
        approvals = values.pop("pre_approvals", None) or []
        first = approvals[0] if approvals and isinstance(approvals[0], dict) else {}
        values["pre_approval_number"] = first.get("number", "")
        values["pre_approval_issuer"] = first.get("issuer", "")
    return {key: read_text(value) for key, value in values.items()}
