"""Refuse UPDATE and DELETE on the audit entries, bulk members and tree heads in the database.

PostgreSQL: one plpgsql trigger function raising an exception, a BEFORE UPDATE OR DELETE row
trigger per table (TRUNCATE, used only by ``flush``, is not a row event). SQLite: BEFORE
UPDATE and BEFORE DELETE triggers that RAISE(ABORT) when ``educredit_audit_guard()`` says so
(see ``educredit.audit.protection``). The chain-head row is left updatable on purpose.
"""

from django.db import migrations

TABLES = ("audit_auditentry", "audit_auditbulkmember", "audit_treehead")

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION educredit_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit log is append-only: % on % refused (审计日志只允许追加)',
        TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION educredit_audit_append_only()"
            )
    elif vendor == "sqlite":
        for table in TABLES:
            for op in ("update", "delete"):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_no_{op} BEFORE {op.upper()} ON {table} "
                    f"WHEN educredit_audit_guard() BEGIN "
                    f"SELECT RAISE(ABORT, 'audit log is append-only: {op} on {table} refused'); "
                    f"END"
                )


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        schema_editor.execute("DROP FUNCTION IF EXISTS educredit_audit_append_only()")
    elif vendor == "sqlite":
        for table in TABLES:
            for op in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op}")


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_chain_head_row")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
