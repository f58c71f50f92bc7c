"""Files the demo hands to a new user to try the imports with.

``penalty_sample_write`` writes the spreadsheet issue 4's walk starts from: 200 行政处罚 decisions
of a county bureau in the national layout, headed by the standard's Chinese field names, encoded
in GBK (what most bureaus' office software still saves), ten of them wrong in ten different
ways so that the error report has something to say.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path

from educredit.core.identifiers import uscc_check_character
from educredit.disclosure.national import layout
from educredit.subjects.models import Institution

SAMPLE_ROWS = 200
# A valid credit code that names no institution of ours (the "unregistered party" fault).
_STRANGER_FIRST17 = "91410100MA9YYYYY0"
STRANGER_USCC = _STRANGER_FIRST17 + uscc_check_character(_STRANGER_FIRST17)


def _good_row(
    index: int, institution: Institution, *, bureau: str, bureau_uscc: str, decided: dt.date
) -> dict[str, str]:
    fine = f"{0.5 + (index % 7) * 0.25:.2f}"
    return {
        "CF_XDR_MC": institution.name,
        "CF_XDR_LB": "法人及非法人组织",
        "CF_XDR_SHXYM": institution.uscc or "",
        "CF_FRDB": institution.legal_representative or "李明",
        "CF_WSH": f"中教罚〔{decided.year}〕D{index:03d}号",
        "CF_WFXW": "超出办学许可范围开展培训",
        "CF_SY": f"经{decided:%Y年%m月}检查，当事人超出许可范围招收学员（演示第{index}条）。",
        "CF_YJ": "《中华人民共和国民办教育促进法》第六十二条",
        "CF_CFLB": "警告;罚款",
        "CF_NR": f"警告，并处罚款{fine}万元",
        "CF_NR_FK": fine,
        "CF_JDRQ": decided.isoformat(),
        "CF_YXQ": (decided + dt.timedelta(days=365)).isoformat(),
        "CF_CFJG": bureau,
        "CF_CFJGDM": bureau_uscc,
        "CF_SJLY": bureau,
        "CF_SJLYDM": bureau_uscc,
    }


# Ten faults, one per bad row: what a clerk typically gets wrong.
FAULTS: tuple[tuple[str, dict[str, str]], ...] = (
    ("wrong check character", {"CF_XDR_SHXYM": "FIRST17-BAD"}),
    ("no document number", {"CF_WSH": ""}),
    ("unknown category", {"CF_CFLB": "警告;罚金"}),
    ("fine missing", {"CF_NR_FK": ""}),
    ("validity before decision", {"CF_YXQ": "2020-01-01"}),
    ("not a date", {"CF_JDRQ": "2026年13月1日"}),
    ("seven decimals", {"CF_NR_FK": "1.2345678"}),
    ("unregistered party", {"CF_XDR_SHXYM": STRANGER_USCC}),
    ("no facts", {"CF_SY": ""}),
    ("no legal representative", {"CF_FRDB": ""}),
)


def penalty_rows(
    institutions: Sequence[Institution], *, bureau: str, bureau_uscc: str, decided: dt.date
) -> list[dict[str, str]]:
    """200 rows over ``institutions``, every twentieth one with the next fault of ``FAULTS``."""
    rows = []
    for index in range(1, SAMPLE_ROWS + 1):
        institution = institutions[index % len(institutions)]
        row = _good_row(index, institution, bureau=bureau, bureau_uscc=bureau_uscc, decided=decided)
        if index % 20 == 0:
            _, changes = FAULTS[index // 20 - 1]
            row.update(changes)
            if row["CF_XDR_SHXYM"] == "FIRST17-BAD":
                good = institution.uscc or STRANGER_USCC
                wrong = "0" if good[-1] != "0" else "1"
                row["CF_XDR_SHXYM"] = good[:17] + wrong
        rows.append(row)
    return rows


def penalty_sample_write(
    path: Path,
    institutions: Sequence[Institution],
    *,
    bureau: str,
    bureau_uscc: str,
    decided: dt.date,
) -> Path:
    """Write the sample as GBK CSV with the standard's Chinese headings; return its path."""
    fields = [f for f in layout("penalty") if f.code != "CF_GSJZQ"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([f.name for f in fields])
    for row in penalty_rows(institutions, bureau=bureau, bureau_uscc=bureau_uscc, decided=decided):
        writer.writerow([row.get(f.code, "") for f in fields])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue().encode("gbk"))
    return path
