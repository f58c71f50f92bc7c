"""The 20-character commitment code (承诺编码, domain rules §4.2).

6-digit GB/T 2260 region of the accepting body + the Beijing date of signing (YYYYMMDD) + a
6-digit serial. The serial comes from one counter row per (region, day), bumped by one
``UPDATE … SET last_serial = last_serial + 1`` in the signing transaction: the UPDATE takes
the row lock (as ``select_for_update`` would), so on PostgreSQL a second signer waits for the
first one's commit and then bumps the committed value; SQLite serialises writers anyway. The
counter row is created with ``ignore_conflicts`` first, so two first signers of a day meet on
one row.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F

from educredit.commitments.models import CommitmentCodeCounter
from educredit.core.i18n import Bilingual

CODE_LENGTH = 20
SERIAL_MAX = 999_999
_SHAPE = re.compile(r"^(\d{6})(\d{8})(\d{6})$")
_REGION = re.compile(r"^\d{6}$")


class CommitmentCodeError(ValueError):
    """A commitment code (or its parts) is not well formed; the message is bilingual."""


@dataclass(frozen=True)
class CommitmentCode:
    """A parsed 承诺编码."""

    region_code: str
    day: datetime.date
    serial: int

    def __str__(self) -> str:
        return f"{self.region_code}{self.day:%Y%m%d}{self.serial:06d}"


def format_commitment_code(region_code: str, day: datetime.date, serial: int) -> str:
    """The code for its three parts (checked)."""
    if not _REGION.match(region_code or ""):
        raise CommitmentCodeError(
            Bilingual(
                f"受理单位行政区划代码应为 6 位数字：{region_code!r}",
                f"the accepting body's region code must be 6 digits: {region_code!r}",
            )
        )
    if not 1 <= serial <= SERIAL_MAX:
        raise CommitmentCodeError(
            Bilingual(
                f"流水号超出范围（1–{SERIAL_MAX}）：{serial}",
                f"serial out of range (1–{SERIAL_MAX}): {serial}",
            )
        )
    return str(CommitmentCode(region_code, day, serial))


def parse_commitment_code(code: str) -> CommitmentCode:
    """The parts of ``code``; ``CommitmentCodeError`` if it is not 20 digits with a real date
    and a serial from 000001."""
    found = _SHAPE.match(code or "")
    if found is None:
        raise CommitmentCodeError(
            Bilingual(
                f"承诺编码应为 {CODE_LENGTH} 位数字：{code!r}",
                f"a commitment code is {CODE_LENGTH} digits: {code!r}",
            )
        )
    region, ymd, serial = found.groups()
    try:
        day = datetime.datetime.strptime(ymd, "%Y%m%d").date()  # noqa: DTZ007 (a date only)
    except ValueError:
        raise CommitmentCodeError(
            Bilingual(
                f"承诺编码中的日期无效：{ymd}", f"the date in the commitment code is invalid: {ymd}"
            )
        ) from None
    if int(serial) == 0:
        raise CommitmentCodeError(
            Bilingual("承诺编码的流水号不能为 000000", "the serial cannot be 000000")
        )
    return CommitmentCode(region, day, int(serial))


def validate_commitment_code(code: str) -> str:
    """``code`` if well formed, else ``CommitmentCodeError``."""
    parse_commitment_code(code)
    return code


def commitment_code_next(*, region_code: str, day: datetime.date) -> str:
    """The next code for (region, day). Call inside the signing transaction: the counter row
    stays locked until it commits, so no two signings share a serial."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("commitment_code_next must run inside the signing transaction")
    format_commitment_code(region_code, day, 1)  # checks the region before touching the table
    CommitmentCodeCounter.objects.bulk_create(
        [CommitmentCodeCounter(region_code=region_code, day=day)], ignore_conflicts=True
    )
    counter = CommitmentCodeCounter.objects.filter(region_code=region_code, day=day)
    counter.update(last_serial=F("last_serial") + 1)
    serial = counter.values_list("last_serial", flat=True).get()
    return format_commitment_code(region_code, day, int(serial))
