"""``educredit serve``: the production server (granian) answers a real check on loopback, and
the sequencer beside it gives the check's entry its place in the log."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from typing import Any

import pytest
from django.core.management.base import CommandError
from django.db import connection

from educredit.audit.checkpoint import key_name, public_key_bytes
from educredit.audit.selectors import entry_for, entry_position
from educredit.audit.timestamps import open_entry_timestamp
from educredit.core.management.commands.serve import granian_argv
from educredit.sanctions.models import ScreeningCheck
from educredit.sanctions.tests import factories
from educredit.subjects.tests.factories import make_institution
from educredit.testing.database import child_database_url
from educredit.testing.factories import make_api_client, make_province

pg_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs a database the server process can reach"
)


def test_an_address_without_a_port_is_refused() -> None:
    with pytest.raises(CommandError, match="host:port"):
        granian_argv(address="localhost", workers=1, access_log=False)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _post(url: str, body: dict[str, Any], key: str) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(  # noqa: S310 (loopback)
        url,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
        return answer.status, json.loads(answer.read())


@pg_only
@pytest.mark.django_db(transaction=True)
def test_pg_serve_answers_a_logged_check_over_http() -> None:
    url = child_database_url()
    factories.shipped_measure_list()
    province = make_province()
    school = make_institution(supervisor=province, name="郑州市第一中学", serial=7301)
    _client, key = make_api_client(organisation=province, scopes=["sanctions:check"])
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 (our own command)
        [sys.executable, "-m", "educredit.cli", "serve", f"127.0.0.1:{port}", "--workers", "2"],
        env={**os.environ, "DATABASE_URL": url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        check_url = f"http://127.0.0.1:{port}/api/sanctions/check"
        body = {"uscc": school.uscc, "scenario": "teacher_qualification", "reference": "S-1"}
        deadline = time.monotonic() + 60
        while True:
            try:
                status, answer = _post(check_url, body, key)
                break
            except (ConnectionError, urllib.error.URLError):
                assert server.poll() is None, server.stderr.read().decode()[-2000:]  # type: ignore[union-attr]
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.3)
        assert status == 200
        assert answer["verdict"] == "clear" and answer["subject_found"] is True
        logged = ScreeningCheck.objects.get(public_id=answer["check_id"])
        assert logged.institution_id == school.pk
        entry = entry_for(logged)
        assert entry is not None and answer["receipt"]["entry_id"] == entry.pk
        # Nobody runs the sequencer here but the server's own companion.
        while entry_position(entry.pk) is None:
            assert time.monotonic() < deadline + 60, "the server's sequencer did not integrate"
            time.sleep(0.2)
        stamp = answer["receipt"]["entry_timestamp"]
        assert open_entry_timestamp(stamp["note"], key_name(), public_key_bytes()) is not None
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
