"""A check's receipt is its entry in the sequenced audit log (ADR 0044): the check row no longer
carries a seq (the writer does not know it), and a bulk run lists its entries by id."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("sanctions", "0006_bulk_check_resume_and_result_parts"),
        ("audit", "0005_sequenced_log"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="screeningcheck",
            name="uniq_screening_check_audit_seq",
        ),
        migrations.RemoveField(model_name="screeningcheck", name="audit_seq"),
        migrations.RenameField(
            model_name="bulkcheckrun", old_name="audit_seqs", new_name="audit_entries"
        ),
    ]
