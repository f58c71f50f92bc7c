"""Backup and restore (ADR 0032): one tar archive, the engine's own dump and a manifest.

The archive holds ``manifest.json`` and the database as its engine copies it: ``pg_dump
--format=custom`` for PostgreSQL, SQLite's online backup API for SQLite. The manifest says what
the dump must contain — the applied migrations, the audit log's head (chain seq and hash, the
latest signed tree head), row counts of the key tables, the dump's SHA-256 — and which keys
the data needs, as fingerprints only. The key file itself is never in the archive: it is backed
up separately, and a restore needs the same key file (encrypted columns, blind indexes and
the audit MACs cannot be read or checked without it).

A restore checks the archive and the keys before it touches anything, refuses a target that
already holds tables unless forced, restores with the engine's own tool, then recomputes the
whole audit log against the restored database (``audit verify``) and compares what it finds
with the manifest. ``core`` imports no other app: the audit functions are resolved by name.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import dj_database_url
from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import load_backend
from django.utils.module_loading import import_string

from educredit.core import clock

FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
DUMP_NAMES = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
ENGINE_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
# Counted at backup and again after a restore: the tables an operator would look at first.
KEY_TABLES = (
    "accounts.Organisation",
    "accounts.User",
    "subjects.Institution",
    "subjects.Person",
    "subjects.Affiliation",
    "records.CreditRecord",
    "records.CreditListEntry",
    "audit.AuditEntry",
    "audit.AuditBulkMember",
    "audit.TreeHead",
)
TREE_HEAD_LATEST = "educredit.audit.selectors.tree_head_latest"
VERIFY_AUDIT_LOG = "educredit.audit.verification.verify_audit_log"
# pg_restore into a fresh database: all or nothing, objects owned by whoever restores.
PG_RESTORE_OPTIONS = ("--no-owner", "--single-transaction", "--exit-on-error")
_CHUNK = 1 << 20
_PROGRESS_SECONDS = 5.0

Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why in Chinese and English."""


@dataclass
class RestoreReport:
    """What a restore did and what the verification of the restored database found."""

    manifest: dict[str, Any]
    target: str
    restore_seconds: float = 0.0
    verify_seconds: float = 0.0
    entries: int = 0
    tree_heads: int = 0
    rows: int = 0
    differences: list[str] = field(default_factory=list)
    pending_migrations: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences


def _quiet(_line: str) -> None:
    """Default progress sink: say nothing."""


# --- what a manifest records --------------------------------------------------------------


def _fingerprint(purpose: str, key: bytes) -> str:
    """A short hash naming a key (per purpose) without revealing anything of it."""
    material = b"educredit key fingerprint v1\x00" + purpose.encode() + b"\x00" + key
    return hashlib.sha256(material).hexdigest()[:16]


def key_fingerprints() -> dict[str, Any]:
    """Key ids and fingerprints of the current key file's keys (never the keys)."""
    return {
        "field_keys": {
            key_id: _fingerprint("field", key)
            for key_id, key in sorted(settings.EDUCREDIT_FIELD_KEYS.items())
        },
        "field_key_current": settings.EDUCREDIT_FIELD_KEY_CURRENT,
        "blind_index_key": _fingerprint("blind-index", settings.EDUCREDIT_BLIND_INDEX_KEY),
        "audit_signing_key": _fingerprint("audit-signing", settings.EDUCREDIT_AUDIT_SIGNING_KEY),
    }


def _applied_migrations() -> dict[str, str]:
    """The latest applied migration of each app, on the default connection."""
    latest: dict[str, str] = {}
    for app_label, name in MigrationRecorder(connection).applied_migrations():
        latest[app_label] = max(latest.get(app_label, ""), name)
    return dict(sorted(latest.items()))


def _audit_head() -> dict[str, Any]:
    """The chain's tip (seq, chain hash) and the latest signed tree head (size, root)."""
    chain = (
        apps.get_model("audit", "AuditChainHead")
        .objects.filter(id=1)
        .values("last_seq", "last_chain_hash")
        .first()
    ) or {"last_seq": 0, "last_chain_hash": ""}
    tree = import_string(TREE_HEAD_LATEST)()
    return {
        "seq": chain["last_seq"],
        "chain_hash": chain["last_chain_hash"],
        "tree_size": tree.size if tree is not None else 0,
        "root_hash": tree.root_hash if tree is not None else "",
    }


def _row_counts() -> dict[str, int]:
    counts = {}
    for label in KEY_TABLES:
        try:
            model = apps.get_model(label)
        except LookupError:  # an app this deployment does not install
            continue
        counts[model._meta.label_lower] = model._base_manager.count()
    return counts


