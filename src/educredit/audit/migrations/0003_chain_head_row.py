"""Create the chain-head singleton, so concurrent first appends lock a row that exists."""

from django.db import migrations


def create_head(apps, schema_editor):
    head_model = apps.get_model("audit", "AuditChainHead")
    head_model.objects.using(schema_editor.connection.alias).get_or_create(id=1)


def remove_head(apps, schema_editor):
    head_model = apps.get_model("audit", "AuditChainHead")
    head_model.objects.using(schema_editor.connection.alias).filter(
        id=1, last_seq=0
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_bulk_members_tree_heads_entry_mac")]

    operations = [migrations.RunPython(create_head, remove_head)]
