"""Staff queues: triage decisions, the indexes the queues' filters and sorts use, and
trigram indexes for their search (PostgreSQL only; SQLite runs without them)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# Searches use icontains, i.e. UPPER(column) LIKE UPPER('%text%'): these expression
# indexes serve texts of three characters or more (shorter ones scan, still correct).
TRIGRAM_INDEXES = {
    "queue_entity_name_trgm": ("filings_entity", "name"),
    "queue_entity_number_trgm": ("filings_entity", "filing_number"),
    "queue_website_name_trgm": ("filings_website", "name"),
    "queue_website_number_trgm": ("filings_website", "filing_number"),
    "queue_domain_name_trgm": ("filings_domain", "name"),
}


def add_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, column) in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
            f'USING gin (UPPER("{column}"::text) gin_trgm_ops)'
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("filings", "0005_application_life_cycle"),
        ("inspections", "0002_enforcement"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="TriageDecision",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("accept_pass", "Accepted as pass"),
                            ("confirm_failure", "Confirmed as failure"),
                            ("recheck", "Sent for re-check"),
                        ],
                        max_length=20,
                        verbose_name="decision",
                    ),
                ),
                ("reason", models.TextField(blank=True, verbose_name="reason")),
                ("decided_at", models.DateTimeField(auto_now_add=True, verbose_name="decided at")),
            ],
            options={
                "verbose_name": "triage decision",
                "verbose_name_plural": "triage decisions",
                "ordering": ["-decided_at", "-id"],
            },
        ),
        migrations.AddIndex(
            model_name="casefinding",
            index=models.Index(
                condition=models.Q(("status", "open")),
                fields=["rule_code", "case"],
                name="finding_open_rule",
            ),
        ),
        migrations.AddIndex(
            model_name="casefinding",
            index=models.Index(
                fields=["status", "-last_seen_at", "-id"], name="finding_status_recent"
            ),
        ),
        migrations.AddIndex(
            model_name="rectificationcase",
            index=models.Index(
                condition=models.Q(
                    (
                        "state__in",
                        (
                            "open",
                            "notified",
                            "remediation_submitted",
                            "re_inspecting",
                            "overdue",
                            "access_blocked",
                        ),
                    )
                ),
                fields=["deadline", "id"],
                name="case_queue_open_deadline",
            ),
        ),
        migrations.AddIndex(
            model_name="rectificationcase",
            index=models.Index(
                fields=["state", "deadline", "id"], name="case_queue_state_deadline"
            ),
        ),
        migrations.AddIndex(
            model_name="rectificationcase",
            index=models.Index(fields=["opened_at", "id"], name="case_queue_opened"),
        ),
        migrations.AddIndex(
            model_name="rectificationcase",
            index=models.Index(
                condition=models.Q(("hold_reason", "campaign_approval")),
                fields=["campaign"],
                name="case_waiting_campaign_approval",
            ),
        ),
        migrations.AddIndex(
            model_name="ruleresult",
            index=models.Index(
                condition=models.Q(("status", "cannot_tell")),
                fields=["-created_at", "-id"],
                name="ruleresult_triage",
            ),
        ),
        migrations.AddField(
            model_name="triagedecision",
            name="case",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="inspections.rectificationcase",
                verbose_name="case",
            ),
        ),
        migrations.AddField(
            model_name="triagedecision",
            name="decided_by",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="decided by",
            ),
        ),
        migrations.AddField(
            model_name="triagedecision",
            name="recheck",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="inspections.campaign",
                verbose_name="re-check",
            ),
        ),
        migrations.AddField(
            model_name="triagedecision",
            name="result",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="triage",
                to="inspections.ruleresult",
                verbose_name="result",
            ),
        ),
        migrations.AddField(
            model_name="triagedecision",
            name="tenant",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="icpportal.tenant"
            ),
        ),
        migrations.RunPython(add_trigram_indexes, drop_trigram_indexes),
    ]
