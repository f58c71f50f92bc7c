"""Backup and restore drill (ADR 0032): a province backed up and restored into a fresh database
passes ``educredit audit verify`` there, with the same data; damaged archives, occupied
targets, missing keys and another engine are refused before anything is written.

Runs on both engines: on PostgreSQL the fresh database is created by the test and dropped
after it; on SQLite it is a new file. Transactional tests: a backup takes its own snapshot.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from educredit.accounts.choices import OrganisationKind, UserRole
from educredit.accounts.models import Organisation
from educredit.audit.models import AuditEntry
from educredit.audit.sequencer import sequence_pending
from educredit.catalog.choices import SubjectType
from educredit.core.backup import DUMP_NAMES
from educredit.core.crypto import decrypt_text
from educredit.records.choices import CreditRecordStatus
from educredit.records.models import CreditRecord
from educredit.records.tests.factories import make_catalog_item, make_record
from educredit.subjects.models import Person
from educredit.synth.generator import province_generate
from educredit.synth.loader import province_load
from educredit.testing.database import child_database_url
from educredit.testing.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def province_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("province")
    province_generate(directory=path, scale=0.0004, seed=32, people_factor=0.01)
    return path


def _admin(sql: str) -> None:
    import psycopg

    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute(sql)


@pytest.fixture
def fresh_target(tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database of the test's engine, gone after the test."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    base = child_database_url().rsplit("/", 1)[0]
    name = (
        f"{connection.settings_dict['NAME'].removeprefix('test_')}_restore_{secrets.token_hex(4)}"
    )
    _admin(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def educredit(*argv: str, url: str) -> subprocess.CompletedProcess[str]:
    """Run ``educredit …`` in a child process against the database at ``url``."""
    return subprocess.run(  # noqa: S603 (our own command)
        [sys.executable, "-m", "educredit.cli", *argv],
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def tables_in(url: str) -> int:
    """How many tables the database at ``url`` holds (0: it was not touched)."""
    code = "from django.db import connection; print(len(connection.introspection.table_names()))"
    child = educredit("shell", "--no-imports", "-c", code, url=url)
    assert child.returncode == 0, child.stderr
    return int(child.stdout.strip())


def data_facts(person_pk: int, record_pk: int) -> dict[str, Any]:
    """What a user would see of a person and a record, decrypted (run here and in children)."""
    person = Person.objects.get(pk=person_pk)
    record = CreditRecord.objects.get(pk=record_pk)
    return {
        "name": person.name,
        "document": decrypt_text(person.id_number_cipher),
        "masked": person.id_number_masked,
        "index": person.id_number_index,
        "record": [
            str(record.public_id),
            record.title,
            record.status,
            record.decision_number,
            record.payload,
            record.person_id,
            record.institution_id,
        ],
    }


def build_province(directory: Path) -> tuple[Person, CreditRecord]:
    """A loaded synthetic province, credit records entered by its clerk, a sealed tree head."""
    province_load(actor="system:synth", directory=directory)
    bureau = Organisation.objects.get(kind=OrganisationKind.PROVINCIAL_DEPARTMENT)
    clerk = make_user(organisation=bureau, username="drill.clerk", roles=[UserRole.CLERK])
    person = Person.objects.order_by("pk")[0]
    item = make_catalog_item(subject_type=SubjectType.PERSON, name="教师资格处罚信息")
    record = make_record(
        actor=clerk, catalog_item=item, person=person, status=CreditRecordStatus.SUBMITTED
    )
    make_record(actor=clerk, status=CreditRecordStatus.SUBMITTED)
    sequence_pending(actor="system:test")
    return person, record


def backup_of_small_province(county_clerk: Any, archive: Path) -> Path:
    make_record(actor=county_clerk, status=CreditRecordStatus.SUBMITTED)
    call_command("backup", str(archive), stdout=StringIO())
    return archive


def test_drill_restore_into_a_fresh_database_passes_audit_verify(
    tmp_path: Path, province_files: Path, fresh_target: str
) -> None:
    person, record = build_province(province_files)
    archive = tmp_path / "educredit.tar"
    output = StringIO()
    call_command("backup", str(archive), stdout=output)
    assert "归档不含密钥文件" in output.getvalue()
    assert "does not hold the key file" in output.getvalue()
    with tarfile.open(archive) as tar:
        assert tar.getnames() == ["manifest.json", DUMP_NAMES[connection.vendor]]
        manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
    assert manifest["engine"] == connection.vendor
    assert manifest["audit_head"]["seq"] == AuditEntry.objects.count()
    assert manifest["row_counts"]["subjects.person"] == Person.objects.count()
    assert "audit" in manifest["migrations"]

    restored = StringIO()
    call_command("restore", str(archive), database_url=fresh_target, stdout=restored)
    assert "restored and verified OK" in restored.getvalue()

    verify = educredit("audit", "verify", url=fresh_target)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert f"entries: {AuditEntry.objects.count()}" in verify.stdout
    assert "result: OK" in verify.stdout

    code = (
        "import json; from educredit.core.tests.test_backup_restore import data_facts; "
        f"print(json.dumps(data_facts({person.pk}, {record.pk})))"
    )
    child = educredit("shell", "--no-imports", "-c", code, url=fresh_target)
    assert child.returncode == 0, child.stderr
    assert json.loads(child.stdout) == json.loads(json.dumps(data_facts(person.pk, record.pk)))


def test_drill_restore_refuses_an_occupied_target_unless_forced(
    tmp_path: Path, county_clerk: Any, fresh_target: str
) -> None:
    archive = backup_of_small_province(county_clerk, tmp_path / "educredit.tar")
    call_command("restore", str(archive), database_url=fresh_target, stdout=StringIO())
    with pytest.raises(CommandError, match="--force") as refused:
        call_command("restore", str(archive), database_url=fresh_target, stdout=StringIO())
    assert "目标数据库不是空的" in str(refused.value)
    assert "not empty" in str(refused.value)
    forced = StringIO()
    call_command("restore", str(archive), database_url=fresh_target, force=True, stdout=forced)
    assert "restored and verified OK" in forced.getvalue()

    # A manifest whose audit head the restored database does not have: restored, but failed.
    altered, seq = tmp_path / "altered.tar", 0
    with tarfile.open(archive) as source, tarfile.open(altered, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == "manifest.json":
                manifest = json.loads(data)
                seq = manifest["audit_head"]["seq"]
                manifest["audit_head"]["seq"] = seq + 1
                data = json.dumps(manifest).encode()
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    output = StringIO()
    with pytest.raises(CommandError, match="FAILED verification"):
        call_command("restore", str(altered), database_url=fresh_target, force=True, stdout=output)
    assert f"audit_head seq: 备份 backup {seq + 1} ≠ 恢复后 restored {seq}" in output.getvalue()


def test_damaged_archives_missing_keys_and_other_engines_are_refused_untouched(
    tmp_path: Path, county_clerk: Any, fresh_target: str, settings: Any
) -> None:
    """One backup, three refusals, each before the (empty) target is touched."""
    archive = backup_of_small_province(county_clerk, tmp_path / "educredit.tar")
    with tarfile.open(archive) as tar:
        dump = next(member for member in tar.getmembers() if member.name != "manifest.json")
        key_ids = list(json.load(tar.extractfile("manifest.json"))["keys"]["field_keys"])  # type: ignore[arg-type]

    # A byte flipped in the middle of the dump.
    tampered = tmp_path / "tampered.tar"
    tampered.write_bytes(archive.read_bytes())
    with tampered.open("r+b") as handle:
        handle.seek(dump.offset_data + dump.size // 2)
        byte = handle.read(1)
        handle.seek(-1, os.SEEK_CUR)
        handle.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(CommandError, match="SHA-256") as refused:
        call_command("restore", str(tampered), database_url=fresh_target, stdout=StringIO())
    assert "备份已损坏或被改动" in str(refused.value)

    # Another engine.
    other = (
        "postgres://postgres@127.0.0.1:5432/educredit_nowhere"
        if connection.vendor == "sqlite"
        else f"sqlite:///{tmp_path / 'other.sqlite3'}"
    )
    with pytest.raises(CommandError, match="a backup restores only into the same engine"):
        call_command("restore", str(archive), database_url=other, stdout=StringIO())
    assert not (tmp_path / "other.sqlite3").exists()

    # A key file that lacks the key the backup's ciphertexts were made with.
    settings.EDUCREDIT_FIELD_KEYS = {"k999": secrets.token_bytes(32)}
    settings.EDUCREDIT_FIELD_KEY_CURRENT = "k999"
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(archive), database_url=fresh_target, stdout=StringIO())
    message = str(refused.value)
    for key_id in key_ids:
        assert f"field key {key_id} is missing from the current key file" in message
        assert f"字段加密密钥 {key_id} 不在当前密钥文件中" in message
    assert "restore needs the key file the backup was made with" in message

    assert tables_in(fresh_target) == 0
