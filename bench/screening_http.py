"""Benchmark: the single check over HTTP on the production server, next to a floor view and a
bare view.

    .venv/bin/python bench/screening_http.py                 # 20 s per load, 32 connections
    .venv/bin/python bench/screening_http.py --seconds 5     # quick

1. Creates (dropping first) the PostgreSQL database ``educredit_bench_http`` (``BENCH_PG``
   overrides postgres://postgres@127.0.0.1:5432), migrates it and fills it with the demo
   province (``educredit demo``, ``--scale``: its institutions, people, records and the
   restrictions they carry), plus an API client with ``sanctions:check``.
2. Starts the production server exactly as ``educredit serve`` does (granian, WSGI, one
   thread per worker process, persistent database connections) in the production profile
   (``EDUCREDIT_CACHE_URL`` = Redis on 127.0.0.1:6379, ``BENCH_REDIS`` overrides: the rate
   limit's counters), with two extra URLs (``bench/http_bare``) behind the same middleware: a
   bare view returning a constant JSON body, and the **floor view** — one indexed read of a
   restriction row and one INSERT of a narrow log row, autocommit: the least a logged check
   can do. The sequencer runs beside it (``educredit audit sequence --loop``), as in
   production, so the log keeps up with the checks.
3. Drives each with wrk (Debian's package; ``--connections`` concurrent clients, 2 threads),
   after a warm-up: ``GET /bench/constant``; ``POST /bench/floor`` and ``POST
   /api/sanctions/check`` with the key, cycling through bodies for the province's subjects —
   persons by resident-ID number with their name, institutions by USCC, one body in ten a
   subject under a measure — each check answered, logged as a ``ScreeningCheck`` and audited.
Prints requests per second and p50/p99 latency of the three, and the ratios (targets: the
check ≥ 0.6 × the floor's requests per second and ≥ 0.2 × the bare view's, check p99 ≤ 2 × the
floor's p99); checks that every 200 the check answered left exactly one ``ScreeningCheck`` row
and that the sequencer integrated every queued entry within the merge delay. Drops the
database at the end, also on failure.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = os.environ.get("BENCH_DB", "educredit_bench_http")
ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/13")
SCENARIO = "teacher_qualification"
BODIES = 2000
FLOOR_TABLE = (
    "CREATE TABLE bench_floor_log (id bigserial PRIMARY KEY, person_id bigint NOT NULL, "
    "verdict varchar(20) NOT NULL, reference varchar(100) NOT NULL, "
    "created_at timestamptz NOT NULL DEFAULT now())"
)


def admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def educredit(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 (our own command)
        [str(BIN / "educredit"), *args], env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


def check_bodies(limit: int) -> list[dict[str, str]]:
    """Bodies for subjects the province holds: one in ten under a measure in the scenario."""
    from educredit.sanctions.models import Restriction
    from educredit.subjects.models import Institution, Person
    from educredit.subjects.services import person_document_number

    restricted_people = set(
        Restriction.objects.filter(person__isnull=False).values_list("person_id", flat=True)
    )
    restricted_institutions = set(
        Restriction.objects.filter(institution__uscc__isnull=False).values_list(
            "institution_id", flat=True
        )
    )
    people = list(Person.objects.order_by("pk")[: limit // 2])
    people += list(Person.objects.filter(pk__in=restricted_people))
    institutions = list(Institution.objects.exclude(uscc=None).order_by("pk")[: limit // 2])
    institutions += list(Institution.objects.filter(pk__in=restricted_institutions))

    def person_body(person: Any) -> dict[str, str]:
        return {
            "document_type": person.document_type,
            "document_number": person_document_number(person),
            "name": person.name,
        }

    plain = [person_body(p) for p in people if p.pk not in restricted_people]
    plain += [{"uscc": i.uscc} for i in institutions if i.pk not in restricted_institutions]
    hits = [person_body(p) for p in people if p.pk in restricted_people]
    hits += [{"uscc": i.uscc} for i in institutions if i.pk in restricted_institutions]
    bodies: list[dict[str, str]] = []
    for n, body in enumerate(plain):
        bodies.append(body)
        if n % 9 == 8 and hits:
            bodies.append(hits[(n // 9) % len(hits)])
    return [
        {**body, "scenario": SCENARIO, "reference": f"BENCH-{n:06d}"}
        for n, body in enumerate(bodies)
    ]


def lua_script(path: Path, key: str, bodies: list[dict[str, str]]) -> None:
    """A wrk script posting the bodies in turn, each connection from its own offset."""
    # ASCII JSON (names as \u escapes) in Lua long brackets: no Lua escaping needed.
    lines = ",\n".join(f"[==[{json.dumps(body)}]==]" for body in bodies)
    path.write_text(
        f"""wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer {key}"
