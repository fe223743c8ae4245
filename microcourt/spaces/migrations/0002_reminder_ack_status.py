"""Acknowledgements of key messages get a declared status (``spaces.states.ACK``); rows that
exist already take theirs from the times they carry."""

from django.db import migrations, models


def status_from_times(apps, schema_editor):
    ReminderAck = apps.get_model("spaces", "ReminderAck")
    ReminderAck.objects.filter(acknowledged_at__isnull=False).update(status="acknowledged")
    ReminderAck.objects.filter(acknowledged_at__isnull=True, escalated_at__isnull=False).update(
        status="escalated"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("spaces", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="reminderack",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "待确认"),
                    ("escalated", "已短信催告"),
                    ("acknowledged", "已确认"),
                ],
                db_index=True,
                default="pending",
                max_length=16,
                verbose_name="确认状态",
            ),
        ),
        migrations.RunPython(status_from_times, migrations.RunPython.noop),
    ]
