"""The demo's credit commitments (issue 16's walk): what a new user finds on the commitment
pages — commitments the county entered from paper letters, their check tasks, and a sampling
draw to redo.

Idempotent like the rest of the demo: once the training institution has commitments, nothing
is added.
"""

from __future__ import annotations

import io

from educredit.accounts.models import User
from educredit.commitments.checks.verification import verification_plan_run
from educredit.commitments.models import Commitment
from educredit.commitments.selectors import matter_in_force
from educredit.commitments.services import commitment_sign
from educredit.subjects.models import Institution, Person

# Matters of the walk: a licence change checked online, a statistics report checked in
# writing (every one), title applications sampled at 20 %.
LICENCE_CHANGE = "CN-MB-02"
STATISTICS = "CN-TJ-01"
TITLES = "CN-ZC-01"
TITLE_APPLICANTS = 6


def _scan() -> io.BytesIO:
    """A one-page PDF standing in for the scanned paper letter."""
    text = b"BT /F1 14 Tf 72 760 Td (EduCredit demo: scanned commitment letter) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    handle = io.BytesIO(out.getvalue())
    handle.name = "承诺书扫描件.pdf"
    return handle


def demo_commitments(*, clerk: User, training: Institution, teachers: list[Person]) -> None:
    """Commitments the county's clerk entered from paper letters: the training institution's
    licence change and statistics report, and title applications of the county's teachers,
    then the day's check plan (tasks, and one draw of the sampled title applications)."""
    if Commitment.objects.filter(institution=training).exists():
        return
    for code, reason in (
        (LICENCE_CHANGE, "申请变更办学地址（演示）"),
        (STATISTICS, "报送 2026 年教育事业统计数据（演示）"),
    ):
        matter = matter_in_force(code)
        if matter is None:
            return
        commitment_sign(
            actor=clerk, matter=matter, institution=training, scan=_scan(), reason=reason
        )
    titles = matter_in_force(TITLES)
    if titles is not None:
        for teacher in teachers[:TITLE_APPLICANTS]:
            commitment_sign(
                actor=clerk,
                matter=titles,
                person=teacher,
                scan=_scan(),
                reason="申报中小学一级教师职称（演示）",
            )
    verification_plan_run()
