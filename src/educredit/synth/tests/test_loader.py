"""Loading a generated province: counts, protected numbers, audit coverage, idempotency."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.db import connection

from educredit.accounts.models import Organisation
from educredit.audit.canonical import row_digest
from educredit.audit.models import AuditBulkMember, AuditEntry
from educredit.audit.verification import verify_audit_log
from educredit.core.crypto import blind_index, decrypt_text, mask_document_number
from educredit.core.identifiers import validate_resident_id
from educredit.subjects.models import Affiliation, Institution, Person
from educredit.synth import loader
from educredit.synth.generator import AS_OF, province_generate, read_manifest
from educredit.synth.loader import ProvinceLoadError, province_load
from educredit.synth.models import ProvinceLoad

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tiny")
    province_generate(directory=path, scale=0.0004, seed=9, people_factor=0.01)
    return path


def people_rows(directory: Path) -> list[dict[str, str]]:
    with (directory / "people.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_load_writes_what_the_manifest_counts(directory: Path) -> None:
    progress: list[tuple[str, int, int]] = []
    result = province_load(
        actor="system:synth", directory=directory, progress=lambda *a: progress.append(a)
    )
    counts = read_manifest(directory)["counts"]
    assert Organisation.objects.count() == counts["organisations"]
    assert Institution.objects.count() == counts["institutions"]
    assert Person.objects.count() == counts["people"]
    assert Affiliation.objects.count() == counts["affiliations"]
    assert result.counts["people"] == counts["people"]
    assert ("people", counts["people"], counts["people"]) in progress
    # Schools answer to their county's bureau, universities to the province.
    for institution in Institution.objects.select_related("supervisor"):
        if institution.kind == "university":
            assert institution.supervisor.kind == "province"
        elif institution.kind != "vocational" and institution.region_code != "419001":
            assert institution.supervisor.region_code == institution.region_code


def test_numbers_are_stored_only_encrypted(directory: Path) -> None:
    province_load(actor="system:synth", directory=directory)
    clear = {row["id_number"]: row for row in people_rows(directory)}
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM subjects_person")
        stored = cursor.fetchall()
    dump = "\n".join(" ".join(str(value) for value in row) for row in stored)
    assert not any(number in dump for number in clear)
    for person in Person.objects.all():
        number = decrypt_text(person.id_number_cipher)
        source = clear[number]
        facts = validate_resident_id(number, today=AS_OF)
        assert person.name == source["name"]
        assert person.id_number_index == blind_index(number)
        assert person.id_number_masked == mask_document_number(number)
        assert person.birth_date == facts.birth_date
        assert person.gender == ("M" if int(number[16]) % 2 else "F")


def test_every_loaded_row_is_covered_by_a_bulk_audit_entry(directory: Path) -> None:
    province_load(actor="system:synth", directory=directory)
    for model in (Institution, Person, Affiliation):
        label = model._meta.label_lower
        members = {
            m.target_pk: m.row_digest
            for m in AuditBulkMember.objects.filter(entry__target_type=label)
        }
        rows = list(model.objects.all())
        assert len(members) == len(rows)
        for row in rows:
            assert members[str(row.pk)] == row_digest(row)
    entries = AuditEntry.objects.filter(action="person.bulk_load")
    assert sum(entry.member_count or 0 for entry in entries) == Person.objects.count()


def test_audit_verify_passes_after_a_load(directory: Path) -> None:
    province_load(actor="system:synth", directory=directory)
    report = verify_audit_log()
    assert report.ok, report
    assert report.bulk_members == (
        Institution.objects.count() + Person.objects.count() + Affiliation.objects.count()
    )


def test_the_same_dataset_is_refused_the_second_time(directory: Path) -> None:
    province_load(actor="system:synth", directory=directory)
    people = Person.objects.count()
    with pytest.raises(ProvinceLoadError, match="already loaded"):
        province_load(actor="system:synth", directory=directory)
    assert Person.objects.count() == people
    assert ProvinceLoad.objects.count() == 1


def test_pool_of_workers_gives_the_same_result(
    directory: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small chunks so that several go through the worker processes, out of order.
    monkeypatch.setattr(loader, "CHUNK_ROWS", 50)
    province_load(actor="system:synth", directory=directory, workers=2)
    assert Person.objects.count() == len(people_rows(directory))
    numbers = {decrypt_text(p.id_number_cipher) for p in Person.objects.all()}
    assert numbers == {row["id_number"] for row in people_rows(directory)}
    entries = AuditEntry.objects.filter(action="person.bulk_load").count()
    assert entries == -(-Person.objects.count() // 50)


def test_ids_continue_after_a_load(directory: Path) -> None:
    province_load(actor="system:synth", directory=directory)
    top = Person.objects.order_by("-pk").values_list("pk", flat=True).first()
    person = Person.objects.create(
        id_number_cipher="x", id_number_index="y" * 64, id_number_masked="z", name="新人"
    )
    assert top is not None and person.pk > top


def test_a_broken_file_loads_nothing(directory: Path, tmp_path: Path) -> None:
    for name in ("manifest.json", "organisations.csv", "institutions.csv", "affiliations.csv"):
        (tmp_path / name).write_bytes((directory / name).read_bytes())
    lines = (directory / "people.csv").read_text(encoding="utf-8").splitlines()
    key, document_type, number, name = lines[3].split(",")
    wrong = "0" if number[-1] != "0" else "1"
    lines[3] = ",".join((key, document_type, number[:-1] + wrong, name))
    (tmp_path / "people.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ProvinceLoadError, match=r"people\.csv line 4"):
        province_load(actor="system:synth", directory=tmp_path)
    assert not Person.objects.exists()
    assert not Organisation.objects.exists()
    assert not ProvinceLoad.objects.exists()


def test_directory_without_manifest_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ProvinceLoadError, match="manifest"):
        province_load(actor="system:synth", directory=tmp_path)


def test_fast_check_digit_agrees_with_the_standard() -> None:
    # GB 11643's own example, and a one-digit change of it.
    assert loader._resident_id_facts("11010519491231002X") == ("F", AS_OF.replace(1949, 12, 31))
    with pytest.raises(ValueError, match="check character should be X"):
        loader._resident_id_facts("110105194912310021")
