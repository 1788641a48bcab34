"""Folding the several problems one rule finds on a website into its one Outcome.

The worst problem decides the status (fail blocking > fail warning > error >
cannot_tell > pass); every problem is listed in the evidence, so staff and the
customer see all of them at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise

from inspections.rules.base import Outcome, Rule


@dataclass(frozen=True)
class Problem:
    """One thing a rule found wrong (or could not decide)."""

    code: str  # a short machine name, e.g. "uscc_checksum"
    message: str | Promise
    field: str = ""  # the payload path, e.g. "entity.id_number"
    kind: str = "blocking"  # "blocking", "warning", "error" or "cannot_tell"

    def to_json(self) -> dict[str, str]:
        return {
            "code": self.code,
            "message": str(self.message),
            "field": self.field,
            "kind": self.kind,
        }


_RANK = {"blocking": 4, "warning": 3, "error": 2, "cannot_tell": 1}


def combine(
    rule: Rule, problems: Iterable[Problem], evidence: Mapping[str, Any] | None = None
) -> Outcome:
    """The rule's Outcome for these problems (a pass when there are none)."""
    found = sorted(problems, key=lambda p: -_RANK[p.kind])
    evidence = dict(evidence or {})
    if not found:
        return rule.passed(evidence)
    evidence["problems"] = [problem.to_json() for problem in found]
    worst = found[0]
    fields = tuple(dict.fromkeys(p.field for p in found if p.field))
    same_kind = [p for p in found if p.kind == worst.kind]
    message = " ".join(str(p.message) for p in same_kind)
    if worst.kind in ("blocking", "warning"):
        return rule.failed(
            message, blocking=worst.kind == "blocking", evidence=evidence, fields=fields
        )
    if worst.kind == "error":
        return rule.error(message, evidence=evidence)
    return rule.cannot_tell(message, evidence=evidence, fields=fields)