def database_facts() -> dict[str, Any]:
    """Migrations, audit head and key-table counts of the database on the default connection."""
    return {
        "migrations": _applied_migrations(),
        "audit_head": _audit_head(),
        "row_counts": _row_counts(),
    }


# --- connections --------------------------------------------------------------------------


def database_settings(database_url: str | None) -> dict[str, Any]:
    """Django settings of ``database_url``, or of the configured default database."""
    current = connections[DEFAULT_DB_ALIAS].settings_dict
    if database_url is None:
        raw = dict(current)
    else:
        raw = dict(dj_database_url.parse(database_url))
        if raw["ENGINE"] == current["ENGINE"] and current.get("OPTIONS"):
            # The project's connection options (SQLite: WAL, busy timeout) apply to it too.
            raw["OPTIONS"] = dict(current["OPTIONS"])
    configured: dict[str, Any] = connections.configure_settings({DEFAULT_DB_ALIAS: raw})[
        DEFAULT_DB_ALIAS
    ]
    return configured


@contextlib.contextmanager
def default_database(database: dict[str, Any]) -> Iterator[BaseDatabaseWrapper]:
    """Point the default connection at ``database`` for the block (models, ``connection``)."""
    previous = connections[DEFAULT_DB_ALIAS]
    wrapper = load_backend(database["ENGINE"]).DatabaseWrapper(database, DEFAULT_DB_ALIAS)
    connections[DEFAULT_DB_ALIAS] = wrapper
    try:
        yield wrapper
    finally:
        wrapper.close()
        connections[DEFAULT_DB_ALIAS] = previous


def _vendor(database: dict[str, Any]) -> str:
    engine = str(database["ENGINE"])
    if engine.endswith("postgresql"):
        return "postgresql"
    if engine.endswith("sqlite3"):
        return "sqlite"
    raise BackupError(
        f"不支持的数据库引擎 {engine} / unsupported database engine {engine} "
        "(PostgreSQL or SQLite only)"
    )


def _describe(database: dict[str, Any]) -> str:
    if _vendor(database) == "sqlite":
        return f"SQLite {database['NAME']}"
    host, port = database.get("HOST") or "localhost", database.get("PORT") or 5432
    return f"PostgreSQL {database['USER']}@{host}:{port}/{database['NAME']}"


def _pg_environment(database: dict[str, Any]) -> dict[str, str]:
    """libpq variables for pg_dump/pg_restore: the password never goes on a command line."""
    env = dict(os.environ)
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER")):
        if database.get(key):
            env[variable] = str(database[key])
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    options = database.get("OPTIONS") or {}
    for variable, key in (("PGSSLMODE", "sslmode"), ("PGSSLROOTCERT", "sslrootcert")):
        if options.get(key):
            env[variable] = str(options[key])
    return env


def _run_tool(
    argv: list[str], *, env: dict[str, str], watch: Path | None, progress: Progress, label: str
) -> None:
    """Run pg_dump / pg_restore, reporting the size of ``watch`` every few seconds."""
    started = time.monotonic()
    with tempfile.TemporaryFile() as errors:
        try:
            child = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=errors)  # noqa: S603 - fixed tool, arguments built here
        except FileNotFoundError as exc:
            raise BackupError(
                f"找不到 {argv[0]}：请安装 PostgreSQL 客户端 / {argv[0]} not found: "
                "install the PostgreSQL client tools"
            ) from exc
        while True:
            try:
                returncode = child.wait(timeout=_PROGRESS_SECONDS)
                break
            except subprocess.TimeoutExpired:
                size = f", {watch.stat().st_size / 1e6:,.1f} MB" if watch and watch.exists() else ""
                progress(f"  … {label}: {time.monotonic() - started:,.0f} s{size}")
        errors.seek(0)
        message = errors.read().decode(errors="replace").strip()
    if returncode != 0:
        raise BackupError(f"{argv[0]} 失败 / {argv[0]} failed ({returncode}): {message[-2000:]}")


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


# --- backup -------------------------------------------------------------------------------


def _dump_postgresql(dump_path: Path, progress: Progress) -> dict[str, Any]:
    """pg_dump in the snapshot the manifest's facts were read in, so the two agree."""
    database = connection.settings_dict
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = str(cursor.fetchone()[0])
        facts = database_facts()
        progress(f"pg_dump --format=custom {database['NAME']} …")
        _run_tool(
            [
                "pg_dump",
                "--format=custom",
                "--no-password",
                f"--snapshot={snapshot}",
                f"--file={dump_path}",
                str(database["NAME"]),
            ],
            env=_pg_environment(database),
            watch=dump_path,
            progress=progress,
            label="pg_dump",
        )
    return facts


