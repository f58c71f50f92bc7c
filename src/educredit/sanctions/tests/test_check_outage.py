"""Fail closed, recover by itself (issue 15 part 5): the production server checks under load
while its PostgreSQL cluster goes away and comes back.

``educredit serve`` (granian, a few worker processes, persistent connections) runs against a
PostgreSQL cluster of the test's own — ``initdb`` in a temporary directory, holding a copy of
the test database (a province, schools, the scenarios and a business system's key). Client
threads check in a loop; the cluster is stopped in the middle and started again. Asserted:

- while the cluster is down, every check is answered 503 with ``Retry-After`` and no verdict —
  never "clear", never 500, and every answer arrives (no hang past the client's time-out);
- once the cluster is back, the same server processes (same PIDs, no restart, nothing
  respawned) answer every check again, a process that sat idle through the outage too;
- every check answered 200, before or after, is in the query log with its verdict, and
  ``educredit audit verify`` passes on that database after the sequencer has run.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from educredit.core import refusals
from educredit.sanctions.models import ScreeningCheck
from educredit.sanctions.tests import factories
from educredit.subjects.tests.factories import make_institution
from educredit.testing.database import child_database_url
from educredit.testing.factories import make_api_client, make_province
from educredit.testing.workers import children_of, wait_until

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="stops and starts a PostgreSQL cluster under the production server",
    ),
    pytest.mark.django_db(transaction=True),
]

SERVER_WORKERS = 3
CLIENT_THREADS = 6
CLIENT_TIMEOUT = 15  # seconds: an answer later than this is a hang
SCHOOLS = 12
SERVE = [sys.executable, "-m", "educredit.cli", "serve"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _postgres_bin() -> Path | None:
    """The server binaries' directory (initdb, pg_ctl, pg_dump of one version), if any."""
    found = shutil.which("pg_config")
    if found:
        out = subprocess.run([found, "--bindir"], capture_output=True, text=True, check=False)  # noqa: S603
        bindir = Path(out.stdout.strip())
        if (bindir / "initdb").exists():
            return bindir
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: p.parts)
    return versions[-1].parent if versions else None


class PrivateCluster:
    """A PostgreSQL cluster of the test's own, in a temporary directory, on a free port."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.port = _free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="educredit-outage-"))
        self.data = self.dir / "data"
        self.log = self.dir / "postgresql.log"
        # initdb and the server refuse to run as root: run them as the postgres account.
        self.as_owner: list[str] = []
        if os.geteuid() == 0:
            import pwd

            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                shutil.rmtree(self.dir)
                pytest.skip("running as root and no postgres account to run a cluster as")
            os.chown(self.dir, owner.pw_uid, owner.pw_gid)
            self.as_owner = ["runuser", "-u", "postgres", "--"]
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")

    def _run(self, program: str, *args: str) -> None:
        done = subprocess.run(  # noqa: S603 (the server's own binaries)
            [*self.as_owner, str(self.bindir / program), *args], capture_output=True, text=True
        )
        assert done.returncode == 0, f"{program}: {done.stdout}{done.stderr}"

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c max_connections=60"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self) -> None:
        """A fast shutdown: every session is terminated, new ones are refused."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        stop = [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]
        subprocess.run(  # noqa: S603
            [*self.as_owner, *stop],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.dir, ignore_errors=True)

    def copy_in(self, source_url: str, database: str) -> None:
        """The source database, schema and rows, as ``database`` on this cluster."""
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{database}"')
        dump = self.dir / "copy.dump"
        for argv in (
            [str(self.bindir / "pg_dump"), "-Fc", "-f", str(dump), "-d", source_url],
            [str(self.bindir / "pg_restore"), "--no-owner", "-d", self.url(database), str(dump)],
        ):
            done = subprocess.run(argv, capture_output=True, text=True, check=False)  # noqa: S603
            assert done.returncode == 0, f"{argv[0]}: {done.stderr}"


@dataclass(frozen=True)
class Answer:
    """One check as the client saw it (monotonic times)."""

    started: float
    ended: float
    status: int  # 0: no HTTP answer at all (time-out, connection refused or reset)
    retry_after: str | None
    body: dict[str, Any] | None
    reference: str
    error: str = ""


