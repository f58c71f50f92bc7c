"""The one gate every uploaded spreadsheet passes before anything parses or stores it (ADR 0031).

``upload_check`` refuses a file that is too large, empty, whose name does not end in an
allowed extension, whose first bytes are not what that extension promises (an XLSX is a zip; a
CSV is text, never a zip, an old OLE ``.xls``, binary, a PDF or markup such as HTML), or an
XLSX that is a zip bomb. The refusal (``UploadRefusedError``) carries a ``code`` saying which
(an API answers by it: 413, 400 or 415) and its message in both languages; no message quotes
the file's content. ``heading_rows`` reads the first row of a checked file cheaply, so an
importer can refuse headings it does not understand before it stores or queues anything.
``document_check`` is the same gate for the documents people attach (a scanned letter, proofs,
evidence): PDF, JPG or PNG, judged by the first bytes, with its digest.
``xlsx_check`` inspects the zip's directory (``zipfile.infolist``, nothing is
decompressed) before openpyxl ever opens it: too many members, too much in total once
uncompressed, or one member compressed suspiciously well. ``zipfile`` never inflates a member
past the size its directory declares, so the declared sizes bound what openpyxl will read.

XML external entities: openpyxl parses with defusedxml when it is installed, which refuses
entity declarations; this module refuses to load without it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import openpyxl
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

from educredit.core.i18n import english

if not openpyxl.DEFUSEDXML:
    # Without defusedxml, openpyxl resolves entities in a workbook's XML (XXE).
    raise ImproperlyConfigured(
        "openpyxl must parse with defusedxml: install defusedxml (a dependency of EduCredit)"
    )

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
# Text that is a document, not a table: a PDF, RTF, or markup (HTML, XML, SVG) — whatever its
# name says. No importer's heading row starts with "<".
DOCUMENT_MAGIC = (b"%PDF-", b"{\\rtf")
MARKUP = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*<[!?/A-Za-z]")
BOM = b"\xef\xbb\xbf"
CSV = "csv"
XLSX = "xlsx"
SPREADSHEET = frozenset({CSV, XLSX})
WORKBOOK = frozenset({XLSX})
HEAD_BYTES = 4096
# A member smaller than this is never judged by its ratio: tiny XML parts compress oddly well.
RATIO_MIN_BYTES = 1024 * 1024


# Why an upload was refused (``UploadRefusedError.code``).
TOO_LARGE = "too_large"  # over the size limit
EMPTY = "empty"  # no content, or only blanks
WRONG_TYPE = "wrong_type"  # not an allowed type, by its name or by its content
MALFORMED = "malformed"  # an XLSX that cannot be read, or one that would inflate too much


class UploadRefusedError(ValueError):
    """The upload was refused before it was parsed or stored: ``code`` says why (one of the
    constants above), ``zh`` and ``en`` in both languages, ``str(error)`` in the reader's."""

    def __init__(self, code: str, message: Promise, **params: Any) -> None:
        self.code = code
        self.zh = _rendered(message, params, "zh-hans")
        self.en = _rendered(message, params, "en")
        super().__init__(self.zh)

    def __str__(self) -> str:
        return self.en if english() else self.zh


def _rendered(message: Promise, params: dict[str, Any], language: str) -> str:
    with translation.override(language):
        return str(message) % {name: str(value) for name, value in params.items()}


class _Types:
    """The allowed types as a reader reads them ("CSV 或 XLSX"), in the active language."""

    def __init__(self, allowed: Iterable[str]) -> None:
        self.allowed = allowed

    def __str__(self) -> str:
        return _names(self.allowed, gettext(" 或 "))


def _setting(name: str) -> int:
    return int(getattr(settings, name))


def _size_of(handle: IO[bytes]) -> int:
    position = handle.tell()
    handle.seek(0, 2)
    size = handle.tell()
    handle.seek(position)
    return size


def _sized(upload: Any, limit: int) -> tuple[IO[bytes], int]:
    """The upload's stream and size, refused when it is over ``limit`` or empty."""
    handle: IO[bytes] = getattr(upload, "file", upload)
    size = getattr(upload, "size", None)
    if size is None:
        size = _size_of(handle)
    if size > limit:
        raise UploadRefusedError(
            TOO_LARGE, gettext_lazy("文件过大（上限 %(mb)s MB）"), mb=f"{limit / 1024 / 1024:g}"
        )
    if size == 0:
        raise UploadRefusedError(EMPTY, gettext_lazy("文件为空"))
    return handle, size


