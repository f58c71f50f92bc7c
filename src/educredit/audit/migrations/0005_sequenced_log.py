"""The sequenced audit log (ADR 0044): writes queue entries, a sequencer integrates them.

An entry's leaf no longer names its position (the writer does not know it yet), so a log
written before this migration cannot be carried over: the migration refuses a database whose
log holds entries and says what to do (no deployment holds such a log; the demo is rebuilt).
The entry and bulk-member tables are re-created, with the queue, the sequenced leaves and the
stored tree nodes beside them, and the append-only triggers cover the new tables.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

PROTECTED = (
    "audit_auditentry",
    "audit_auditbulkmember",
    "audit_sequencedleaf",
    "audit_auditnode",
)


def refuse_old_log(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM audit_auditentry")
        (count,) = cursor.fetchone()
    if count:
        raise RuntimeError(
            f"此数据库的审计日志（{count} 条）为旧格式，无法迁移到排序审计日志：请用新数据库重建"
            "（演示环境：删除 var/ 下的演示数据库后重新运行 make demo）/ this database's audit "
            f"log ({count} entries) is in the old format, which the sequenced log cannot take "
            "over: rebuild on a new database (demo: delete the demo database under var/ and "
            "run make demo again)"
        )


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in PROTECTED:
        if vendor == "postgresql":
            # The function is 0004's.
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION educredit_audit_append_only()"
            )
        elif vendor == "sqlite":
            for op in ("update", "delete"):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_no_{op} BEFORE {op.upper()} ON {table} "
                    f"WHEN educredit_audit_guard() BEGIN "
                    f"SELECT RAISE(ABORT, 'audit log is append-only: {op} on {table} refused'); "
                    f"END"
                )


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in PROTECTED:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        elif vendor == "sqlite":
            for op in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op}")


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0004_append_only_triggers"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(refuse_old_log, migrations.RunPython.noop),
        migrations.DeleteModel(name="AuditBulkMember"),
        migrations.DeleteModel(name="AuditEntry"),
        migrations.CreateModel(
            name="AuditEntry",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField()),
                ("actor_label", models.CharField(max_length=120)),
                ("action", models.CharField(db_index=True, max_length=80)),
                ("target_type", models.CharField(max_length=80)),
                ("target_id", models.CharField(max_length=64)),
                ("before_digest", models.CharField(blank=True, max_length=64)),
                ("after_digest", models.CharField(blank=True, max_length=64)),
                ("changed_fields", models.JSONField(default=list)),
                ("reason", models.TextField(blank=True)),
                ("request_id", models.CharField(blank=True, max_length=64)),
                ("member_count", models.BigIntegerField(blank=True, null=True)),
                ("merge_deadline", models.DateTimeField(blank=True, null=True)),
                ("leaf_hash", models.CharField(max_length=64)),
                ("mac", models.CharField(max_length=64)),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "审计日志",
                "verbose_name_plural": "审计日志",
                "ordering": ["id"],
                "indexes": [
                    models.Index(
                        fields=["target_type", "target_id", "id"],
                        name="audit_audit_target__481663_idx",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="AuditQueuedLeaf",
            fields=[
                (
                    "entry",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="audit.auditentry",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="SequencedLeaf",
            fields=[
                ("seq", models.BigIntegerField(primary_key=True, serialize=False)),
                ("leaf_hash", models.CharField(max_length=64)),
                ("chain_hash", models.CharField(max_length=64)),
                ("integrated_at", models.DateTimeField()),
                (
                    "entry",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="sequenced",
                        to="audit.auditentry",
                    ),
                ),
            ],
            options={
                "verbose_name": "已排序条目",
                "verbose_name_plural": "已排序条目",
                "ordering": ["seq"],
            },
        ),
        migrations.CreateModel(
            name="AuditNode",
            fields=[
                ("pk", models.CompositePrimaryKey("level", "position", blank=True, editable=False, primary_key=True, serialize=False)),
                ("level", models.PositiveSmallIntegerField()),
                ("position", models.BigIntegerField()),
                ("hash", models.CharField(max_length=64)),
            ],
        ),
        migrations.CreateModel(
            name="AuditBulkMember",
            fields=[
                ("pk", models.CompositePrimaryKey("entry_id", "position", blank=True, editable=False, primary_key=True, serialize=False)),
                ("position", models.BigIntegerField()),
                ("target_pk", models.CharField(max_length=64)),
                ("row_digest", models.CharField(max_length=64)),
                (
                    "entry",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="bulk_members",
                        to="audit.auditentry",
                    ),
                ),
            ],
            options={
                "verbose_name": "批量审计成员",
                "verbose_name_plural": "批量审计成员",
            },
        ),
        migrations.AddField(
            model_name="auditchainhead",
            name="frontier",
            field=models.JSONField(default=list),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
