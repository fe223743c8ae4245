"""Personal data at rest: AES-256-GCM field encryption and keyed lookup hashes.

Each ciphertext names the key it was made with (``k1:``), so keys can be rotated by
re-encrypting rows (``microcourt pii rotate``) while old ones stay readable. Lookups (find
the user with this phone number) use an HMAC under a separate index key, never the
plaintext.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


def encrypt(plaintext: str) -> str:
    version = settings.PII_KEY_VERSION
    nonce = os.urandom(12)
    sealed = AESGCM(settings.PII_KEYS[version]).encrypt(nonce, plaintext.encode(), version.encode())
    return f"{version}:" + base64.b64encode(nonce + sealed).decode()


def version_of(token: str) -> str:
    return token.partition(":")[0]


def decrypt(token: str) -> str:
    version, _, payload = token.partition(":")
    key = settings.PII_KEYS.get(version)
    if key is None:
        raise ValueError(f"no key for personal-data ciphertext version {version!r}")
    raw = base64.b64decode(payload)
    return AESGCM(key).decrypt(raw[:12], raw[12:], version.encode()).decode()


def blind_index(value: str, *, purpose: str) -> str:
    """A stable keyed hash for equality lookups; ``purpose`` separates columns so equal
    values in different columns do not share an index."""
    key = hmac.new(
        settings.PII_INDEX_KEY, b"blind-index:" + purpose.encode(), hashlib.sha256
    ).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text column whose database value is ciphertext; Python sees plaintext."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)


class EncryptedJSONField(EncryptedTextField):
    """A JSON document sealed as one ciphertext (a frozen snapshot of what someone submitted,
    say). There are no lookups into it, by design: what must be found needs a blind index."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return None if value is None else {}
        return json.loads(decrypt(value))

    def to_python(self, value):
        return value  # already the Python document (forms and the admin pass it whole)

    def get_prep_value(self, value):
        value = models.Field.get_prep_value(self, value)
        if value is None:
            return None
        return encrypt(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))

    def value_to_string(self, obj):
        return json.dumps(self.value_from_object(obj), cls=DjangoJSONEncoder, ensure_ascii=False)

    def formfield(self, form_class=None, choices_form_class=None, **kwargs):
        from django import forms

        return super().formfield(
            form_class=form_class or forms.JSONField,
            choices_form_class=choices_form_class,
            **kwargs,
        )


def mask(value: str, *, keep_start: int = 3, keep_end: int = 4) -> str:
    """138****5678, 3302**********1234: enough to recognise, not enough to use."""
    if not value:
        return ""
    if len(value) <= keep_start + keep_end:
        return value[:1] + "*" * (len(value) - 1)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]
