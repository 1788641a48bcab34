"""What the customer is told about each document before uploading it (the checklist)."""

from django.utils.translation import gettext_lazy as _

from filings.choices import MaterialKind

K = MaterialKind

CHECKLIST_TEXT = {
    K.ENTITY_CERTIFICATE: _(
        "A colour scan or photo of the business licence or registration certificate, the "
        "original, all four corners visible, with the name and code legible."
    ),
    K.HEAD_ID_FRONT: _(
        "The side of the ID card with the photo, the original document, not expired, "
        "every character legible."
    ),
    K.HEAD_ID_BACK: _("The side of the ID card with the issuing authority and validity dates."),
    K.VERIFICATION_FORM: _(
        "The website verification form, printed, signed by the head and stamped by the "
        "entity, with the date it was signed."
    ),
    K.VERIFICATION_PHOTO: _(
        "A photo of the website head in front of the provider's backdrop (or taken with "
        "the provider's app): face and shoulders, no hat or sunglasses."
    ),
    K.DOMAIN_CERTIFICATE: _(
        "The registrar's domain certificate naming the filing entity as registrant, "
        "valid beyond the province's margin."
    ),
    K.POWER_OF_ATTORNEY: _(
        "The power of attorney by which the legal representative appoints the entity "
        "head, signed and stamped."
    ),
    K.COMMITMENT_LETTER: _("The province's commitment letter, signed and stamped."),
    K.RESIDENCE_PERMIT: _(
        "A residence permit of the province for an individual whose ID was issued elsewhere."
    ),
    K.PRE_APPROVAL: _(
        "The pre-approval licence for the website's content category, with its number "
        "and issuing authority legible."
    ),
    K.CONSTRUCTION_PLAN: _(
        "The construction plan of the websites: what each one is for and how they differ."
    ),
}


def checklist_text(kind: str) -> str:
    return str(CHECKLIST_TEXT.get(kind, ""))
