"""Benchmark: does a check ever wait on a lock while a 双公示 import writes? (issue 15, target 2)

    .venv/bin/python bench/screening_lock_wait.py                  # 20 s of checks, 32 connections
    .venv/bin/python bench/screening_lock_wait.py --seconds 5 --rows 50000   # quick

1. Creates (dropping first) the PostgreSQL database ``educredit_bench_lockwait``
   (``BENCH_PG`` overrides postgres://postgres@127.0.0.1:5432), migrates it, seeds the catalog
   and the scenarios, a province bureau with a clerk, ``--institutions`` schools
   (bulk-inserted: setup) and an API client with ``sanctions:check``; writes a penalty file of
   ``--rows`` rows in the national layout (``bench/disclosure_import.py``'s generator: about
   2 % invalid) naming those same schools.
2. Starts ``educredit serve`` as in production — granian, one thread per worker process,
   persistent connections, Redis for the rate limit's counters (``EDUCREDIT_CACHE_URL``;
   ``BENCH_REDIS`` overrides redis://127.0.0.1:6379/14, flushed before and after), the
   sequencer beside it — and a real ``educredit db_worker``.
3. Warms the check up, queues the import (the ``decision_import_task`` job, bulk path, forked
   validators) and, once its first chunk has committed, drives ``POST /api/sanctions/check``
   with wrk (``--connections``, 2 threads, ``--seconds``) cycling through the schools the
   import is writing penalties for, while a sampler reads ``pg_stat_activity`` every
   ``--interval`` ms (20 unless set).

Every connection names its role (``application_name``: ``educredit web`` for a request,
``educredit worker`` for the worker and its task, ``educredit sequencer``; ``core.db_timeouts``),
so a sample tells a check's backend from the import's. Prints the number of samples, how many
showed a check backend waiting on a lock (``wait_event_type = 'Lock'``; target 0), the same
for the worker and the sequencer, the checks answered (rate, p50/p99, non-2xx), the import's
rows during the window, and for every wait seen the lock (its ``wait_event``), what the waiter
ran and who blocked it (``pg_blocking_pids``) — the hot row by name — and what else check
backends waited for (``LWLock``, ``IO``: WAL flushes, buffers; not locks on data).
``--control-hold-ms 300`` checks the instrument: a session holds the API client's row ``FOR
UPDATE`` that long every second, and the sampler must report checks waiting on it. Drops the
database at the end, also on failure.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = os.environ.get("BENCH_DB", "educredit_bench_lockwait")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/14")
ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
SCENARIO = "teacher_qualification"
WEB, WORKER, SEQUENCER = "educredit web", "educredit worker", "educredit sequencer"

SAMPLE_SQL = """
SELECT pid, application_name, state, wait_event_type, wait_event, left(query, 90)
FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
"""
# Asked only when a sample shows a lock wait: who blocks it (pg_blocking_pids is not free).
BLOCKERS_SQL = """
SELECT w.pid, w.application_name, w.wait_event, left(w.query, 90),
       b.application_name, left(b.query, 90)
