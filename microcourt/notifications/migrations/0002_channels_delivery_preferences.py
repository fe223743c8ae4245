import hashlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fill_out_ids(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    rows = Notification.objects.filter(out_id="").only("id", "idempotency_key")
    for row in rows.iterator(chunk_size=2000):
        Notification.objects.filter(pk=row.pk).update(
            out_id=hashlib.sha256(row.idempotency_key.encode()).hexdigest()[:32]
        )


CHANNELS = [("inapp", "站内消息"), ("sms", "短信"), ("email", "电子邮件"), ("wechat", "微信")]


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="notification",
            name="channel",
            field=models.CharField(choices=CHANNELS, max_length=16, verbose_name="渠道"),
        ),
        migrations.AlterField(
            model_name="notification",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "待发送"),
                    ("sending", "发送中"),
                    ("sent", "已发送"),
                    ("retry", "等待重试"),
                    ("failed", "发送失败"),
                    ("cancelled", "已取消"),
                ],
                db_index=True,
                default="pending",
                max_length=16,
                verbose_name="状态",
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="params",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="notification",
            name="language",
            field=models.CharField(blank=True, max_length=10),
        ),
        migrations.AddField(
            model_name="notification",
            name="out_id",
            field=models.CharField(default="", max_length=32),
            preserve_default=False,
        ),
        migrations.RunPython(fill_out_ids, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="notification",
            name="out_id",
            field=models.CharField(max_length=32, unique=True),
        ),
        migrations.AddField(
            model_name="notification",
            name="send_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="预定发送时间"),
        ),
        migrations.AddField(
            model_name="notification",
            name="claim",
            field=models.CharField(blank=True, max_length=32),
        ),
        migrations.AddField(
            model_name="notification",
            name="uncertain",
            field=models.BooleanField(default=False),
        ),
        migrations.AlterField(
            model_name="notification",
            name="sent_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="发送时间"),
        ),
        migrations.AddField(
            model_name="notification",
            name="delivered_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="送达时间"),
        ),
        migrations.AddField(
            model_name="notification",
            name="delivery",
            field=models.CharField(
                blank=True,
                choices=[("delivered", "已送达"), ("undelivered", "未送达")],
                max_length=16,
                verbose_name="送达结果",
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="delivery_reason",
            field=models.CharField(blank=True, max_length=200, verbose_name="未送达原因"),
        ),
        migrations.AlterField(
            model_name="notification",
            name="provider_ref",
            field=models.CharField(blank=True, db_index=True, max_length=128),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=models.Q(("status__in", ["pending", "retry", "sending"])),
                fields=["id"],
                name="notification_claimable",
            ),
        ),
        migrations.CreateModel(
            name="Preference",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("category", models.CharField(max_length=32, verbose_name="类别")),
                ("channel", models.CharField(choices=CHANNELS, max_length=16, verbose_name="渠道")),
                ("enabled", models.BooleanField(default=True, verbose_name="接收")),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notification_preferences",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "通知设置",
                "verbose_name_plural": "通知设置",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("user", "category", "channel"), name="notification_preference_once"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="WechatBinding",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("appid", models.CharField(max_length=32)),
                ("openid", models.CharField(max_length=64)),
                ("unionid", models.CharField(blank=True, max_length=64)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="wechat_bindings",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "微信绑定",
                "verbose_name_plural": "微信绑定",
                "constraints": [
                    models.UniqueConstraint(fields=("user", "appid"), name="wechat_binding_one_per_app"),
                    models.UniqueConstraint(fields=("appid", "openid"), name="wechat_openid_once"),
                ],
            },
        ),
        migrations.CreateModel(
            name="WechatSentEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("openid", models.CharField(db_index=True, max_length=64)),
                ("template_id", models.CharField(max_length=128)),
                ("msgid", models.CharField(max_length=64, unique=True)),
                ("error_code", models.IntegerField(default=0)),
                ("error_status", models.CharField(blank=True, max_length=100)),
                ("created_at", models.DateTimeField()),
                ("received_at", models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.CreateModel(
            name="LocalGatewayMessage",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("channel", models.CharField(choices=CHANNELS, max_length=16)),
                ("out_id", models.CharField(max_length=32, unique=True)),
                ("notification_id", models.BigIntegerField(blank=True, null=True)),
                ("to_masked", models.CharField(max_length=64)),
                ("event", models.CharField(max_length=64)),
                ("title", models.CharField(blank=True, max_length=200)),
                ("body", models.TextField()),
                ("provider_ref", models.CharField(max_length=64)),
                ("send_count", models.PositiveIntegerField(default=1)),
                ("created_at", models.DateTimeField(db_index=True)),
                ("last_attempt_at", models.DateTimeField()),
            ],
            options={
                "verbose_name": "本地网关消息",
                "verbose_name_plural": "本地网关消息",
                "ordering": ["-created_at", "-pk"],
            },
        ),
    ]
