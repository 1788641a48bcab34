"""Admin forms of filing data whose ID numbers are replaced, never shown."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from filings.choices import ENTITY_ID_TYPES
from filings.models import Domain, Entity, Person, RegistryRecord
from icpportal.admin_forms import ReplaceIdNumberForm


class PersonAdminForm(ReplaceIdNumberForm):
    unique_with = ("tenant", "id_type")

    class Meta:
        model = Person
        exclude = ("id_number",)


class EntityAdminForm(ReplaceIdNumberForm):
    unique_with = ("tenant", "id_type")

    class Meta:
        model = Entity
        exclude = ("id_number",)

    def clean(self):
        cleaned = super().clean()
        entity_type = self._current("entity_type")
        id_type = self._current("id_type")
        if entity_type and id_type and id_type not in ENTITY_ID_TYPES.get(entity_type, ()):
            self.add_error("id_type", _("This ID document does not fit this entity type."))
        return cleaned


class DomainAdminForm(ReplaceIdNumberForm):
    id_field = "registrant_id_number"
    id_type_field = "registrant_id_type"
    hash_field = "registrant_id_hash"
    # A domain may be registered to no one known yet.
    required_on_add = False

    class Meta:
        model = Domain
        exclude = ("registrant_id_number",)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_id_number"].label = _("New registrant ID number")


class RegistryRecordAdminForm(ReplaceIdNumberForm):
    # The bureau record keeps the entity's ID only as a keyed hash.
    id_field = None
    id_type_field = "entity_id_type"
    hash_field = "entity_id_hash"

    class Meta:
        model = RegistryRecord
        exclude = ("entity_id_hash",)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["new_id_number"].label = _("New entity ID number")
