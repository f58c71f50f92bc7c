"""The gate for attached documents (a scanned letter, repair proofs, objection evidence):
PDF, JPG or PNG by content, within the size limit, with its digest."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pytest

from educredit.core import uploads

PDF = b"%PDF-1.4\n% letter\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def _named(content: bytes, name: str) -> io.BytesIO:
    handle = io.BytesIO(content)
    handle.name = name
    return handle


def test_a_pdf_passes_with_its_digest_and_the_stream_is_rewound() -> None:
    handle = _named(PDF, "承诺书.PDF")
    checked = uploads.document_check(handle)
    assert (checked.extension, checked.content_type) == ("pdf", "application/pdf")
    assert checked.sha256 == hashlib.sha256(PDF).hexdigest() and checked.size == len(PDF)
    assert handle.tell() == 0


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"", "a.pdf", uploads.EMPTY),
        (PDF, "a.exe", uploads.WRONG_TYPE),
        (b"MZ\x90\x00", "a.pdf", uploads.WRONG_TYPE),  # a PDF's name on a program
        (PNG, "a.pdf", uploads.WRONG_TYPE),  # a PNG named as a PDF
    ],
)
def test_refused_with_the_reason(content: bytes, name: str, code: str) -> None:
    with pytest.raises(uploads.UploadRefusedError) as refused:
        uploads.document_check(_named(content, name))
    assert refused.value.code == code and refused.value.zh and refused.value.en


def test_the_size_limit_is_a_setting(settings: Any) -> None:
    settings.EDUCREDIT_DOCUMENT_MAX_BYTES = 16
    with pytest.raises(uploads.UploadRefusedError) as refused:
        uploads.document_check(_named(PDF + b"0" * 16, "a.pdf"))
    assert refused.value.code == uploads.TOO_LARGE


def test_without_the_name_the_content_decides() -> None:
    checked = uploads.document_check(_named(PNG, "evidence"), check_name=False)
    assert (checked.extension, checked.content_type) == ("png", "image/png")
