from django.db import migrations


def add(apps, schema_editor):
    CaseType = apps.get_model("cases", "CaseType")
    # 诉前财产保全 (pre-action preservation) is filed on its own; its code is from secondary
    # sources, so it is not marked official (rules.md B.4).
    CaseType.objects.get_or_create(code="财保", defaults={"name": "诉前财产保全", "official": False})


def remove(apps, schema_editor):
    apps.get_model("cases", "CaseType").objects.filter(code="财保", cases__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_seed_case_types")]
    operations = [migrations.RunPython(add, remove)]