def _dump_sqlite(dump_path: Path, progress: Progress) -> dict[str, Any]:
    """SQLite's online backup in one step (one read snapshot), then the facts of the copy.

    One step, because a paged backup starts over whenever another connection writes; the
    facts are read from the copy, so they describe exactly what the archive holds.
    """
    connection.ensure_connection()
    progress(f"SQLite backup {connection.settings_dict['NAME']} …")
    target = sqlite3.connect(dump_path)
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    with default_database(database_settings(f"sqlite:///{dump_path}")):
        return database_facts()


def backup_create(*, out_file: Path, progress: Progress = _quiet) -> dict[str, Any]:
    """Write a backup archive of the default database to ``out_file``; return its manifest."""
    vendor = _vendor(connection.settings_dict)
    if connection.in_atomic_block:
        raise BackupError(
            "备份不能在事务中进行 / a backup cannot run inside a transaction "
            "(its snapshot must be its own)"
        )
    out_file = out_file.resolve()
    out_file.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    # Next to the archive, not in /tmp: a dump can be as large as the database.
    workdir = Path(tempfile.mkdtemp(dir=out_file.parent, prefix=".educredit-backup-"))
    try:
        dump_name = DUMP_NAMES[vendor]
        dump_path = workdir / dump_name
        dump = _dump_postgresql if vendor == "postgresql" else _dump_sqlite
        facts = dump(dump_path, progress)
        size = dump_path.stat().st_size
        progress(
            f"转储完成 / dump written: {size / 1e6:,.1f} MB in {time.monotonic() - started:,.1f} s"
        )
        progress("计算校验和 / computing SHA-256 …")
        manifest = {
            "format": "educredit-backup",
            "format_version": FORMAT_VERSION,
            "created_at": clock.now().isoformat(),
            "engine": vendor,
            "dump": {"name": dump_name, "bytes": size, "sha256": _sha256_of(dump_path)},
            **facts,
            "keys": key_fingerprints(),
        }
        archive = workdir / "archive.tar"
        progress("写入归档 / writing the archive …")
        with tarfile.open(archive, "w", format=tarfile.PAX_FORMAT) as tar:
            raw = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST_NAME)
            info.size, info.mtime, info.mode = len(raw), int(time.time()), 0o600
            tar.addfile(info, io.BytesIO(raw))
            tar.add(dump_path, arcname=dump_name)  # copied in blocks, never read whole
        # The archive holds personal data (names in clear): readable by its owner only.
        archive.chmod(0o600)
        os.replace(archive, out_file)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return manifest


# --- restore ------------------------------------------------------------------------------


def _open_archive(archive: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(archive, "r:")  # the caller closes it (with)
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"无法读取备份 / cannot read the backup {archive}: {exc}") from exc


def _read_manifest(tar: tarfile.TarFile) -> tuple[dict[str, Any], tarfile.TarInfo]:
    try:
        member = tar.getmember(MANIFEST_NAME)
        handle = tar.extractfile(member)
        if handle is None:
            raise KeyError(MANIFEST_NAME)
        manifest: dict[str, Any] = json.loads(handle.read())
    except (KeyError, ValueError) as exc:
        raise BackupError(
            "不是 EduCredit 备份：缺少或无法读取 manifest.json / not an EduCredit backup: "
            "manifest.json is missing or unreadable"
        ) from exc
    if manifest.get("format") != "educredit-backup":
        raise BackupError("不是 EduCredit 备份 / not an EduCredit backup")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"备份格式版本 {manifest.get('format_version')} 不受支持（本版本读 {FORMAT_VERSION}）/ "
            f"backup format version {manifest.get('format_version')} is not supported "
            f"(this version reads {FORMAT_VERSION})"
        )
    try:
        dump = tar.getmember(manifest["dump"]["name"])
    except KeyError as exc:
        raise BackupError("归档中缺少数据库转储 / the archive holds no database dump") from exc
    if not dump.isfile():
        raise BackupError("数据库转储不是普通文件 / the database dump is not a regular file")
    return manifest, dump