def _check(url: str, key: str, body: dict[str, str]) -> Answer:
    request = urllib.request.Request(  # noqa: S310 (loopback)
        url,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        method="POST",
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=CLIENT_TIMEOUT) as answer:  # noqa: S310
            status, headers, raw = answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        status, headers, raw = error.code, error.headers, error.read()
    except OSError as error:  # a time-out, a refused or reset connection
        return Answer(started, time.monotonic(), 0, None, None, body["reference"], repr(error))
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = {"not_json": raw[:300].decode(errors="replace")}
    return Answer(
        started, time.monotonic(), status, headers.get("Retry-After"), parsed, body["reference"]
    )


class Load:
    """Client threads checking in a loop, each with its own references."""

    def __init__(self, url: str, key: str, usccs: list[str], *, prefix: str) -> None:
        self.answers: list[Answer] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()

        def loop(thread: int) -> None:
            n = 0
            while not self._stop.is_set():
                body = {
                    "uscc": usccs[(thread + n) % len(usccs)],
                    "scenario": "teacher_qualification",
                    "reference": f"{prefix}-{thread}-{n}",
                }
                answer = _check(url, key, body)
                with self._lock:
                    self.answers.append(answer)
                n += 1

        self._threads = [threading.Thread(target=loop, args=(i,)) for i in range(CLIENT_THREADS)]
        for thread in self._threads:
            thread.start()

    def since(self, moment: float) -> list[Answer]:
        with self._lock:
            return [a for a in self.answers if a.started >= moment]

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=CLIENT_TIMEOUT + 5)


def _unavailable(answer: Answer) -> bool:
    """A 503 the way a business system relies on it: a retry hint and no verdict."""
    body = answer.body or {}
    return (
        answer.status == 503
        and answer.retry_after == str(refusals.RETRY_AFTER_SECONDS)
        and body.get("retry_after") == refusals.RETRY_AFTER_SECONDS
        and "verdict" not in body
    )


@pytest.fixture
def cluster() -> Any:
    bindir = _postgres_bin()
    if bindir is None:
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl) to run a cluster with")
    private = PrivateCluster(bindir)
    try:
        yield private
    finally:
        private.remove()


def _serve(cluster: PrivateCluster, port: int) -> subprocess.Popen[bytes]:
    log = (cluster.dir / "server.log").open("ab")  # a pipe nobody reads would fill and block it
    try:
        return subprocess.Popen(  # noqa: S603 (our own command)
            [*SERVE, f"127.0.0.1:{port}", "--workers", str(SERVER_WORKERS)],
            env={
                **os.environ,
                "DATABASE_URL": cluster.url(DATABASE),
                "EDUCREDIT_VAR_DIR": str(cluster.dir),
                "EDUCREDIT_KEY_FILE": str(settings.KEY_FILE),
                "EDUCREDIT_AUDIT_MMD_SECONDS": "3600",  # no sequencer runs until the end
            },
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    finally:
        log.close()


def _educredit(cluster: PrivateCluster, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our own command)
        [sys.executable, "-m", "educredit.cli", *args],
        env={
            **os.environ,
            "DATABASE_URL": cluster.url(DATABASE),
            "EDUCREDIT_VAR_DIR": str(cluster.dir),
            "EDUCREDIT_KEY_FILE": str(settings.KEY_FILE),
            "EDUCREDIT_AUDIT_MMD_SECONDS": "3600",
        },
        capture_output=True,
        text=True,
        check=False,
    )


DATABASE = "educredit_outage"


