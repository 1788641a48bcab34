"""The contract every inspection rule follows, and the registry that lists the rules.

A rule looks at one :class:`~inspections.snapshot.Snapshot` (one website, or an
application's draft) and answers with an :class:`Outcome`. The workers of the special
inspection and the pre-submit self-check of the filing portal run the same registered
rules through :func:`run_rules`.
"""

from __future__ import annotations

import abc
import contextvars
import json
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from celery.exceptions import SoftTimeLimitExceeded
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from icpportal.masking import mask_text, mask_value

if TYPE_CHECKING:
    from inspections.snapshot import Snapshot

logger = logging.getLogger(__name__)

# The external look-ups a worker can do before the rules run; a rule names the ones
# it reads in ``Rule.lookups`` and finds the answers in ``snapshot.lookups[name]``.
KNOWN_LOOKUPS = frozenset({"dns", "rdap"})

_CODE_RE = re.compile(r"[a-z][a-z0-9_]{1,49}")


class Status(models.TextChoices):
    """How a rule answered."""

    PASS = "pass", _("Passed")
    FAIL = "fail", _("Failed")
    # Staff must look: e.g. the registrant is redacted.
    CANNOT_TELL = "cannot_tell", _("Cannot tell")
    # Transient (DNS timeout, registry down): retried, never opens a case.
    ERROR = "error", _("Error")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class Severity(models.TextChoices):
    """How serious a failure is: a blocking one opens a rectification case."""

    BLOCKING = "blocking", _("Blocking")
    WARNING = "warning", _("Warning")


# Whether a pass keeps its evidence. A campaign stores only the input hash of a pass, so
# its workers judge with this off (``run_rules(..., pass_evidence=False)``) and skip
# masking and checking evidence nobody reads; the self-check shows it, so it is on.
_PASS_EVIDENCE: contextvars.ContextVar[bool] = contextvars.ContextVar("pass_evidence", default=True)

# Hex digests may contain 18-digit runs that look like ID numbers; they are not personal.
_HASH_KEYS = ("hash", "sha256")


# mask_text finds ID numbers (6 digits, then 12 more characters) and mobile numbers
# (11 digits): a text without 6 digits in a row has neither, and is left as it is.
_DIGIT_RUN = re.compile(r"\d{6}")


