"""The test database as a URL another process can open (a server, a scheduler, a worker)."""

from __future__ import annotations

import pytest
from django.db import connection


def child_database_url() -> str:
    """``DATABASE_URL`` for a child process to reach this test's PostgreSQL database.

    Skips the test when the database needs a password: it is not handed to children."""
    db = connection.settings_dict
    if db.get("PASSWORD"):
        pytest.skip("a password-protected database is not passed to child processes")
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{db['USER']}@{host}:{port}/{db['NAME']}"
