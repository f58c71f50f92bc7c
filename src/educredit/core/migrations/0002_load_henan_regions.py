"""Load Henan's GB/T 2260 divisions, with the years each name was in force.

The rows come from ``core/data/henan_regions.csv`` (built from python-stdnum 2.2's
``cn/loc.dat`` by ``educredit.core.data.build_henan_regions`` and reviewed). That file is frozen
as this migration's input: a later revision of the table is applied by a new migration.
"""

import csv
from pathlib import Path

from django.db import migrations

CSV_PATH = Path(__file__).resolve().parent.parent / "data" / "henan_regions.csv"


def _year(value):
    return int(value) if value else None


def load_regions(apps, schema_editor):
    Region = apps.get_model("core", "Region")
    with CSV_PATH.open(encoding="utf-8", newline="") as handle:
        rows = [
            Region(
                code=row["code"],
                name=row["name"],
                level=row["level"],
                parent_code=row["parent_code"],
                valid_from_year=_year(row["valid_from_year"]),
                valid_to_year=_year(row["valid_to_year"]),
                is_grouping=row["is_grouping"] == "1",
            )
            for row in csv.DictReader(handle)
        ]
    Region.objects.bulk_create(rows)


def unload_regions(apps, schema_editor):
    apps.get_model("core", "Region").objects.filter(code__startswith="41").delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_regions_holidays")]

    operations = [migrations.RunPython(load_regions, unload_regions)]
