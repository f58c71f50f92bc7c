"""The screening data version (ADR 0042): a counter every restriction write bumps, and the
restriction history keyed by it, from which a check is replayed."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0002_drop_indexes_covered_by_composites"),
        ("sanctions", "0007_receipts_from_the_sequenced_log"),
        ("subjects", "0007_import_resume_and_existing_rows"),
    ]

    operations = [
        migrations.CreateModel(
            name="ScreeningDataVersion",
            fields=[
                (
                    "id",
                    models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False),
                ),
                ("version", models.BigIntegerField(default=0)),
                ("history_from", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name="RestrictionChange",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("version", models.BigIntegerField()),
                ("restriction_id", models.BigIntegerField()),
                ("deleted", models.BooleanField(default=False)),
                ("measure_version", models.PositiveIntegerField()),
                ("scenario", models.CharField(max_length=60)),
                ("verdict", models.CharField(max_length=20)),
                ("starts_on", models.DateField()),
                ("ends_on", models.DateField(blank=True, null=True)),
                ("ended_by", models.CharField(blank=True, max_length=20)),
                ("legal_basis", models.TextField()),
                (
                    "basis_list_entry",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="records.creditlistentry",
                    ),
                ),
                (
                    "basis_record",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="records.creditrecord",
                    ),
                ),
                (
                    "institution",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="subjects.institution",
                    ),
                ),
                (
                    "measure",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="sanctions.measure",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="subjects.person",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        condition=models.Q(("institution__isnull", False)),
                        fields=["institution", "scenario", "version"],
                        name="restriction_change_inst",
                    ),
                    models.Index(
                        condition=models.Q(("person__isnull", False)),
                        fields=["person", "scenario", "version"],
                        name="restriction_change_pers",
                    ),
                    models.Index(
                        fields=["restriction_id", "version"], name="restriction_change_row"
                    ),
                ],
            },
        ),
    ]
