"""The approval system's check in the 告知承诺 scenario (simplified_approval), as tests ask it."""

from __future__ import annotations

from django.test import Client


def simplified_approval_verdict(uscc: str, key: str) -> str:
    """The verdict ``POST /api/sanctions/check`` gives ``uscc`` in ``simplified_approval``."""
    response = Client().post(
        "/api/sanctions/check",
        {"uscc": uscc, "scenario": "simplified_approval", "reference": "GZCN-2026-8"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    if response.status_code != 200:
        raise AssertionError(f"the check answered {response.status_code}: {response.content!r}")
    return str(response.json()["verdict"])