wrk.headers["Content-Type"] = "application/json"
local bodies = {{
{lines}
}}
local n = math.random(#bodies)
request = function()
  n = n % #bodies + 1
  return wrk.format("POST", wrk.path, wrk.headers, bodies[n])
end
""",
        encoding="utf-8",
    )


def wrk(url: str, *, seconds: int, connections: int, script: Path | None) -> dict[str, Any]:
    argv = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if script is not None:
        argv += ["-s", str(script)]
    out = subprocess.run([*argv, url], check=True, capture_output=True, text=True).stdout  # noqa: S603

    def latency(label: str) -> float:
        found = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
        if found is None:
            raise RuntimeError(f"wrk printed no {label} latency:\n{out}")
        value, unit = float(found.group(1)), found.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    if rps is None or total is None:
        raise RuntimeError(f"wrk printed no rate:\n{out}")
    return {
        "rps": float(rps.group(1)),
        "requests": int(total.group(1)),
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": errors.group(1) if errors else "",
        "p50": latency("50%"),
        "p99": latency("99%"),
    }


TICK = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of the processes (utime and stime in /proc/<pid>/stat)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / TICK


def _tree(pid: int) -> list[int]:
    found = [pid]
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        found += _tree(int(child))
    return found


def _backends(role: str) -> list[int]:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND application_name LIKE %s",
            [DB, f"educredit {role}%"],
        ).fetchall()
    return [int(row[0]) for row in rows]


def cpu_sample(server: int, sequencer: int) -> dict[str, float]:
    """CPU seconds so far of the web server's processes, the PostgreSQL backends serving
    them, and the sequencer with its backend: what a load costs, whatever else the machine
    runs (its figures per request stay comparable when the requests per second do not)."""
    return {
        "server": _cpu_seconds(_tree(server)),
        "postgres": _cpu_seconds(_backends("web")),
        "sequencer": _cpu_seconds(_tree(sequencer) + _backends("sequencer")),
    }


def measured(url: str, server: int, sequencer: int, **load: Any) -> dict[str, Any]:
    """wrk's figures and the CPU the load cost per request (µs), by part."""
    before = cpu_sample(server, sequencer)
    figures = wrk(url, **load)
    after = cpu_sample(server, sequencer)
    requests = max(1, figures["requests"])
    figures["cpu"] = {part: (after[part] - before[part]) / requests * 1e6 for part in after}
    return figures


def wait_for(url: str, timeout: float = 60.0) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 (loopback)
                if answer.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def run(args: argparse.Namespace, workdir: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"{PG}/{DB}",
        "EDUCREDIT_VAR_DIR": str(workdir / "var"),
        "EDUCREDIT_KEY_FILE": str(workdir / "keys.json"),
        "PYTHONPATH": str(ROOT / "bench"),
    }
    os.environ.update(
        {k: env[k] for k in ("DATABASE_URL", "EDUCREDIT_VAR_DIR", "EDUCREDIT_KEY_FILE")}
    )
    started = time.perf_counter()
    educredit(env, "migrate", "--no-input", "-v", "0")
    educredit(env, "demo", "--scale", str(args.scale))
    key = educredit(
        env,
        "apiclient",
        "create",
        "--org",
        "河南省教育厅",
        "--name",
        "bench",
        "--scopes",
        "sanctions:check",
        "--rate",
        "100000000",
    ).split()[-1]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "educredit.settings")
    import django

    django.setup()
    from django.db import connection
    from django.db.models import F

    from educredit.audit.models import AuditEntry, AuditQueuedLeaf
    from educredit.core.management.commands.serve import default_workers, granian_argv
    from educredit.sanctions.models import ScreeningCheck

    bodies = check_bodies(BODIES)
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_TABLE)
    connection.close()
    script = workdir / "check.lua"
    lua_script(script, key, bodies)
    print(f"setup: {time.perf_counter() - started:.0f} s; {len(bodies)} check bodies", flush=True)

    import redis

    redis.Redis.from_url(REDIS).flushdb()
    port = free_port()
    workers = args.workers or default_workers()
    server_env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "http_bare.settings",
        "EDUCREDIT_DB_CONN_AGE": "600",
        "EDUCREDIT_CACHE_URL": REDIS,
    }
    argv = granian_argv(address=f"127.0.0.1:{port}", workers=workers, access_log=False)
    server = subprocess.Popen(argv, env=server_env, start_new_session=True)  # noqa: S603
    sequencer = subprocess.Popen(  # noqa: S603 (our own command)
        [str(BIN / "educredit"), "audit", "sequence", "--loop"],
        env=server_env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
    )
    profiler = None
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/bench/constant")
        load = {"seconds": args.seconds, "connections": args.connections}
        warm = {"seconds": 3, "connections": args.connections}
        wrk(f"{base}/bench/constant", script=None, **warm)
        bare = measured(f"{base}/bench/constant", server.pid, sequencer.pid, script=None, **load)
        wrk(f"{base}/bench/floor", script=script, **warm)
        floor = measured(f"{base}/bench/floor", server.pid, sequencer.pid, script=script, **load)
        wrk(f"{base}/api/sanctions/check", script=script, **warm)
        warmed = ScreeningCheck.objects.count()
        connection.close()
        if args.profile:
            profiler = start_profiler(server.pid, workdir)
        check = measured(
            f"{base}/api/sanctions/check", server.pid, sequencer.pid, script=script, **load
        )
        if profiler is not None:
            stop_profiler(profiler)
        logged = ScreeningCheck.objects.count() - warmed
        # The sequencer keeps up: within the merge delay (2 s) nothing is left queued.
        time.sleep(2.5)
        queued = AuditQueuedLeaf.objects.count()
        late = AuditEntry.objects.filter(
            merge_deadline__isnull=False, sequenced__integrated_at__gt=F("merge_deadline")
        ).count()
        connection.close()
    finally:
        for process in (sequencer, server):
            os.killpg(process.pid, signal.SIGTERM)
        for process in (sequencer, server):
            process.wait(timeout=30)
    print(
        f"server: granian, WSGI, {workers} worker processes × 1 thread, cache Redis; "
        f"sequencer loop beside it; wrk -t2 -c{args.connections} -d{args.seconds}s"
    )
    for label, figures in (
        ("bare view (constant JSON)", bare),
        ("floor view (read + INSERT)", floor),
        ("check (POST, logged)", check),
    ):
        print(
            f"{label:28} {figures['rps']:9.1f} req/s   p50 {figures['p50']:8.2f} ms   "
            f"p99 {figures['p99']:8.2f} ms   non-2xx {figures['non2xx']}   "
            f"{figures['socket_errors']}"
        )
        cpu = figures["cpu"]
        print(
            f"{'':28} CPU per request: server {cpu['server']:7.0f} µs, PostgreSQL "
            f"{cpu['postgres']:7.0f} µs, sequencer {cpu['sequencer']:6.0f} µs"
        )
    print(
        f"check / floor requests per second: {check['rps'] / floor['rps']:.3f} (target ≥ 0.6); "
        f"check / bare: {check['rps'] / bare['rps']:.3f} (target ≥ 0.2); "
        f"check p99 / floor p99: {check['p99'] / floor['p99']:.2f} (target ≤ 2)"
    )

    def cost(figures: dict[str, Any]) -> float:
        return float(sum(figures["cpu"].values()))

    print(
        f"CPU per request, all parts: check / floor {cost(check) / cost(floor):.2f} (the "
        f"throughput ratio a CPU-bound machine allows: {cost(floor) / cost(check):.3f})"
    )
    if bare["non2xx"] or floor["non2xx"] or check["non2xx"]:
        raise SystemExit("some requests were not answered 200: the figures do not count")
    answered = check["requests"]
    # wrk counts only completed responses: a request cut off at the end of the warm-up or of
    # the run (at most one per connection each time) may still be logged.
    print(f"checks answered 200: {answered}; ScreeningCheck rows written meanwhile: {logged}")
    print(
        f"entries still queued 2.5 s after the load: {queued}; integrated after their "
        f"merge deadline: {late}"
    )
    if not answered <= logged <= answered + 2 * args.connections:
        raise SystemExit("the number of logged checks does not match the answers")
    if queued or late:
        raise SystemExit("the sequencer did not keep up with the checks")


