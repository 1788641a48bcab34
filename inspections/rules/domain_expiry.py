"""Rule 5 of the special inspection: every domain stays valid longer than the province asks.

The margin is province data (``ProvinceRule.domain_expiry_margin_days``: 180 days in
Shanghai, 90 elsewhere), so a bureau changing its rule is a row edit, not a release.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from filings.payloads import field_path
from filings.reference_data import PROVINCES
from inspections.rules.base import Outcome, Rule, register
from inspections.rules.outcomes import Problem, combine
from inspections.snapshot.parts import ProvinceSnapshot, Snapshot

# A snapshot without a province (a draft that names none yet) gets the common margin.
DEFAULT_MARGIN_DAYS = ProvinceSnapshot().domain_expiry_margin_days
_ENGLISH_NAMES = {code: english for code, _name, english, _prefix in PROVINCES}


def province_label(province: ProvinceSnapshot | None) -> str:
    """The province's name in the active language (the rows keep the Chinese name)."""
    if province is None:
        return gettext("the common filing rule")
    if (get_language() or "").lower().startswith("zh"):
        return province.name or province.code
    return _ENGLISH_NAMES.get(province.code) or province.name or province.code


@register
class DomainExpiry(Rule):
    """Rule 5: no domain has expired or expires within the province's margin."""

    code = "domain_expiry"
    version = 1
    title = _("Domain expiry")
    fix_text = _(
        "Renew the domain at your registrar so that it stays valid for longer than your "
        "province requires (more than 180 days in Shanghai, more than 90 days elsewhere), "
        "then ask for a re-inspection. A domain that has expired must be renewed first."
    )
    legal_basis = (
        "《非经营性互联网信息服务备案管理办法》第七条; provincial communications "
        "administration requirements on domain validity; MIIT notice on the special "
        "inspection of filing information"
    )

    def check(self, snapshot: Snapshot) -> Outcome:
        if not snapshot.domains:
            return self.not_applicable(gettext("The website lists no domain."))
        province = snapshot.province
        margin = province.domain_expiry_margin_days if province else DEFAULT_MARGIN_DAYS
        label = province_label(province)
        as_of = snapshot.as_of
        problems: list[Problem] = []
        checked: list[dict[str, Any]] = []
        for index, domain in enumerate(snapshot.domains):
            field = field_path("domains", "expires_on", index)
            expires_on = domain.expires_on
            record: dict[str, Any] = {
                "name": domain.name,
                "expires_on": expires_on.isoformat() if expires_on else None,
                "days_left": (expires_on - as_of).days if expires_on else None,
            }
            checked.append(record)
            problem = self._judge(domain.name, expires_on, as_of, margin, label, field)
            if problem is not None:
                record["problem"] = problem.code
                problems.append(problem)
        evidence = {
            "as_of": as_of.isoformat(),
            "margin_days": margin,
            "province": province.code if province else None,
            "margin_source": "province" if province else "default",
            "domains": checked,
        }
        return combine(self, problems, evidence)

    def _judge(
        self,
        name: str,
        expires_on: datetime.date | None,
        as_of: datetime.date,
        margin: int,
        label: str,
        field: str,
    ) -> Problem | None:
        if expires_on is None:
            # Nothing to judge: staff ask the registrar rather than fail the customer.
            message = gettext(
                "The expiry date of the domain %(name)s is unknown; staff will check it."
            )
            return Problem("expiry_unknown", message % {"name": name}, field, "cannot_tell")
        if expires_on < as_of:
            # Blocking: an expired domain can be registered by anyone else.
            message = gettext("The domain %(name)s expired on %(date)s.")
            values = {"name": name, "date": expires_on.isoformat()}
            return Problem("expired", message % values, field)
        days = (expires_on - as_of).days
        if days <= margin:
            # Blocking: the bureau rejects a filing whose domain is valid for less than
            # its margin, so the filing is inaccurate on the day it is checked.
            message = ngettext(
                "The domain %(name)s expires on %(date)s, in %(days)s day; "
                "%(province)s requires more than %(margin)s days.",
                "The domain %(name)s expires on %(date)s, in %(days)s days; "
                "%(province)s requires more than %(margin)s days.",
                days,
            )
            values = {
                "name": name,
                "date": expires_on.isoformat(),
                "days": days,
                "province": label,
                "margin": margin,
            }
            return Problem("within_margin", message % values, field)
        return None
