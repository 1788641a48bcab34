"""The inbox index holds the rows addressed to a user only: messages to an address
(the person in charge's e-mail or mobile) are never looked up by user."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_notification_fewer_indexes"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="notification", name="notification_inbox"),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=models.Q(("recipient_user__isnull", False)),
                fields=["recipient_user", "channel", "read_at"],
                name="notification_inbox",
            ),
        ),
    ]
