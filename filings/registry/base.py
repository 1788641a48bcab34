"""The bureau (管局) as the portal sees it: the registry adapter contract.

The portal talks to the communications administration bureaus through one adapter,
named by the ``REGISTRY_BACKEND`` setting. The default is a local, deterministic
simulator (``filings.registry.simulator``); another implementation can be plugged in
without touching the callers. Lookups answer with ``RegistryRecord`` rows, the
bureau's view of a filing that the adapter keeps in the database.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from filings.models import Application, Person, RegistryRecord


class RegistryError(Exception):
    """The bureau refused a request, or the request makes no sense to it."""


class RegistryUnavailable(RegistryError):
    """The bureau cannot be reached now: retry later (an inspection says ``error``)."""


class UnknownSubmission(RegistryError):
    """The bureau knows no submission by this reference."""


class SubmissionState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True)
class SubmissionStatus:
    """Where the bureau is with one submitted application."""

    state: SubmissionState
    # Reasons the bureau gives for a rejection, in its words.
    reasons: tuple[str, ...] = ()
    # Numbers issued on approval: "entity" → the entity number, and each website's
    # key in the application payload → its website number (…号-N).
    issued_numbers: dict[str, str] = field(default_factory=dict)
    decided_at: datetime | None = None

    @property
    def is_final(self) -> bool:
        return self.state != SubmissionState.PENDING


def covering_names(name: str) -> list[str]:
    """``www.shop.example.com`` → itself, ``shop.example.com``, ``example.com``.

    A filing for a domain covers its subdomains, so a look-up by host tries the host
    and each parent of at least two labels, most specific first. Names come back in
    lower-case IDNA form without the final dot.
    """
    cleaned = name.strip().rstrip(".").lower()
    if not cleaned:
        return []
    try:
        cleaned = cleaned.encode("idna").decode("ascii")
    except UnicodeError:
        return []
    labels = cleaned.split(".")
    return [".".join(labels[i:]) for i in range(max(len(labels) - 1, 1))]


class RegistryAdapter(ABC):
    """What the portal asks of the bureau."""

    @abstractmethod
    def submit(self, application: Application) -> str:
        """Send an application that passed provider review; returns the bureau's reference."""

    @abstractmethod
    def status(self, reference: str) -> SubmissionStatus:
        """Where the bureau is with a submission (raises ``UnknownSubmission``)."""

    @abstractmethod
    def lookup_filing(self, number: str) -> RegistryRecord | None:
        """The bureau's record of an entity or website filing number."""

    @abstractmethod
    def lookup_domain(self, name: str) -> RegistryRecord | None:
        """The filing that covers a domain, or a subdomain of a filed domain."""

    @abstractmethod
    def start_sms_verification(self, application: Application, heads: Sequence[Person]) -> None:
        """The MIIT SMS step: the bureau sends each required head a code."""

    @abstractmethod
    def check_sms_code(self, application: Application, role: str, code: str) -> bool:
        """Whether the code a head entered for ``role`` is the one the bureau sent."""

    def is_accessed_by(self, record: RegistryRecord, provider_code: str | None = None) -> bool:
        """Whether the bureau lists the filing as accessed through this provider."""
        code = provider_code or settings.PROVIDER_CODE
        return record.status == record.Status.ACTIVE and code in (record.access_providers or [])
