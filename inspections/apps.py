from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = _("Inspections")

    def ready(self) -> None:
        from inspections.rules import load_rule_modules

        load_rule_modules()
        # The case notices register their notification events at import.
        import inspections.enforcement.notices  # noqa: F401

        # The queue filters' cached choices are dropped when a customer or province changes.
        from inspections.queues import choices  # noqa: F401
