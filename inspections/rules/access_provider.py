"""Rule 8 of the special inspection: the website's filing is accessed through us.

The bureau's record of the website filing (``snapshot.registry``, looked up by the
website's filing number) lists the providers through which the site is accessed. A
site served here whose filing lists only other providers must be transferred here
(新增接入); a deregistered filing or an empty shell cannot cover a live site at all.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from filings.choices import ApplicationKind
from inspections.rules.base import Outcome, Rule, register
from inspections.snapshot.parts import APPLICATION, RegistrySnapshot, Snapshot

Kind = ApplicationKind
# Applications that end access or the filing: whether we access it no longer matters.
_ENDING_KINDS = frozenset({Kind.CANCEL_ACCESS, Kind.DEREGISTER_WEBSITE, Kind.DEREGISTER_ENTITY})
# Applications that create the filing: the bureau cannot know it yet.
_NOT_FILED_YET = frozenset({Kind.FIRST_FILING, Kind.NEW_WEBSITE})
# RegistryRecord.Status values.
_ACTIVE, _SHELL, _DEREGISTERED = "active", "shell", "deregistered"
# Website.AccessState value: a transfer here is under the bureau's review.
_TRANSFER_PENDING = "transfer_pending"


def _evidence(snapshot: Snapshot, record: RegistrySnapshot | None) -> dict[str, Any]:
    evidence: dict[str, Any] = {
        "filing_number": snapshot.website.filing_number,
        "provider_code": getattr(settings, "PROVIDER_CODE", ""),
        "access_state": snapshot.website.access_state,
    }
    if record is not None:
        evidence["registry"] = {
            "website_filing_number": record.website_filing_number,
            "entity_filing_number": record.entity_filing_number,
            "status": record.status,
            "access_providers": list(record.access_providers),
            "domains": list(record.domains),
        }
    return evidence


@register
class AccessProvider(Rule):
    """Rule 8: the bureau lists this provider as the website's access provider."""

    code = "access_provider"
    version = 1
    title = _("Access provider")
    fix_text = _(
        "If the website is filed through another provider, apply for transfer (新增接入) to "
        "this provider so the bureau lists us as its access provider. If the bureau has "
        "deregistered the filing, or kept only an empty entity, file the website again."
    )
    legal_basis = (
        "《非经营性互联网信息服务备案管理办法》第十五条、第十八条; "
        "MIIT notice on the special inspection of filing information"
    )

    def check(self, snapshot: Snapshot) -> Outcome:
        kind = snapshot.application_kind
        if snapshot.source == APPLICATION:
            if kind in _ENDING_KINDS:
                return self.not_applicable(gettext("This application ends the access."))
            if kind in _NOT_FILED_YET:
                return self.not_applicable(gettext("The website is not filed yet."))
            if kind == Kind.TRANSFER:
                return self._transfer(snapshot)
            if not snapshot.website.filing_number:
                return self.not_applicable(gettext("This application is about no website."))
        return self._filed(snapshot)

    def _filed(self, snapshot: Snapshot) -> Outcome:
        record, number = snapshot.registry, snapshot.website.filing_number
        field = ("website.filing_number",)
        evidence = _evidence(snapshot, record)
        if record is None:
            # Cannot tell: the bureau's copy here may lag; staff ask the bureau.
            if number:
                message = gettext(
                    "The bureau's records here hold no filing %(number)s; staff will check "
                    "it with the bureau."
                ) % {"number": number}
            else:
                message = gettext("The website has no filing number on file; staff will check it.")
            return self.cannot_tell(message, evidence=evidence, fields=field)
        if record.status == _DEREGISTERED:
            # Blocking: a deregistered filing covers nothing; the site is unfiled.
            message = gettext(
                "The bureau has deregistered the filing %(number)s: the website is no longer "
                "filed and must be filed again."
            ) % {"number": number}
            return self.failed(message, evidence=evidence, fields=field)
        if record.status == _SHELL:
            # Blocking: the bureau lists no access for it, yet the site is served here.
            message = gettext(
                "The bureau lists the filing %(number)s as an empty shell with no access "
                "provider: apply for transfer (新增接入) to this provider."
            ) % {"number": number}
            return self.failed(message, evidence=evidence, fields=field)
        provider = getattr(settings, "PROVIDER_CODE", "")
        if record.status == _ACTIVE and provider in record.access_providers:
            return self.passed(evidence)
        others = ", ".join(record.access_providers) or gettext("no provider")
        if record.status == _ACTIVE and snapshot.website.access_state == _TRANSFER_PENDING:
            # Warning only: the transfer here is already under the bureau's review, which
            # is the very fix a case would ask for.
            message = gettext(
                "The bureau still lists the filing %(number)s as accessed through "
                "%(others)s; the transfer to this provider is under review."
            ) % {"number": number, "others": others}
            return self.failed(message, blocking=False, evidence=evidence, fields=field)
        if record.status == _ACTIVE:
            # Blocking: served here but filed elsewhere (seed notice: apply for transfer).
            message = gettext(
                "The filing %(number)s is accessed only through %(others)s according to the "
                "bureau: apply for transfer (新增接入) to this provider."
            ) % {"number": number, "others": others}
            return self.failed(message, evidence=evidence, fields=field)
        # A status this rule does not know: staff read the record, no case.
        message = gettext(
            "The bureau's record of %(number)s has the unknown status “%(status)s”; staff "
            "will check it."
        ) % {"number": number, "status": record.status}
        return self.cannot_tell(message, evidence=evidence, fields=field)

    def _transfer(self, snapshot: Snapshot) -> Outcome:
        """A transfer moves an existing filing here: the bureau must hold it, alive."""
        record, number = snapshot.registry, snapshot.website.filing_number
        field = ("transfer.filing_number",)
        evidence = _evidence(snapshot, record)
        if not number:
            return self.not_applicable(gettext("The filing number to transfer is not entered yet."))
        if record is None:
            # Blocking: there is nothing to transfer.
            message = gettext(
                "There is no filing with the number %(number)s at the bureau; check the number."
            ) % {"number": number}
            return self.failed(message, evidence=evidence, fields=field)
        if record.status == _DEREGISTERED:
            message = gettext(
                "The bureau has deregistered the filing %(number)s; it cannot be transferred, "
                "file the website again instead."
            ) % {"number": number}
            return self.failed(message, evidence=evidence, fields=field)
        # Active elsewhere, or a shell after a cancelled access: a transfer is the remedy.
        return self.passed(evidence)