def _masked_evidence(value: Any, key: str = "") -> Any:
    # Evidence is stored and shown in lists: ID and phone numbers never enter it in clear.
    # Every outcome's evidence passes here: plain strings and dicts take the short way.
    if type(value) is str:
        if key.endswith(_HASH_KEYS):
            return value
        value = mask_value(key, value)
        return mask_text(value) if _DIGIT_RUN.search(value) else value
    if type(value) is dict:
        return {str(k): _masked_evidence(v, str(k)) for k, v in value.items()}
    if isinstance(value, Mapping):
        return {str(k): _masked_evidence(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_masked_evidence(v, key) for v in value]
    if isinstance(value, str) and not key.endswith(_HASH_KEYS):
        return mask_text(mask_value(key, value))
    return value


@dataclass(frozen=True, slots=True)
class Outcome:
    """One rule's answer about one website, with the evidence and a reason to act on.

    ``message`` is translated when the outcome is made, in the language active then.
    ``fields`` names the payload fields the problem is about (``"entity.id_number"``,
    ``"domains.0.expires_on"``), so the self-check can show it next to the field.
    """

    status: Status
    code: str
    message: str = ""
    severity: Severity | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    fields: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Every rule answers through here for every website: the common cases go short.
        status = self.status if type(self.status) is Status else Status(self.status)
        severity = self.severity
        if severity is not None and type(severity) is not Severity:
            severity = Severity(severity)
        if (status == Status.FAIL) != (severity is not None):
            raise ValueError(f"Outcome of {self.code!r}: a severity goes with a failure only.")
        if not self.code:
            raise ValueError("An outcome needs the code of the rule that made it.")
        evidence = _masked_evidence(dict(self.evidence)) if self.evidence else {}
        if evidence:
            try:
                json.dumps(evidence)
            except (TypeError, ValueError) as exc:
                raise TypeError(
                    f"Evidence of {self.code!r} must be plain JSON (dates as ISO strings): {exc}"
                ) from None
        object.__setattr__(self, "status", status)
        object.__setattr__(self, "severity", severity)
        if type(self.message) is not str:
            object.__setattr__(self, "message", str(self.message))
        object.__setattr__(self, "evidence", evidence)
        if self.fields:
            object.__setattr__(self, "fields", tuple(str(f) for f in self.fields))
        elif type(self.fields) is not tuple:
            object.__setattr__(self, "fields", ())

    @classmethod
    def passed(cls, code: str, evidence: Mapping[str, Any] | None = None) -> Outcome:
        """A pass; its evidence is left out where passes keep none (see ``run_rules``)."""
        kept = dict(evidence) if evidence and _PASS_EVIDENCE.get() else {}
        return cls(Status.PASS, code, evidence=kept)

    @classmethod
    def failed(
        cls,
        code: str,
        message: str | Promise,
        *,
        blocking: bool = True,
        evidence: Mapping[str, Any] | None = None,
        fields: Iterable[str] = (),
    ) -> Outcome:
        severity = Severity.BLOCKING if blocking else Severity.WARNING
        return cls(Status.FAIL, code, message, severity, dict(evidence or {}), tuple(fields))

    @classmethod
    def cannot_tell(
        cls,
        code: str,
        message: str | Promise,
        *,
        evidence: Mapping[str, Any] | None = None,
        fields: Iterable[str] = (),
    ) -> Outcome:
        return cls(Status.CANNOT_TELL, code, message, None, dict(evidence or {}), tuple(fields))

    @classmethod
    def error(
        cls, code: str, message: str | Promise, *, evidence: Mapping[str, Any] | None = None
    ) -> Outcome:
        return cls(Status.ERROR, code, message, None, dict(evidence or {}))

    @classmethod
    def not_applicable(cls, code: str, reason: str | Promise) -> Outcome:
        return cls(Status.NOT_APPLICABLE, code, reason)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Outcome:
        """The outcome back from :meth:`to_json` (message as it was stored)."""
        return cls(
            Status(data["status"]),
            data["code"],
            data.get("message", ""),
            Severity(data["severity"]) if data.get("severity") else None,
            dict(data.get("evidence") or {}),
            tuple(data.get("fields") or ()),
        )

    @property
    def is_blocking(self) -> bool:
        """A failure that stops an application from being submitted."""
        return self.status == Status.FAIL and self.severity == Severity.BLOCKING

    @property
    def opens_case(self) -> bool:
        """Only a blocking failure opens a rectification case; warnings are just shown."""
        return self.status == Status.FAIL and self.severity == Severity.BLOCKING

    def to_json(self) -> dict[str, Any]:
        return {
            "status": str(self.status),
            "severity": str(self.severity) if self.severity else None,
            "code": self.code,
            "message": self.message,
            "evidence": self.evidence,
            "fields": list(self.fields),
        }


class Rule(abc.ABC):
    """One check of the special inspection, e.g. "Domain expiry".

    A concrete rule sets ``code``, ``version`` (bumped whenever its judgement changes,
    so old results can be told apart), ``title``, ``fix_text`` (what the customer does
    to fix a failure), ``legal_basis`` and ``lookups``, and implements :meth:`check`.
    Rules are stateless; one instance serves every snapshot.
    """

    code: ClassVar[str] = ""
    version: ClassVar[int] = 0
    title: ClassVar[str | Promise] = ""
    fix_text: ClassVar[str | Promise] = ""
    legal_basis: ClassVar[str] = ""
    lookups: ClassVar[frozenset[str]] = frozenset()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # An intermediate base that still leaves check() abstract needs no identity.
        if getattr(cls.check, "__isabstractmethod__", False):
            return
        name = cls.__qualname__
        if not isinstance(cls.code, str) or not _CODE_RE.fullmatch(cls.code):
            raise TypeError(f"{name}.code must be a snake_case identifier, got {cls.code!r}.")
        if type(cls.version) is not int or cls.version < 1:
            raise TypeError(f"{name}.version must be a positive int, got {cls.version!r}.")
        if not cls.title:
            raise TypeError(f"{name}.title is required (a translatable string).")
        if not isinstance(cls.lookups, frozenset) or not cls.lookups <= KNOWN_LOOKUPS:
            raise TypeError(
                f"{name}.lookups must be a frozenset of {sorted(KNOWN_LOOKUPS)}, "
                f"got {cls.lookups!r}."
            )

    @abc.abstractmethod
    def check(self, snapshot: Snapshot) -> Outcome:
        """Judge one snapshot. Must not touch the database: everything is on the snapshot."""

    # Shortcuts so a rule does not repeat its own code in every answer.
    def passed(self, evidence: Mapping[str, Any] | None = None) -> Outcome:
        return Outcome.passed(self.code, evidence)

    def failed(self, message: str | Promise, **kwargs: Any) -> Outcome:
        return Outcome.failed(self.code, message, **kwargs)

    def cannot_tell(self, message: str | Promise, **kwargs: Any) -> Outcome:
        return Outcome.cannot_tell(self.code, message, **kwargs)

    def error(self, message: str | Promise, **kwargs: Any) -> Outcome:
        return Outcome.error(self.code, message, **kwargs)

    def not_applicable(self, reason: str | Promise) -> Outcome:
        return Outcome.not_applicable(self.code, reason)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.code} v{self.version}>"


