"""Create the baseline's tables and rows; print the bearer key (run by request_path)."""

import hashlib
import os
import secrets

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks._bare.settings")


def main() -> None:
    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from .models import Item, Token

    call_command("migrate", run_syncdb=True, verbosity=0)
    Token.objects.all().delete()
    Item.objects.all().delete()
    key = "mc_" + secrets.token_urlsafe(32)
    Token.objects.create(key_hash=hashlib.sha256(key.encode()).hexdigest(), owner="bench")
    now = timezone.now()
    Item.objects.bulk_create(
        Item(title=f"条目 {i}", body="民间借贷纠纷 " * 8, created_at=now) for i in range(1000)
    )
    print(key, Item.objects.order_by("pk").values_list("pk", flat=True)[500])


if __name__ == "__main__":
    main()
