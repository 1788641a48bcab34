"""The forms of the wizard's steps: one payload section (or part of one) each.

The forms check what the customer types with the project's validators (ID documents,
phones, domains, filing numbers), so a wrong value is named next to its field before
anything is saved; ``filings.applications.drafts`` then checks the section's shape
when the step is saved. The entity's type and province, once chosen, decide which
ID documents and content categories are offered and which fields are required.

ID numbers already saved are never put back in a form: the field stays empty, its
help text shows the masked number, and leaving it empty keeps the saved one.
"""

from filings.wizards.forms.base import StepForm, check_id
from filings.wizards.forms.parties import EntityBasicsForm, EntityForm, PersonForm
from filings.wizards.forms.websites import (
    BaseDomainFormSet,
    DomainForm,
    DomainFormSet,
    ReasonForm,
    TransferForm,
    WebsiteForm,
)

__all__ = [
    "BaseDomainFormSet",
    "DomainForm",
    "DomainFormSet",
    "EntityBasicsForm",
    "EntityForm",
    "PersonForm",
    "ReasonForm",
    "StepForm",
    "TransferForm",
    "WebsiteForm",
    "check_id",
]