def _kind_of_content(head: bytes) -> str | None:
    """``xlsx`` or ``csv`` judged by the first bytes, None for anything else."""
    if head.startswith(XLSX_MAGIC):
        return XLSX
    if head.startswith(OLE_MAGIC) or b"\x00" in head:
        return None
    if head.startswith(DOCUMENT_MAGIC) or MARKUP.match(head):
        return None
    for encoding in ("utf-8", "gb18030"):
        # The head may end inside a multi-byte character: allow up to three bytes cut off.
        for cut in range(4):
            try:
                head[: len(head) - cut].decode(encoding)
            except UnicodeDecodeError:
                continue
            return CSV
    return None


def _names(allowed: Iterable[str], joiner: str) -> str:
    return joiner.join(kind.upper() for kind in sorted(allowed))


def xlsx_check(handle: IO[bytes] | Path) -> None:
    """Refuse an XLSX that is not a zip or would inflate beyond the configured limits."""
    unreadable = UploadRefusedError(MALFORMED, gettext_lazy("无法读取该 Excel 文件"))
    try:
        with zipfile.ZipFile(handle) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise unreadable from None
    finally:
        if not isinstance(handle, Path):
            handle.seek(0)
    bomb = UploadRefusedError(MALFORMED, gettext_lazy("Excel 文件解压后过大或压缩比异常，已拒绝"))
    if len(members) > _setting("EDUCREDIT_UPLOAD_XLSX_MAX_MEMBERS"):
        raise bomb
    if sum(member.file_size for member in members) > _setting(
        "EDUCREDIT_UPLOAD_XLSX_MAX_UNCOMPRESSED"
    ):
        raise bomb
    max_ratio = _setting("EDUCREDIT_UPLOAD_XLSX_MAX_RATIO")
    for member in members:
        if member.file_size >= RATIO_MIN_BYTES and (
            member.file_size > max_ratio * max(member.compress_size, 1)
        ):
            raise bomb


def upload_check(
    upload: Any,
    *,
    allowed: frozenset[str] = SPREADSHEET,
    max_bytes: int | None = None,
    check_name: bool = True,
) -> str:
    """Check an uploaded file (a Django ``UploadedFile`` or a named binary stream) and return
    its kind (``csv`` or ``xlsx``); ``UploadRefusedError`` says why it is refused.

    An empty file (or one of blanks only) is refused. The extension must be one of
    ``allowed`` and agree with the content. With
    ``check_name=False`` (API callers name their files as they like) the content alone
    decides. The stream is left at its start.
    """
    limit = _setting("EDUCREDIT_UPLOAD_MAX_BYTES") if max_bytes is None else max_bytes
    handle, size = _sized(upload, limit)
    suffix = Path(getattr(upload, "name", "") or "").suffix.lower().lstrip(".")
    types = _Types(allowed)
    if not check_name:
        suffix = ""
    elif suffix not in allowed:
        raise UploadRefusedError(WRONG_TYPE, gettext_lazy("请上传 %(types)s 文件"), types=types)
    handle.seek(0)
    head = handle.read(HEAD_BYTES)
    handle.seek(0)
    if size <= HEAD_BYTES and not head.removeprefix(BOM).strip():
        raise UploadRefusedError(EMPTY, gettext_lazy("文件为空"))
    kind = _kind_of_content(head)
    if kind is None or kind not in allowed:
        raise UploadRefusedError(
            WRONG_TYPE, gettext_lazy("无法读取该文件，请上传 %(types)s 文件"), types=types
        )
    if suffix and kind != suffix:
        raise UploadRefusedError(
            WRONG_TYPE, gettext_lazy("文件内容与扩展名 .%(suffix)s 不符"), suffix=suffix
        )
    if kind == XLSX:
        xlsx_check(handle)
    return kind


