"""Fixtures of the commitments tests: the shipped lists, an accepting body with its codes,
a private school and a teacher."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest

from educredit.accounts.choices import UserRole
from educredit.accounts.services import organisation_update
from educredit.commitments.models import MatterListVersion
from educredit.commitments.services import matter_list_seed
from educredit.exchange.simulator import PlatformSimulator
from educredit.subjects.choices import InstitutionKind
from educredit.subjects.tests.factories import make_institution, make_person, resident_id, uscc
from educredit.testing import factories

PDF = b"%PDF-1.4\n% a scanned commitment letter\n%%EOF\n"


@pytest.fixture
def shipped(province: Any) -> MatterListVersion:
    """The shipped catalog, measure list, templates and matter list (edition 1 of each)."""
    return matter_list_seed(actor="system:test")


@pytest.fixture
def body(county: Any, province_admin: Any) -> Any:
    """The county bureau as an accepting body: region 410102 and its credit code."""
    return organisation_update(
        actor=province_admin,
        organisation=county,
        name=county.name,
        region_code="410102",
        uscc=uscc(900, "410102"),
    )


@pytest.fixture
def approver(body: Any) -> Any:
    """The county's administrator, who accepts commitments (and may review their records)."""
    return factories.make_user(
        organisation=body, username="zy.approver", full_name="中原审批员", roles=[UserRole.ADMIN]
    )


@pytest.fixture
def school(body: Any) -> Any:
    return make_institution(
        supervisor=body,
        name="中原区启航培训学校",
        serial=77,
        kind=InstitutionKind.TRAINING_INSTITUTION,
    )


@pytest.fixture
def teacher(school: Any) -> Any:
    return make_person(institution=school, name="王老师", number=resident_id(11))


@pytest.fixture
def pupil(school: Any) -> Any:
    return make_person(institution=school, name="李小明", number=resident_id(12, born="20150301"))


@pytest.fixture
def scan() -> Any:
    handle = io.BytesIO(PDF)
    handle.name = "承诺书.pdf"
    return handle


@pytest.fixture
def platform() -> Iterator[PlatformSimulator]:
    """The provincial platform's simulator on loopback (as the exchange tests run it)."""
    sim = PlatformSimulator("127.0.0.1", 0).start()
    yield sim
    sim.stop()
