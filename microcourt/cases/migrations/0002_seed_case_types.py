"""Seed the 类型代字 of rules.md B.4. Only the 2016 bankruptcy codes were read from an official
notice (``official=True``); the rest come from secondary sources and are for administrators
to check against 《人民法院案件类型及其代字标准》."""

from django.db import migrations

TYPES = [
    # civil
    ("民初", "民事一审", False),
    ("民终", "民事二审", False),
    ("民申", "民事申请再审审查", False),
    ("民再", "民事再审", False),
    ("民监", "民事审判监督", False),
    ("民辖", "民事管辖", False),
    ("民辖终", "民事管辖上诉", False),
    ("民特", "民事特别程序", False),
    ("民催", "公示催告", False),
    ("民督", "申请支付令", False),
    ("民督监", "支付令监督", False),
    # enforcement
    ("执", "首次执行", False),
    ("执恢", "恢复执行", False),
    ("执保", "财产保全执行", False),
    ("执异", "执行异议", False),
    ("执复", "执行复议", False),
    ("执监", "执行监督", False),
    ("执协", "执行协调", False),
    ("执他", "其他执行", False),
    # compulsory liquidation and bankruptcy (2016 notice, in force 2016-08-01)
    ("清申", "强制清算申请审查", True),
    ("破申", "破产申请审查", True),
    ("清终", "强制清算上诉", True),
    ("破终", "破产上诉", True),
    ("清监", "强制清算监督", True),
    ("破监", "破产监督", True),
    ("强清", "强制清算", False),
    ("破", "破产", False),
    # administrative and criminal
    ("行初", "行政一审", False),
    ("行终", "行政二审", False),
    ("刑初", "刑事一审", False),
    ("刑终", "刑事二审", False),
    # state compensation
    ("赔初", "国家赔偿一审", False),
    ("赔终", "国家赔偿二审", False),
    # intellectual property
    ("知民初", "知识产权民事一审", False),
    ("知民终", "知识产权民事二审", False),
]


def seed(apps, schema_editor):
    CaseType = apps.get_model("cases", "CaseType")
    for code, name, official in TYPES:
        CaseType.objects.update_or_create(
            code=code, defaults={"name": name, "official": official}
        )


def unseed(apps, schema_editor):
    CaseType = apps.get_model("cases", "CaseType")
    CaseType.objects.filter(code__in=[code for code, _name, _official in TYPES]).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