FROM pg_stat_activity w
CROSS JOIN LATERAL unnest(pg_blocking_pids(w.pid)) AS blocker(pid)
JOIN pg_stat_activity b ON b.pid = blocker.pid
WHERE w.pid = ANY(%s)
"""


class Sampler:
    """Reads ``pg_stat_activity`` every ``interval`` seconds on a connection of its own."""

    def __init__(self, url: str, interval: float) -> None:
        self.url, self.interval = url, interval
        self.samples = 0
        self.waiting: Counter[str] = Counter()  # role → samples where one of its backends waited
        self.active: Counter[str] = Counter()  # role → samples where one of its backends ran
        self.causes: Counter[tuple[str, str, str, str, str]] = Counter()
        self.check_waits: Counter[str] = Counter()  # what check backends waited for, any kind
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)
        self.elapsed = 0.0

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute("SET application_name = 'bench sampler'")
            began = time.monotonic()
            next_at = began
            while not self._stop.is_set():
                rows = conn.execute(SAMPLE_SQL).fetchall()
                self.samples += 1
                for role in {r[1] for r in rows}:
                    if any(r[1] == role and r[2] == "active" for r in rows):
                        self.active[role] += 1
                    if any(r[1] == role and r[3] == "Lock" for r in rows):
                        self.waiting[role] += 1
                for row in rows:
                    # Not the client's own turn (ClientRead between a pipeline's messages).
                    if row[1] == WEB and row[2] == "active" and row[3] not in (None, "Client"):
                        self.check_waits[f"{row[3]}:{row[4]}"] += 1
                waiting_pids = [r[0] for r in rows if r[3] == "Lock"]
                if waiting_pids:
                    for _pid, role, event, query, blocker, blocker_query in conn.execute(
                        BLOCKERS_SQL, [waiting_pids]
                    ).fetchall():
                        self.causes[(role, event, query, blocker, blocker_query)] += 1
                next_at += self.interval
                time.sleep(max(0.0, next_at - time.monotonic()))
            self.elapsed = time.monotonic() - began


class Control:
    """The instrument's own check: every second, hold the API client's row ``FOR UPDATE`` for
    ``hold`` seconds (as a key rotation that locked it would); each check's insert, whose
    foreign key takes a share lock on that row, waits meanwhile — so the sampler must see
    checks waiting, and name the row."""

    def __init__(self, url: str, client_id: int, hold: float) -> None:
        self.url, self.client_id, self.hold = url, client_id, hold
        self.times = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(self.url) as conn:
            conn.execute("SET application_name = 'bench control'")
            conn.commit()
            while not self._stop.wait(1.0):
                conn.execute(
                    "SELECT 1 FROM accounts_apiclient WHERE id = %s FOR UPDATE", [self.client_id]
                )
                time.sleep(self.hold)
                conn.rollback()
                self.times += 1


def run(args: argparse.Namespace, workdir: Path) -> None:
    from disclosure_import import _uscc, write_csv
    from screening_http import free_port, lua_script, wait_for, wrk

    env = {
        **os.environ,
        "DATABASE_URL": f"{PG}/{DB}",
        "EDUCREDIT_VAR_DIR": str(workdir / "var"),
        "EDUCREDIT_KEY_FILE": str(workdir / "keys.json"),
        "EDUCREDIT_CACHE_URL": REDIS,
    }
    os.environ.update(
        {
            k: env[k]
            for k in (
                "DATABASE_URL",
                "EDUCREDIT_VAR_DIR",
                "EDUCREDIT_KEY_FILE",
                "EDUCREDIT_CACHE_URL",
            )
        }
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "educredit.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from educredit.accounts.choices import UserRole
    from educredit.accounts.models import Organisation
    from educredit.accounts.services import api_client_create
    from educredit.catalog.services import catalog_version_seed
    from educredit.disclosure.models import DecisionImportRun
    from educredit.disclosure.tasks import decision_import_task
    from educredit.sanctions.models import ScreeningCheck
    from educredit.sanctions.services import measure_list_seed
    from educredit.subjects.models import Institution
    from educredit.testing.factories import make_province, make_user

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    catalog_version_seed(actor="system:bench")
    measure_list_seed(actor="system:bench")
    province = make_province()
    bureau_uscc = _uscc("11410000" + "005566778")
    Organisation.objects.filter(pk=province.pk).update(uscc=bureau_uscc)
    clerk = make_user(organisation=province, username="bench.clerk", roles=[UserRole.CLERK])
    usccs = [_uscc(f"52410100{serial:09d}") for serial in range(args.institutions)]
    Institution.objects.bulk_create(
        [
            Institution(
                uscc=code,
                name=f"河南省某某教育培训学校{i}",
                kind="training",
                region_code="410100",
                supervisor=province,
            )
            for i, code in enumerate(usccs)
        ],
        batch_size=5000,
    )
    api_client, key = api_client_create(
        actor="system:bench",
        organisation=province,
        name="bench",
        scopes=["sanctions:check"],
        rate_limit_per_minute=100_000_000,
    )
    media = Path(settings.MEDIA_ROOT)
    (media / "bench").mkdir(parents=True, exist_ok=True)
    path = media / "bench" / f"penalties-{args.rows}.csv"
    invalid = write_csv(path, args.rows, usccs, bureau_uscc)
    import_run = DecisionImportRun.objects.create(
        kind="penalty",
        catalog_item_code="JY-CF-02",
        original_filename=path.name,
        file=str(path.relative_to(media)),
        created_by=clerk,
        organisation=province,
    )
    bodies = [
        {"uscc": code, "scenario": SCENARIO, "reference": f"LOCKWAIT-{n:06d}"}
        for n, code in enumerate(usccs)
    ]
    script = workdir / "check.lua"
    lua_script(script, key, bodies)
    connection.close()
    print(
        f"setup: {time.perf_counter() - started:.0f} s; {args.institutions} schools, "
        f"penalty file of {args.rows:,} rows ({invalid:,} invalid) naming them",
        flush=True,
    )

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    serve = [str(BIN / "educredit"), "serve", f"127.0.0.1:{port}"]
    if args.workers:
        serve += ["--workers", str(args.workers)]
    logs = (workdir / "server.log").open("wb"), (workdir / "worker.log").open("wb")
    server = subprocess.Popen(  # noqa: S603 (our own command)
        serve, env=env, stdout=logs[0], stderr=subprocess.STDOUT, start_new_session=True
    )
    worker: subprocess.Popen[bytes] | None = None
    try:
        wait_for(f"{base}/api/openapi.json")
        check_url = f"{base}/api/sanctions/check"
        wrk(check_url, seconds=3, connections=args.connections, script=script)  # warm-up
        before = ScreeningCheck.objects.count()

        decision_import_task.enqueue(import_run.pk)
        worker_env = {**env, "EDUCREDIT_IMPORT_WORKERS": str(args.import_workers)}
        worker = subprocess.Popen(  # noqa: S603
            [str(BIN / "educredit"), "db_worker", "--interval", "0.2"],
            env=worker_env,
            stdout=logs[1],
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

        def processed() -> int:
            return DecisionImportRun.objects.filter(pk=import_run.pk).values_list(
                "processed_rows", flat=True
            )[0]

        deadline = time.monotonic() + 300
        while processed() == 0:
            if time.monotonic() > deadline or worker.poll() is not None:
                raise SystemExit("the import did not start: see worker.log")
            time.sleep(0.1)
        at_start = processed()
        connection.close()

        sampler = Sampler(f"{PG}/{DB}", args.interval / 1000)
        control = Control(f"{PG}/{DB}", api_client.pk, args.control_hold_ms / 1000)
        sampler.start()
        if args.control_hold_ms:
            control.start()
        figures = wrk(check_url, seconds=args.seconds, connections=args.connections, script=script)
        if args.control_hold_ms:
            control.stop()
        sampler.stop()
        at_end = processed()
        status = DecisionImportRun.objects.filter(pk=import_run.pk).values_list(
            "status", flat=True
        )[0]
        logged = ScreeningCheck.objects.count() - before
    finally:
        # The worker would finish its task before it stops: kill it and its validators (the
        # database is dropped anyway); the server stops at once.
        for process, stop in ((worker, signal.SIGKILL), (server, signal.SIGTERM)):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, stop)
                process.wait(timeout=60)
        for log in logs:
            log.close()

    print(
        f"server: educredit serve ({args.workers or 'default'} workers) with its sequencer; "
        f"db_worker with {args.import_workers} import processes; wrk -t2 -c{args.connections} "
        f"-d{args.seconds}s"
    )
    print(
        f"samples:                    {sampler.samples} (every {args.interval:g} ms over "
        f"{sampler.elapsed:.1f} s); the import's task active in {sampler.active[WORKER]}"
    )
    print(
        f"samples with a check waiting on a lock: {sampler.waiting[WEB]} (target 0)"
        f"   — the worker: {sampler.waiting[WORKER]}, the sequencer: {sampler.waiting[SEQUENCER]}"
    )
    print(
        f"checks answered:            {figures['requests']} ({figures['rps']:.1f}/s, p50 "
        f"{figures['p50']:.2f} ms, p99 {figures['p99']:.2f} ms), non-2xx {figures['non2xx']} "
        f"{figures['socket_errors']}; check rows logged meanwhile: {logged}"
    )
    print(
        f"import during the window:   rows {at_start:,} → {at_end:,} "
        f"({(at_end - at_start) / max(sampler.elapsed, 1e-9):,.0f} rows/s), status {status}"
    )
    if args.control_hold_ms:
        print(
            f"control: the API client's row held FOR UPDATE {control.times} times for "
            f"{args.control_hold_ms:g} ms (checks must be seen waiting)"
        )
    waits = ", ".join(f"{name} {n}" for name, n in sampler.check_waits.most_common(6))
    print(f"check backends' waits of any kind (samples): {waits or 'none'}")
    if at_end >= args.rows or status != "running":
        print("warning: the import ended inside the window — use more --rows for full overlap")
    for (role, event, query, blocker, blocker_query), count in sampler.causes.most_common(12):
        print(f"  {count:5} × {role} waits ({event}) in {query!r}")
        print(f"          held by {blocker}: {blocker_query!r}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rows", type=int, default=300_000, help="penalty rows imported")
    parser.add_argument("--institutions", type=int, default=2000)
    parser.add_argument("--interval", type=float, default=20.0, help="sampling, milliseconds")
    parser.add_argument("--workers", type=int, default=0, help="default: as educredit serve")
    parser.add_argument("--import-workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--control-hold-ms",
        type=float,
        default=0,
        help="check the instrument: hold the API client's row this long every second",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: scripts/apt-install wrk (make bench does)")
    sys.path.insert(0, str(ROOT / "bench"))
    sys.path.insert(0, str(ROOT / "src"))
    import redis
    from screening_http import admin

    store = redis.Redis.from_url(REDIS)
    store.flushdb()
    admin(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    admin(f"CREATE DATABASE {DB}")
    workdir = Path(tempfile.mkdtemp(prefix="educredit-bench-lockwait-"))
    try:
        run(args, workdir)
    finally:
        from django.db import connections

        connections.close_all()
        admin(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        store.flushdb()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