def _csv_first_rows(head: bytes, *, whole: bool) -> list[list[str]]:
    """The first row of a CSV's first bytes, once per encoding they decode in (UTF-8, then
    GB18030 if it reads differently); none if the row does not end within them."""
    if not whole:
        end = head.find(b"\n")
        if end < 0:
            return []
        head = head[: end + 1]
    rows: list[list[str]] = []
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            continue
        row = [cell.strip() for cell in next(csv.reader(io.StringIO(text, newline="")), [])]
        if row not in rows:
            rows.append(row)
    return rows


HEADING_BYTES = 64 * 1024


def heading_rows(upload: Any, kind: str) -> list[list[str]]:
    """The heading row of a file ``upload_check`` passed as ``kind``, read cheaply: the
    first line of a CSV (as each encoding it may be in reads it: the importer decides on the
    whole file later), the first row of an XLSX's first sheet. Empty if a CSV's first line is
    longer than ``HEADING_BYTES`` (the importer judges it then). An XLSX that openpyxl cannot
    open is refused (``MALFORMED``). The stream is left at its start."""
    handle: IO[bytes] = getattr(upload, "file", upload)
    handle.seek(0)
    try:
        if kind == CSV:
            head = handle.read(HEADING_BYTES + 1)
            return _csv_first_rows(head[:HEADING_BYTES], whole=len(head) <= HEADING_BYTES)
        try:
            book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except Exception:  # openpyxl raises several types for a damaged file
            raise UploadRefusedError(MALFORMED, gettext_lazy("无法读取该 Excel 文件")) from None
        try:
            sheet = book.worksheets[0] if book.worksheets else None
            first = next(sheet.iter_rows(max_row=1, values_only=True), ()) if sheet else ()
            row = ["" if value is None else str(value).strip() for value in first]
        except Exception:
            raise UploadRefusedError(MALFORMED, gettext_lazy("无法读取该 Excel 文件")) from None
        finally:
            book.close()
        while row and not row[-1]:
            row.pop()
        return [row]
    finally:
        handle.seek(0)


# Documents people attach, by the extension a name may carry: (content type, leading bytes).
DOCUMENT_TYPES: dict[str, tuple[str, bytes]] = {
    "pdf": ("application/pdf", b"%PDF-"),
    "jpg": ("image/jpeg", b"\xff\xd8\xff"),
    "jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    "png": ("image/png", b"\x89PNG\r\n\x1a\n"),
}


@dataclass(frozen=True)
class CheckedDocument:
    """An attached document that passed ``document_check``: its type judged by its content."""

    extension: str
    content_type: str
    sha256: str
    size: int


def document_check(upload: Any, *, check_name: bool = True) -> CheckedDocument:
    """Check an attached document (a Django ``UploadedFile`` or a named binary stream): not
    empty, within ``EDUCREDIT_DOCUMENT_MAX_BYTES``, a PDF, JPG or PNG by its first bytes and —
    with ``check_name`` — by its name too. ``UploadRefusedError`` says why not. The stream is
    left at its start."""
    handle, size = _sized(upload, _setting("EDUCREDIT_DOCUMENT_MAX_BYTES"))
    suffix = Path(str(getattr(upload, "name", "") or "")).suffix.lower().lstrip(".")
    if check_name and suffix not in DOCUMENT_TYPES:
        raise UploadRefusedError(WRONG_TYPE, gettext_lazy("仅接受 PDF、JPG、PNG 文件"))
    handle.seek(0)
    head = handle.read(16)
    found = next(
        (
            (extension, content_type)
            for extension, (content_type, magic) in DOCUMENT_TYPES.items()
            if head.startswith(magic)
        ),
        None,
    )
    if found is None or (check_name and DOCUMENT_TYPES[suffix][1] != DOCUMENT_TYPES[found[0]][1]):
        raise UploadRefusedError(
            WRONG_TYPE, gettext_lazy("文件内容不是 PDF、JPG 或 PNG，或与扩展名不符")
        )
    digest = hashlib.sha256()
    handle.seek(0)
    for chunk in iter(lambda: handle.read(65536), b""):
        digest.update(chunk)
    handle.seek(0)
    extension = suffix if check_name else found[0]
    return CheckedDocument(extension, found[1], digest.hexdigest(), size)