def test_pg_checks_fail_closed_while_the_database_is_down_and_recover_without_a_restart(
    cluster: PrivateCluster,
) -> None:
    factories.shipped_measure_list()
    province = make_province()
    schools = [
        make_institution(supervisor=province, name=f"郑州市第{i + 1}中学", serial=7400 + i)
        for i in range(SCHOOLS)
    ]
    _client, key = make_api_client(
        organisation=province, scopes=["sanctions:check"], rate_limit_per_minute=10_000_000
    )
    cluster.start()
    cluster.copy_in(child_database_url(), DATABASE)
    port = _free_port()
    server = _serve(cluster, port)
    url = f"http://127.0.0.1:{port}/api/sanctions/check"
    usccs = [str(school.uscc) for school in schools]

    def output() -> str:
        return (cluster.dir / "server.log").read_text(errors="replace")[-3000:]

    loads: list[Load] = []

    def start_load() -> Load:
        loads.append(Load(url, key, usccs, prefix=f"OUTAGE-{len(loads)}"))
        return loads[-1]

    try:
        probe = {"uscc": usccs[0], "scenario": "teacher_qualification", "reference": "PROBE"}
        wait_until(
            lambda: server.poll() is not None or _check(url, key, probe).status == 200,
            timeout=90,
            what="the server to answer",
        )
        assert server.poll() is None, output()
        # The worker processes and the sequencer beside them.
        wait_until(
            lambda: len(children_of(server.pid)) >= SERVER_WORKERS + 1, timeout=30, what="workers"
        )
        processes = set(children_of(server.pid))

        # 1. The cluster stops under load and starts again.
        load = start_load()
        began = time.monotonic()
        wait_until(lambda: len(load.since(began)) >= 60, timeout=120, what="checks before")
        stopping = time.monotonic()
        cluster.stop()
        down = time.monotonic()
        wait_until(lambda: len(load.since(down)) >= 60, timeout=120, what="checks in the outage")
        starting = time.monotonic()
        cluster.start()
        up = time.monotonic()
        wait_until(lambda: len(load.since(up)) >= 90, timeout=120, what="checks after")
        load.stop()

        # 2. The cluster restarts while nobody checks (a night-time restart): every process
        # holds a kept connection that died without any request failing on it.
        cluster.stop()
        cluster.start()
        quiet = start_load()
        restarted = time.monotonic()
        wait_until(lambda: len(quiet.since(restarted)) >= 60, timeout=120, what="checks")
        quiet.stop()
        still = set(children_of(server.pid))
        server_alive = server.poll() is None
    finally:
        for running in loads:
            running.stop()
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    assert server_alive, output()
    answers = load.answers
    # No request went unanswered, and nothing but a verdict or "unavailable" came back.
    for every in (load.answers, quiet.answers):
        assert not [a for a in every if a.status == 0], [a for a in every if a.status == 0][:3]
        assert {a.status for a in every} <= {200, 503}, [
            (a.status, a.body) for a in every if a.status not in (200, 503)
        ][:3]
        assert all(_unavailable(a) for a in every if a.status == 503)
    # Before the outage every check was answered.
    assert all(a.status == 200 for a in answers if a.ended < stopping)
    # While the cluster was down: 503 with Retry-After, never "clear".
    outage = [a for a in answers if a.started >= down and a.ended <= starting]
    assert len(outage) >= 60
    assert all(_unavailable(a) for a in outage), [(a.status, a.body) for a in outage][:3]
    # Back: every check started after the cluster accepted connections again is answered, by
    # the very processes that answered before.
    recovered = [a for a in answers if a.started >= up]
    assert len(recovered) >= 90
    assert [(a.status, a.body) for a in recovered if a.status != 200] == [], output()
    # After the quiet restart: every check answered, none spent on a dead connection.
    assert [(a.status, a.body) for a in quiet.answers if a.status != 200] == [], output()
    assert still == processes, "the server's worker processes were restarted"

    # Every answered check is in the query log, with the verdict it was answered.
    answered = {
        a.body["check_id"]: a.body["verdict"]
        for a in load.answers + quiet.answers
        if a.status == 200 and a.body
    }
    import psycopg

    with psycopg.connect(cluster.url(DATABASE)) as conn:
        logged: dict[str, str] = dict(
            conn.execute(
                f"SELECT public_id::text, verdict FROM {ScreeningCheck._meta.db_table}"
                " WHERE reference LIKE %s",
                ["OUTAGE-%"],
            ).fetchall()
        )
    assert {check_id: logged.get(check_id) for check_id in answered} == answered
    # … and the audit log, once sequenced, verifies.
    sequenced = _educredit(cluster, "audit", "sequence")
    assert sequenced.returncode == 0, sequenced.stderr
    verified = _educredit(cluster, "audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
