"""What every application action shares: its result, the row lock, the audit row.

Actions answer with an :class:`ActionResult` rather than raising when the person can
fix the problem (a blocking self-check finding, a wrong code, a step not allowed in
the application's status): the page shows ``message`` and ``field_errors``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed, can_proceed

from filings.models import Application
from icpportal import audit
from icpportal.models import AuditEvent
from icpportal.tenancy import staff_role


@dataclass(frozen=True)
class ActionResult:
    """How an action ended: ``ok``, a machine ``code``, a message for the person.

    ``field_errors`` maps payload paths (``"entity.id_number"``, ``""`` for the whole
    application) to messages; ``outcomes`` are the self-check answers (inspection
    ``Outcome`` objects) when the action ran it.
    """

    ok: bool
    code: str
    message: str = ""
    application: Application | None = None
    field_errors: Mapping[str, Sequence[str]] = field(default_factory=dict)
    outcomes: Sequence[Any] = ()

    def __bool__(self) -> bool:
        return self.ok


class Refused(Exception):
    """Raised inside an action's transaction to roll it back and answer ``result``."""

    def __init__(self, result: ActionResult):
        super().__init__(result.message)
        self.result = result


def done(application: Application, code: str, message: str = "", **kwargs: Any) -> ActionResult:
    return ActionResult(True, code, str(message), application, **kwargs)


def refused(
    application: Application | None, code: str, message: str, **kwargs: Any
) -> ActionResult:
    return ActionResult(False, code, str(message), application, **kwargs)


def not_allowed(application: Application, step: str) -> ActionResult:
    """The answer to a step the application's status does not allow (django-fsm said no).

    ``step`` completes "it cannot be … now" (e.g. "submitted").
    """
    return refused(
        application,
        "not_allowed",
        _("Application #%(number)s is “%(status)s”: it cannot be %(step)s now.")
        % {"number": application.pk, "status": application.get_status_display(), "step": step},
    )


def staff_only(application: Application | None, actor) -> ActionResult | None:
    """A refusal when ``actor`` is not compliance staff, else None."""
    if staff_role(actor) is None:
        return refused(
            application, "staff_only", _("Only the provider's compliance staff can do this.")
        )
    return None


def ensure_allowed(application: Application, name: str, step: str) -> None:
    """Raise ``Refused`` unless the application's status allows the transition ``name``."""
    if not can_proceed(getattr(application, name)):
        raise Refused(not_allowed(application, step))


def transition(application: Application, name: str, step: str) -> str:
    """Run the transition ``name``; a status that does not allow it raises ``Refused``."""
    method = getattr(application, name)
    ensure_allowed(application, name, step)
    try:
        method()
    except TransitionNotAllowed:
        raise Refused(not_allowed(application, step)) from None
    return application.status


def locked(application: Application | int) -> Application:
    """The application re-read and locked for the rest of the transaction."""
    pk = application.pk if isinstance(application, Application) else application
    return Application.objects.select_for_update().get(pk=pk)


def record_transition(
    application: Application,
    action: str,
    *,
    actor,
    before: str,
    reason: str = "",
    **after: Any,
) -> AuditEvent:
    """The one audit row of a status change (``before`` is the old status)."""
    return audit.record(
        action,
        application,
        actor=actor,
        before={"status": before},
        after={"status": application.status, **after},
        reason=reason,
    )