def _copy_checked(source: IO[bytes], target: IO[bytes], expected: dict[str, Any]) -> None:
    """Copy the dump in blocks, hashing it; refuse it if it is not the one the manifest names."""
    digest, size = hashlib.sha256(), 0
    while block := source.read(_CHUNK):
        digest.update(block)
        size += len(block)
        target.write(block)
    if size != expected["bytes"] or digest.hexdigest() != expected["sha256"]:
        raise BackupError(
            "备份已损坏或被改动：数据库转储的 SHA-256 与清单不符，未做任何恢复 / the backup is "
            "damaged or was altered: the dump's SHA-256 does not match its manifest; nothing "
            "was restored"
        )


def check_keys(recorded: dict[str, Any]) -> None:
    """Refuse when the current key file lacks a key the backup's data needs (or has another)."""
    current = key_fingerprints()
    problems = []
    for key_id, fingerprint in recorded.get("field_keys", {}).items():
        have = current["field_keys"].get(key_id)
        if have is None:
            problems.append(
                f"字段加密密钥 {key_id} 不在当前密钥文件中 / field key {key_id} is missing from "
                "the current key file"
            )
        elif have != fingerprint:
            problems.append(
                f"字段加密密钥 {key_id} 与备份时的不同 / field key {key_id} is not the one the "
                "backup was made with"
            )
    for name, zh, en in (
        ("blind_index_key", "盲索引密钥", "blind-index key"),
        ("audit_signing_key", "审计签名密钥", "audit signing key"),
    ):
        if recorded.get(name) != current[name]:
            problems.append(
                f"{zh}与备份时的不同 / the {en} is not the one the backup was made with"
            )
    if problems:
        raise BackupError(
            "\n".join(problems)
            + f"\n恢复需要备份时使用的密钥文件（当前为 {settings.KEY_FILE}），加密字段和审计日志"
            "离开它无法读取或校验；未做任何恢复 / restore needs the key file the backup was made "
            f"with (current: {settings.KEY_FILE}): without it encrypted columns cannot be read "
            "nor the audit log checked; nothing was restored"
        )


