"""``microcourt pii rotate``: re-encrypt every personal-data column under the current key.

Run it after putting a new key in MICROCOURT_PII_KEY (with a new MICROCOURT_PII_KEY_VERSION)
and the old one in MICROCOURT_PII_OLD_KEYS; when it reports nothing left under old keys,
the old key can be removed. Safe to interrupt and run again."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from microcourt.core.crypto import EncryptedTextField, decrypt

BATCH = 500


class Command(BaseCommand):
    help = "Personal-data key management. `rotate`: re-encrypt rows made under older keys."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rotate", "status"])

    def handle(self, *args, action: str, **options):
        current = settings.PII_KEY_VERSION
        total_old = 0
        for model in apps.get_models():
            for field in model._meta.concrete_fields:
                if not isinstance(field, EncryptedTextField):
                    continue
                old = self._old_rows(model, field, current)
                total_old += len(old)
                if action == "rotate":
                    self._rotate(model, field, old)
                label = f"{model._meta.label}.{field.name}"
                verb = "re-encrypted" if action == "rotate" else "under older keys"
                self.stdout.write(f"{label}: {len(old)} {verb}")
        old_secrets = self._old_totp_secrets(current)
        total_old += len(old_secrets)
        if action == "rotate":
            self._rotate_totp(old_secrets)
        self.stdout.write(
            f"mfa.Authenticator.data.secret: {len(old_secrets)} "
            f"{'re-encrypted' if action == 'rotate' else 'under older keys'}"
        )
        if action == "status" and total_old:
            raise CommandError(f"{total_old} values are still under older keys")
        self.stdout.write(f"current key version: {current}")

    def _old_rows(self, model, field, current: str) -> list[tuple]:
        table, column, pk = model._meta.db_table, field.column, model._meta.pk.column
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote(pk)}, {quote(column)} FROM {quote(table)} "  # noqa: S608
                f"WHERE {quote(column)} <> '' AND {quote(column)} NOT LIKE %s",
                [f"{current}:%"],
            )
            return cursor.fetchall()

    def _old_totp_secrets(self, current: str) -> list:
        """allauth keeps TOTP secrets in a JSON column, encrypted by our MFA adapter."""
        from allauth.mfa.models import Authenticator

        return [
            a
            for a in Authenticator.objects.filter(type=Authenticator.Type.TOTP)
            if not str(a.data.get("secret", "")).startswith(f"{current}:")
        ]

    def _rotate_totp(self, authenticators) -> None:
        from microcourt.core.crypto import encrypt

        for authenticator in authenticators:
            with transaction.atomic():
                data = dict(authenticator.data)
                data["secret"] = encrypt(decrypt(data["secret"]))
                type(authenticator).objects.filter(pk=authenticator.pk).update(data=data)

    def _rotate(self, model, field, rows) -> None:
        for start in range(0, len(rows), BATCH):
            with transaction.atomic():
                for pk, token in rows[start : start + BATCH]:
                    # update() runs get_prep_value, which encrypts under the current key;
                    # from_db_value gives what it expects (a JSON field's document, say).
                    value = field.from_db_value(token, None, connection)
                    model._base_manager.filter(pk=pk).update(**{field.name: value})