class RuleRegistry:
    """The rules by code, in the order they were registered (the order reports show)."""

    def __init__(self) -> None:
        self._rules: dict[str, Rule] = {}

    def register(self, rule_class: type[Rule]) -> type[Rule]:
        """Class decorator: add one instance of ``rule_class``; a code is taken only once."""
        rule = rule_class()
        existing = self._rules.get(rule.code)
        if existing is not None:
            raise ValueError(
                f"Inspection rule code {rule.code!r} is already taken by {existing!r}."
            )
        self._rules[rule.code] = rule
        return rule_class

    def all(self) -> list[Rule]:
        return list(self._rules.values())

    def get(self, code: str) -> Rule:
        try:
            return self._rules[code]
        except KeyError:
            raise KeyError(self._unknown([code])) from None

    def select(self, codes: Iterable[str] | None) -> list[Rule]:
        """The rules with these codes in registration order; ``None`` means every rule."""
        if codes is None:
            return self.all()
        wanted = set(codes)
        unknown = sorted(wanted - self._rules.keys())
        if unknown:
            raise KeyError(self._unknown(unknown))
        return [rule for code, rule in self._rules.items() if code in wanted]

    def _unknown(self, codes: list[str]) -> str:
        known = ", ".join(self._rules) or "none registered"
        return f"Unknown inspection rule code(s): {', '.join(codes)} (known: {known})."

    def __contains__(self, code: object) -> bool:
        return code in self._rules

    def __len__(self) -> int:
        return len(self._rules)


# The rules of this installation; rule modules register into it when imported.
default_registry = RuleRegistry()


def register(rule_class: type[Rule]) -> type[Rule]:
    """Class decorator adding a rule to the installation's registry."""
    return default_registry.register(rule_class)


def all_rules() -> list[Rule]:
    return default_registry.all()


def get_rule(code: str) -> Rule:
    return default_registry.get(code)


def rules_for(codes: Iterable[str] | None) -> list[Rule]:
    """The registered rules with these codes (``None``: all); an unknown code is a KeyError."""
    return default_registry.select(codes)


def run_rules(
    snapshot: Snapshot, rules: Iterable[Rule] | None = None, *, pass_evidence: bool = True
) -> dict[str, Outcome]:
    """Every rule's outcome for one snapshot, by rule code.

    A rule that raises (or answers with something that is not its own Outcome) gets an
    ``error`` outcome instead, and the other rules still run: one broken rule must not
    hide the findings of the rest. ``pass_evidence=False``: passes come without evidence
    (a campaign keeps only their input hash); every other answer keeps all of it.
    """
    token = _PASS_EVIDENCE.set(pass_evidence)
    try:
        return _run_rules(snapshot, all_rules() if rules is None else rules)
    finally:
        _PASS_EVIDENCE.reset(token)


def _run_rules(snapshot: Snapshot, rules: Iterable[Rule]) -> dict[str, Outcome]:
    outcomes: dict[str, Outcome] = {}
    for rule in rules:
        try:
            outcome = rule.check(snapshot)
            if not isinstance(outcome, Outcome) or outcome.code != rule.code:
                raise TypeError(f"{rule!r} answered {outcome!r}, not an Outcome of its own.")
        except SoftTimeLimitExceeded:
            # The worker is out of time: the whole chunk is retried, not this rule.
            raise
        except Exception as exc:
            logger.exception(
                "Inspection rule %s v%s raised on website %s (%s)",
                rule.code,
                rule.version,
                snapshot.website.id,
                snapshot.source,
            )
            outcome = Outcome.error(
                rule.code,
                gettext("This check could not be completed; it will be tried again."),
                evidence={"exception": type(exc).__name__, "rule_version": rule.version},
            )
        outcomes[rule.code] = outcome
    return outcomes
