"""FilingDecision.snapshot holds whole submitted drafts (parties' ID numbers, phones,
addresses): the column becomes one ciphertext per row, and rows written before are sealed
here. Reversible: going back turns the ciphertext into plain JSON again."""

import json

from django.db import migrations

import microcourt.core.crypto

TABLE = "filing_filingdecision"
BATCH = 500


def _rows(schema_editor):
    quote = schema_editor.connection.ops.quote_name
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {quote('snapshot')} FROM {quote(TABLE)}")  # noqa: S608
        return cursor.fetchall()


def _write(schema_editor, updates):
    quote = schema_editor.connection.ops.quote_name
    sql = f"UPDATE {quote(TABLE)} SET {quote('snapshot')} = %s WHERE id = %s"  # noqa: S608
    with schema_editor.connection.cursor() as cursor:
        for start in range(0, len(updates), BATCH):
            cursor.executemany(sql, updates[start : start + BATCH])


def _plain(value) -> bool:
    """Plain JSON (what rows held before); ciphertext ("k1:…") is not JSON."""
    if isinstance(value, dict | list):
        return True
    try:
        json.loads(value)
    except (TypeError, ValueError):
        return False
    return True


def seal(apps, schema_editor):
    from microcourt.core.crypto import encrypt

    updates = []
    for pk, value in _rows(schema_editor):
        if value is None or value == "" or not _plain(value):
            continue
        document = value if isinstance(value, dict | list) else json.loads(value)
        updates.append((encrypt(json.dumps(document, ensure_ascii=False)), pk))
    _write(schema_editor, updates)


def unseal(apps, schema_editor):
    from microcourt.core.crypto import decrypt

    updates = [
        (decrypt(value), pk) for pk, value in _rows(schema_editor) if value and not _plain(value)
    ]
    _write(schema_editor, updates)


class Migration(migrations.Migration):
    dependencies = [
        ("filing", "0002_seed_causes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="filingdecision",
            name="snapshot",
            field=microcourt.core.crypto.EncryptedJSONField(
                blank=True, default=dict, verbose_name="提交内容"
            ),
        ),
        # Backwards this runs first: plain JSON again before the column is JSON again.
        migrations.RunPython(seal, unseal),
    ]