def _check_migrations(manifest: dict[str, Any]) -> list[str]:
    """Refuse a backup newer than this code; return the migrations the code adds to it."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    unknown = [
        f"{app}.{name}"
        for app, name in manifest["migrations"].items()
        if (app, name) not in loader.disk_migrations
    ]
    if unknown:
        raise BackupError(
            f"备份来自更新的版本，本版本不认识迁移 {', '.join(unknown)}；请用生成备份的版本恢复 / "
            f"the backup comes from a newer version: this code does not know the migrations "
            f"{', '.join(unknown)}; restore with the version that made it"
        )
    return [
        f"{app}.{name}"
        for app, name in sorted(loader.graph.leaf_nodes())
        if name > manifest["migrations"].get(app, "")
    ]


def _pg_table_count(database: dict[str, Any]) -> int:
    with default_database(database) as wrapper, wrapper.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') "
            "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "AND n.nspname NOT LIKE 'pg\\_toast%%' AND n.nspname NOT LIKE 'pg\\_temp%%'"
        )
        return int(cursor.fetchone()[0])


def _sqlite_table_count(path: Path) -> int:
    if not path.exists() or path.stat().st_size == 0:
        return 0
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        return int(
            db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        )


def _restore_postgresql(
    dump: tarfile.TarInfo,
    tar: tarfile.TarFile,
    manifest: dict[str, Any],
    database: dict[str, Any],
    *,
    force: bool,
    progress: Progress,
) -> None:
    try:
        tables = _pg_table_count(database)
    except DatabaseError as exc:
        raise BackupError(
            f"无法连接目标数据库 / cannot connect to the target database "
            f"{_describe(database)}: {exc}"
        ) from exc
    _refuse_non_empty(tables, database, force=force)
    workdir = Path(tempfile.mkdtemp(dir=settings.VAR_DIR, prefix=".educredit-restore-"))
    try:
        dump_path = workdir / dump.name
        progress("提取并校验转储 / extracting and checking the dump …")
        with tar.extractfile(dump) as source, dump_path.open("wb") as target:  # type: ignore[union-attr]
            _copy_checked(source, target, manifest["dump"])
        progress(f"pg_restore → {_describe(database)} …")
        clean = ["--clean", "--if-exists"] if force and tables else []
        _run_tool(
            [
                "pg_restore",
                *PG_RESTORE_OPTIONS,
                *clean,
                "--no-password",
                f"--dbname={database['NAME']}",
                str(dump_path),
            ],
            env=_pg_environment(database),
            watch=None,
            progress=progress,
            label="pg_restore",
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _restore_sqlite(
    dump: tarfile.TarInfo,
    tar: tarfile.TarFile,
    manifest: dict[str, Any],
    database: dict[str, Any],
    *,
    force: bool,
    progress: Progress,
) -> None:
    path = Path(database["NAME"]).resolve()
    _refuse_non_empty(_sqlite_table_count(path), database, force=force)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written beside the target, then renamed over it: the target is never half-written.
    fd, staging = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-restore-")
    try:
        progress("提取并校验数据库文件 / extracting and checking the database file …")
        with tar.extractfile(dump) as source, os.fdopen(fd, "wb") as target:  # type: ignore[union-attr]
            _copy_checked(source, target, manifest["dump"])
        os.chmod(staging, 0o600)
        current = connections[DEFAULT_DB_ALIAS]
        if Path(str(current.settings_dict["NAME"])).resolve() == path:
            current.close()  # restoring over the configured database: let go of the old file
        # A write-ahead log left from the replaced database would be replayed into this one.
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.replace(staging, path)
        progress(f"已放置 / placed {path}")
    finally:
        Path(staging).unlink(missing_ok=True)


def _refuse_non_empty(tables: int, database: dict[str, Any], *, force: bool) -> None:
    if tables and not force:
        raise BackupError(
            f"目标数据库不是空的（{tables} 个表），未做任何恢复；确认要覆盖请加 --force / "
            f"the target database is not empty ({tables} tables): nothing was "
            f"restored; add --force to overwrite it ({_describe(database)})"
        )


def _compare(report: RestoreReport, recorded: dict[str, Any], found: dict[str, Any]) -> None:
    for part, zh in (("audit_head", "审计日志头"), ("migrations", "迁移"), ("row_counts", "行数")):
        before, after = recorded.get(part, {}), found[part]
        for key in sorted(set(before) | set(after)):
            if before.get(key) != after.get(key):
                report.differences.append(
                    f"{zh} / {part} {key}: 备份 backup {before.get(key)!r} ≠ "
                    f"恢复后 restored {after.get(key)!r}"
                )


def backup_restore(
    *,
    archive: Path,
    database_url: str | None = None,
    force: bool = False,
    progress: Progress = _quiet,
) -> RestoreReport:
    """Restore ``archive`` into the target database and verify the audit log there."""
    database = database_settings(database_url)
    with _open_archive(archive) as tar:
        manifest, dump = _read_manifest(tar)
        vendor = _vendor(database)
        if manifest["engine"] != vendor:
            raise BackupError(
                f"数据库引擎不一致：备份来自 {ENGINE_NAMES.get(manifest['engine'])}，目标是 "
                f"{ENGINE_NAMES[vendor]}；只能恢复到同一种数据库 / engines differ: the backup "
                f"is of {ENGINE_NAMES.get(manifest['engine'], manifest['engine'])}, the target "
                f"is {ENGINE_NAMES[vendor]}; a backup restores only into the same engine"
            )
        check_keys(manifest["keys"])
        report = RestoreReport(manifest=manifest, target=_describe(database))
        report.pending_migrations = _check_migrations(manifest)
        started = time.monotonic()
        restore = _restore_postgresql if vendor == "postgresql" else _restore_sqlite
        restore(dump, tar, manifest, database, force=force, progress=progress)
        report.restore_seconds = time.monotonic() - started
    progress("校验恢复后的审计日志 / verifying the audit log of the restored database …")
    started = time.monotonic()
    try:
        with default_database(database):
            found = database_facts()
            # Rows are re-digested only when the schema is the code's; else the chain alone.
            result = import_string(VERIFY_AUDIT_LOG)(check_rows=not report.pending_migrations)
    except DatabaseError as exc:
        raise BackupError(
            f"恢复后的数据库无法读取，未通过校验 / the restored database cannot be read, "
            f"verification FAILED: {exc}"
        ) from exc
    report.verify_seconds = time.monotonic() - started
    report.entries, report.tree_heads, report.rows = result.entries, result.tree_heads, result.rows
    if not result.ok:
        first = result.first_entry_problem
        if first is not None:
            report.differences.append(
                f"审计日志被篡改 / audit log tampered: {first.label} {first.detail_zh} / "
                f"{first.detail_en}"
            )
        report.differences.extend(f"{p.message_zh} / {p.message_en}" for p in result.problems)
        if result.row_problem_count:
            report.differences.append(
                f"与审计日志不符的数据行 / rows the audit log does not account for: "
                f"{result.row_problem_count}"
            )
    _compare(report, manifest, found)
    return report
