"""The outbox keeps only the indexes its queries use.

The foreign keys of tenant and recipient had an index each that the leading column of
notification_tenant_recent and notification_inbox already provide, and the unique
dedup key had a second, pattern-matching index; every outbox row paid for all three.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("icpportal", "0001_initial"),
        ("notifications", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="notification",
            name="dedup_key",
            field=models.CharField(blank=True, max_length=200, null=True),
        ),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.UniqueConstraint(
                fields=("dedup_key",), name="notification_unique_dedup"
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="recipient_user",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="notifications",
                to=settings.AUTH_USER_MODEL,
                verbose_name="recipient",
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="tenant",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="notifications",
                to="icpportal.tenant",
                verbose_name="customer",
            ),
        ),
    ]
