"""The one gate every uploaded spreadsheet passes before anything parses or stores it (ADR 0031).

``upload_check`` refuses, with a bilingual message, a file that is too large, whose name
does not end in an allowed extension, whose first bytes are not what that extension promises
(an XLSX is a zip; a CSV is text, never a zip, an old OLE ``.xls`` or binary), or an XLSX that
is a zip bomb. ``xlsx_check`` inspects the zip's directory (``zipfile.infolist``, nothing is
decompressed) before openpyxl ever opens it: too many members, too much in total once
uncompressed, or one member compressed suspiciously well. ``zipfile`` never inflates a member
past the size its directory declares, so the declared sizes bound what openpyxl will read.

XML external entities: openpyxl parses with defusedxml when it is installed, which refuses
entity declarations; this module refuses to load without it.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import openpyxl
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

if not openpyxl.DEFUSEDXML:
    # Without defusedxml, openpyxl resolves entities in a workbook's XML (XXE).
    raise ImproperlyConfigured(
        "openpyxl must parse with defusedxml: install defusedxml (a dependency of EduCredit)"
    )

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
CSV = "csv"
XLSX = "xlsx"
SPREADSHEET = frozenset({CSV, XLSX})
WORKBOOK = frozenset({XLSX})
HEAD_BYTES = 4096
# A member smaller than this is never judged by its ratio: tiny XML parts compress oddly well.
RATIO_MIN_BYTES = 1024 * 1024


class UploadRefusedError(ValueError):
    """The upload was refused before it was parsed or stored ("中文 / English" message)."""


def _setting(name: str) -> int:
    return int(getattr(settings, name))


def _size_of(handle: IO[bytes]) -> int:
    position = handle.tell()
    handle.seek(0, 2)
    size = handle.tell()
    handle.seek(position)
    return size


def _kind_of_content(head: bytes) -> str | None:
    """``xlsx`` or ``csv`` judged by the first bytes, None for anything else."""
    if head.startswith(XLSX_MAGIC):
        return XLSX
    if head.startswith(OLE_MAGIC) or b"\x00" in head:
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
    unreadable = UploadRefusedError(_("无法读取该 Excel 文件"))
    try:
        with zipfile.ZipFile(handle) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise unreadable from None
    finally:
        if not isinstance(handle, Path):
            handle.seek(0)
    bomb = UploadRefusedError(_("Excel 文件解压后过大或压缩比异常，已拒绝"))
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

    The extension must be one of ``allowed`` and agree with the content. With
    ``check_name=False`` (API callers name their files as they like) the content alone
    decides. The stream is left at its start.
    """
    limit = _setting("EDUCREDIT_UPLOAD_MAX_BYTES") if max_bytes is None else max_bytes
    handle: IO[bytes] = getattr(upload, "file", upload)
    size = getattr(upload, "size", None)
    if size is None:
        size = _size_of(handle)
    if size > limit:
        raise UploadRefusedError(
            _("文件过大（上限 %(mb)s MB）") % {"mb": f"{limit / 1024 / 1024:g}"}
        )
    suffix = Path(getattr(upload, "name", "") or "").suffix.lower().lstrip(".")
    types = {"types": _names(allowed, _(" 或 "))}
    if not check_name:
        suffix = ""
    elif suffix not in allowed:
        raise UploadRefusedError(_("请上传 %(types)s 文件") % types)
    handle.seek(0)
    head = handle.read(HEAD_BYTES)
    handle.seek(0)
    kind = _kind_of_content(head)
    if kind is None or kind not in allowed:
        raise UploadRefusedError(_("无法读取该文件，请上传 %(types)s 文件") % types)
    if suffix and kind != suffix:
        raise UploadRefusedError(_("文件内容与扩展名 .%(suffix)s 不符") % {"suffix": suffix})
    if kind == XLSX:
        xlsx_check(handle)
    return kind
