import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "causes.json"


def seed(apps, schema_editor):
    Cause = apps.get_model("filing", "CauseOfAction")
    for row in json.loads(DATA.read_text(encoding="utf-8"))["causes"]:
        Cause.objects.update_or_create(
            name=row["name"],
            defaults={
                "category": row["category"],
                "assistant": row["assistant"],
                "keywords": row["keywords"],
                "rank": row["rank"],
            },
        )


class Migration(migrations.Migration):
    dependencies = [("filing", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
