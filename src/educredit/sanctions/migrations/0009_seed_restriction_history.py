"""The restriction history starts with the rows that exist (ADR 0042): each one as a change at
the first screening data version, which starts above every data version a check was answered
from before (those were audit seqs), so that no earlier check is taken for one answered from
the seeded state; replay refuses a check from before the history began."""

from typing import Any

from django.db import migrations
from django.db.models import Max

SEED_BATCH = 5000
FIELDS = (
    "institution_id",
    "person_id",
    "measure_id",
    "measure_version",
    "scenario",
    "verdict",
    "starts_on",
    "ends_on",
    "ended_by",
    "legal_basis",
    "basis_record_id",
    "basis_list_entry_id",
)


def seed(apps: Any, schema_editor: Any) -> None:
    restriction = apps.get_model("sanctions", "Restriction")
    change = apps.get_model("sanctions", "RestrictionChange")
    counter = apps.get_model("sanctions", "ScreeningDataVersion")
    checks = apps.get_model("sanctions", "ScreeningCheck")
    runs = apps.get_model("sanctions", "BulkCheckRun")
    earlier = [
        checks.objects.aggregate(v=Max("data_version"))["v"],
        runs.objects.aggregate(v=Max("data_version"))["v"],
        runs.objects.aggregate(v=Max("last_data_version"))["v"],
    ]
    version = max([v for v in earlier if v is not None], default=0) + 1
    counter.objects.update_or_create(pk=1, defaults={"version": version, "history_from": version})
    batch = []
    for row in restriction.objects.order_by("pk").values("id", *FIELDS).iterator(SEED_BATCH):
        restriction_id = row.pop("id")
        batch.append(change(version=version, restriction_id=restriction_id, **row))
        if len(batch) >= SEED_BATCH:
            change.objects.bulk_create(batch)
            batch = []
    change.objects.bulk_create(batch)


def unseed(apps: Any, schema_editor: Any) -> None:
    apps.get_model("sanctions", "RestrictionChange").objects.all().delete()
    apps.get_model("sanctions", "ScreeningDataVersion").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("sanctions", "0008_screening_data_version_and_restriction_history")]

    operations = [migrations.RunPython(seed, unseed)]
