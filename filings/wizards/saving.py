"""Saving a wizard step into the draft's payload, through the draft actions.

The form has already checked the values; ``do_save_draft`` checks the section's
shape, saves it in one transaction with its audit row, and (for a transfer) looks
the filing up at the bureau. A refusal comes back onto the form, next to its field.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from filings.applications.actions import do_save_draft
from filings.payloads import read_section
from filings.registry import get_registry
from filings.wizards.steps import DOMAINS, ENTITY, ENTITY_BASICS, TRANSFER, Step, WizardState


def _show_refusal(form, section: str, result) -> None:
    """Put an action's field errors on the form (paths ``entity.name`` → ``name``)."""
    shown = False
    for path, messages in (result.field_errors or {}).items():
        name = path.split(".")[-1]
        target = form.forms[0] if hasattr(form, "forms") and form.forms else form
        for message in messages:
            if hasattr(target, "fields") and name in target.fields:
                target.add_error(name, message)
            elif hasattr(form, "non_form_errors"):
                form._non_form_errors.append(message)
            else:
                form.add_error(None, message)
            shown = True
    if not shown:
        if hasattr(form, "non_form_errors"):
            form._non_form_errors.append(result.message)
        else:
            form.add_error(None, result.message)


def _transfer_number(form) -> str | None:
    """The website filing number the customer gave, directly or by one of its domains."""
    number = form.cleaned_data.get("filing_number", "").strip()
    domain = form.cleaned_data.get("domain", "")
    if number or not domain:
        return number
    record = get_registry().lookup_domain(domain)
    if record is None or not record.website_filing_number:
        form.add_error("domain", _("The bureau holds no website filing for this domain."))
        return None
    return record.website_filing_number


def _transfer_entity(state: WizardState) -> dict[str, Any] | None:
    """What the bureau's record says of the entity, for an entity section still empty."""
    record = state.transfer_record
    saved = read_section(state.application.payload, "entity") or {}
    if record is None or any(saved.values()) or state.transfer_entity_on_file:
        return None
    return {
        "entity_type": record.entity_type,
        "name": record.entity_name,
        "id_type": record.entity_id_type,
        "province": record.province_id or "",
    }


def save_step(state: WizardState, step: Step, form, *, actor) -> bool:
    """Save what ``form`` holds into the step's section; False when it shows errors."""
    application = state.application
    if step is DOMAINS:
        data: Any = form.entries()
    elif step is TRANSFER:
        number = _transfer_number(form)
        if number is None:
            return False
        data = {"filing_number": number}
    else:
        data = form.section()
    if step in (ENTITY_BASICS, ENTITY):
        # Both steps fill the entity section: each keeps what the other saved.
        data = {**(read_section(application.payload, "entity") or {}), **data}
    result = do_save_draft(application, step.section, data, actor=actor)
    if not result.ok:
        _show_refusal(form, step.section, result)
        return False
    state.application = result.application
    if step is TRANSFER:
        fresh = WizardState(result.application)
        if (entity := _transfer_entity(fresh)) is not None:
            do_save_draft(result.application, "entity", entity, actor=actor)
    return True
