"""Re-encrypt every encrypted column with the newest key of ICP_FIELD_KEYS.

After putting a new key first in ICP_FIELD_KEYS, run this; then an old key may be
dropped — except the last (oldest) one, from which the keyed hashes are derived.
"""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from icpportal.crypto import EncryptedTextField

BATCH = 1000


def encrypted_columns():
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            yield model, names


class Command(BaseCommand):
    help = "Re-encrypt personal data with the newest key of ICP_FIELD_KEYS."

    def handle(self, *args, **options) -> None:
        for model, names in encrypted_columns():
            done = 0
            last_pk = 0
            while True:
                with transaction.atomic():
                    rows = list(
                        model._default_manager.filter(pk__gt=last_pk)
                        .order_by("pk")
                        .only("pk", *names)[:BATCH]
                    )
                    if not rows:
                        break
                    # Values decrypt on load (any key) and encrypt on save (newest key).
                    model._default_manager.bulk_update(rows, names)
                done += len(rows)
                last_pk = rows[-1].pk
            self.stdout.write(f"{model._meta.label}: {done} rows ({', '.join(names)})")
