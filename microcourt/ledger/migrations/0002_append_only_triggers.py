"""On PostgreSQL, refuse UPDATE and DELETE on the five evidence tables for every client, not
only for our application code (the models refuse too, on every database)."""

from django.db import migrations

TABLES = ["ledger_entry", "ledger_leaf", "ledger_node", "ledger_checkpoint", "ledger_cosignature"]

FUNCTION = """
CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger table % is append-only: % refused', TG_TABLE_NAME, TG_OP;
END
$$;
"""
TRIGGER = (
    "CREATE TRIGGER ledger_append_only BEFORE UPDATE OR DELETE ON {table} "
    "FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();"
)
DROP_TRIGGER = "DROP TRIGGER IF EXISTS ledger_append_only ON {table};"
DROP_FUNCTION = "DROP FUNCTION IF EXISTS ledger_refuse_change();"


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite: the application refuses (models.AppendOnlyModel)
    schema_editor.execute(FUNCTION, params=None)  # no placeholders: RAISE uses %
    for table in TABLES:
        schema_editor.execute(TRIGGER.format(table=table))


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(DROP_TRIGGER.format(table=table))
    schema_editor.execute(DROP_FUNCTION)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(install, remove, elidable=False)]
