"""``educredit serve [ADDRESS]``: the production web server (granian, WSGI; ADR 0025).

Django's sync views under WSGI, in ``--workers`` processes of one thread each: a request that
waits on PostgreSQL leaves the core to another process, and no thread holding a row lock (the
audit chain head) ever waits for a GIL held by a sibling thread. Database connections are kept
between requests (``EDUCREDIT_DB_CONN_AGE``, 600 s unless set), so a request does not pay for
a new PostgreSQL session. Put TLS and the static files' caching in front of it (a reverse
proxy); the background worker and the scheduler run as their own services
(``educredit db_worker``, ``educredit scheduler``).

Beside the server runs the audit log's sequencer (``educredit audit sequence --loop``, ADR
0044), as a child that ends with the server: it integrates the entries the requests queue
within the merge delay their receipts promise. Several servers may each run one; they take
turns per batch. ``--no-sequencer`` when the sequencer runs as a service of its own.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

DEFAULT_CONN_AGE = "600"


def default_workers() -> int:
    """Two processes per core and one more: while one waits on the database, another runs."""
    return 2 * (os.cpu_count() or 1) + 1


def granian_argv(*, address: str, workers: int, access_log: bool) -> list[str]:
    """The granian command line for ``address`` (host:port)."""
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise CommandError(f"地址应为 主机:端口 / address must be host:port, not {address!r}")
    return [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "--host",
        host,
        "--port",
        port,
        "--workers",
        str(workers),
        "--blocking-threads",
        "1",
        "--respawn-failed-workers",
        "--access-log" if access_log else "--no-access-log",
        "educredit.wsgi:application",
    ]


class Command(BaseCommand):
    help = "运行生产 Web 服务（granian）/ Run the production web server (granian, WSGI)"
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("address", nargs="?", default="127.0.0.1:8000")
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("EDUCREDIT_WEB_WORKERS", default_workers())),
            help="worker processes (EDUCREDIT_WEB_WORKERS; default 2 × CPUs + 1)",
        )
        parser.add_argument("--access-log", action="store_true", help="log every request")
        parser.add_argument(
            "--no-sequencer",
            action="store_true",
            help="不在本机运行审计排序器 / do not run the audit sequencer beside the server",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["workers"] < 1:
            raise CommandError("--workers 至少为 1 / --workers must be at least 1")
        argv = granian_argv(
            address=options["address"],
            workers=options["workers"],
            access_log=options["access_log"],
        )
        os.environ.setdefault("EDUCREDIT_DB_CONN_AGE", DEFAULT_CONN_AGE)
        if not options["no_sequencer"]:
            # Survives the exec below as the server's child; dies with it (PR_SET_PDEATHSIG).
            subprocess.Popen([sys.executable, "-m", "educredit.cli", "audit", "sequence", "--loop"])
        sys.stdout.flush()
        os.execv(sys.executable, argv)  # noqa: S606 (our own server, fixed arguments)