def start_profiler(server_pid: int, workdir: Path) -> list[subprocess.Popen[bytes]]:
    """py-spy on every worker process of the server (``--profile``; pip install py-spy)."""
    children = subprocess.run(  # noqa: S603
        ["/usr/bin/pgrep", "-P", str(server_pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    return [
        subprocess.Popen(  # noqa: S603
            [
                str(BIN / "py-spy"),
                "record",
                "-p",
                pid,
                "-f",
                "raw",
                "-o",
                str(ROOT / f"bench-profile-{pid}.txt"),
                "-r",
                "200",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for pid in children
    ]


def stop_profiler(profilers: list[subprocess.Popen[bytes]]) -> None:
    for process in profilers:
        process.send_signal(signal.SIGINT)
    for process in profilers:
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--scale", type=float, default=0.0005)
    parser.add_argument("--workers", type=int, default=0, help="default: as educredit serve")
    parser.add_argument("--profile", action="store_true", help="py-spy the check's workers")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: scripts/apt-install wrk (make bench does)")
    sys.path.insert(0, str(ROOT / "bench"))
    admin(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    admin(f"CREATE DATABASE {DB}")
    workdir = Path(tempfile.mkdtemp(prefix="educredit-bench-http-"))
    try:
        run(args, workdir)
    finally:
        from django.db import connections

        connections.close_all()
        admin(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
