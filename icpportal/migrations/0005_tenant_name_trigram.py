"""A trigram index on customers' names for the staff queues' customer type-ahead
(PostgreSQL only; SQLite runs without it)."""

from django.db import migrations

# The type-ahead uses icontains, i.e. UPPER(name) LIKE UPPER('%text%'): this expression
# index serves texts of three characters or more (shorter ones scan, still correct).
INDEX = "tenant_name_trgm"


def add_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "icpportal_tenant" '
        'USING gin (UPPER("name"::text) gin_trgm_ops)'
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')


class Migration(migrations.Migration):
    dependencies = [
        ("icpportal", "0004_bulk_job"),
    ]

    operations = [
        migrations.RunPython(add_trigram_index, drop_trigram_index),
    ]
