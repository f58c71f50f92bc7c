"""The 承诺编码: well formed, the accepting body's region, unique across signings."""

from __future__ import annotations

import datetime
import threading
from typing import Any

import pytest
from django.db import connection, connections
from hypothesis import given
from hypothesis import strategies as st

from educredit.commitments import codes
from educredit.commitments.choices import CommitmentChannel
from educredit.commitments.selectors import matter_in_force
from educredit.commitments.services import commitment_sign
from educredit.core import clock

regions = st.from_regex(r"\A[1-8]\d{5}\Z", fullmatch=True)
days = st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2099, 12, 31))
serials = st.integers(min_value=1, max_value=codes.SERIAL_MAX)


@given(region=regions, day=days, serial=serials)
def test_a_code_is_twenty_digits_that_parse_back_to_its_parts(
    region: str, day: datetime.date, serial: int
) -> None:
    code = codes.format_commitment_code(region, day, serial)
    assert len(code) == codes.CODE_LENGTH
    assert code.isdigit()
    assert codes.parse_commitment_code(code) == codes.CommitmentCode(region, day, serial)


@given(text=st.text(max_size=25))
def test_anything_that_is_not_a_code_is_refused_and_anything_accepted_is_one(text: str) -> None:
    try:
        parsed = codes.parse_commitment_code(text)
    except codes.CommitmentCodeError:
        return
    assert str(parsed) == text


@pytest.mark.parametrize(
    "code",
    [
        "41010220260230000001",  # 30 February
        "41010220261301000001",  # month 13
        "41010220260101000000",  # serial 0
        "4101022026010100000",  # 19 digits
        "41010220260101O00001",  # a letter O
    ],
)
def test_malformed_codes_are_refused(code: str) -> None:
    with pytest.raises(codes.CommitmentCodeError):
        codes.validate_commitment_code(code)


def _sign(actor: Any, matter: Any, school: Any, scan: Any) -> Any:
    return commitment_sign(
        actor=actor,
        matter=matter,
        institution=school,
        channel=CommitmentChannel.STAFF,
        scan=scan,
    ).commitment


@pytest.mark.django_db
def test_signings_get_distinct_codes_of_the_body_region_and_the_beijing_date(
    shipped: Any, approver: Any, school: Any, scan: Any
) -> None:
    matter = matter_in_force("CN-MB-02")
    signed = [_sign(approver, matter, school, scan) for _ in range(15)]
    found = [codes.parse_commitment_code(c.code) for c in signed]
    assert len({c.code for c in signed}) == len(signed)
    assert {f.region_code for f in found} == {approver.organisation.region_code}
    assert {f.day for f in found} == {clock.today()}
    assert sorted(f.serial for f in found) == list(range(1, 16))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="threads need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_signings_on_postgresql_never_share_a_code(
    shipped: Any, approver: Any, school: Any
) -> None:
    import io

    from educredit.commitments.models import Commitment
    from educredit.commitments.tests.conftest import PDF

    matter = matter_in_force("CN-MB-02")
    threads, errors = 8, []
    per_thread = 4
    barrier = threading.Barrier(threads)

    def work() -> None:
        try:
            barrier.wait()
            for _ in range(per_thread):
                scan = io.BytesIO(PDF)
                scan.name = "scan.pdf"
                _sign(approver, matter, school, scan)
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    made = list(Commitment.objects.values_list("code", flat=True))
    assert len(made) == threads * per_thread
    assert len(set(made)) == len(made)
    assert sorted(codes.parse_commitment_code(c or "").serial for c in made) == list(
        range(1, threads * per_thread + 1)
    )
