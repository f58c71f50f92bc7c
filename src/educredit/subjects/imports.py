"""Reading import files and turning their rows into service calls.

Files are CSV (UTF-8 with or without BOM, GBK or GB18030) or XLSX, with Chinese column
headings. They are streamed: a CSV is decoded incrementally and an XLSX is opened read-only,
so memory stays flat whatever the file's size. Each row becomes one call of the subject
services inside its own savepoint: a row is written whole or not at all, and a rejected row
is reported with its number, the offending column and a bilingual reason.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from django.db.models import Q
from django.utils.translation import gettext as _

from educredit.accounts.choices import OrganisationKind
from educredit.accounts.models import Organisation
from educredit.core import uploads
from educredit.core.i18n import shown
from educredit.core.spreadsheet_safety import safe_row, unescape_cell
from educredit.subjects import regions
from educredit.subjects.choices import (
    AffiliationRole,
    DocumentType,
    ImportKind,
    InstitutionKind,
    InstitutionLevel,
    InstitutionOwnership,
)
from educredit.subjects.models import Affiliation, FormerName, ImportRun, Institution
from educredit.subjects.services import (
    SubjectError,
    affiliation_add,
    clean_moe_code,
    clean_uscc,
    institution_register,
    person_register,
)

CHUNK_BYTES = 64 * 1024
XLSX_MAGIC = b"PK\x03\x04"


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (unreadable, wrong type, missing columns)."""


# --- reading files ------------------------------------------------------------------------


WIDE_CHAR = re.compile("[\u0800-\U0010ffff]")
NARROW_CHAR = re.compile("[\u0080-\u07ff]")


def detect_encoding(handle: IO[bytes]) -> str:
    """``utf-8-sig`` if the whole file is UTF-8, else ``gb18030`` (a superset of GBK).

    Decodes incrementally, chunk by chunk, so a large file is never held in memory. Chinese
    text in GBK is almost never valid UTF-8; the rare short exception decodes to two-byte
    characters only (Cyrillic, Greek…), while Chinese in UTF-8 takes three bytes a character:
    such a file is read as GB18030.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    wide = narrow = False
    try:
        while chunk := handle.read(CHUNK_BYTES):
            text = decoder.decode(chunk)
            wide = wide or WIDE_CHAR.search(text) is not None
            narrow = narrow or NARROW_CHAR.search(text) is not None
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "gb18030"
    finally:
        handle.seek(0)
    return "gb18030" if narrow and not wide else "utf-8-sig"


def _cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a user typed (whole numbers without ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    # An error report's cells come back with the quote safe_row put before formula-like text.
    return str(unescape_cell(value)).strip()


def _is_blank(values: list[str]) -> bool:
    return not any(value.strip() for value in values)


class RowSource(AbstractContextManager["RowSource"]):
    """The heading and the data rows of an import file, read lazily.

    ``rows()`` yields ``(row_number, values)`` where ``row_number`` is the line a user sees
    in a spreadsheet (the heading is row 1); blank rows are skipped.
    """

    header: list[str]
    encoding: str
    total: int

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        raise NotImplementedError

    def close(self) -> None:  # pragma: no cover - overridden
        pass

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


@contextmanager
def _decoding() -> Iterator[None]:
    """Bytes no encoding reads become the one ``ImportFileError`` every importer shows —
    never the codec's message, which quotes a byte of the file."""
    try:
        yield
    except UnicodeDecodeError:
        raise ImportFileError(_("文件编码无法识别，请使用 UTF-8 或 GBK")) from None


class CsvSource(RowSource):
    """A CSV file in UTF-8 (BOM or not), GBK or GB18030."""

    def __init__(self, path: Path) -> None:
        self._binary = path.open("rb")
        self.encoding = detect_encoding(self._binary)
        self._text = io.TextIOWrapper(self._binary, encoding=self.encoding, newline="")
        with _decoding():
            reader = csv.reader(self._text)
            self.header = [cell.strip() for cell in next(reader, [])]
            # A counting pass, streamed like the real one, gives the progress bar its total.
            self.total = sum(1 for values in reader if not _is_blank(values))
        self._text.seek(0)

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        with _decoding():
            reader = csv.reader(self._text)
            next(reader, None)
            for values in reader:
                if not _is_blank(values):
                    yield reader.line_num, [value.strip() for value in values]

    def close(self) -> None:
        self._text.close()


class XlsxSource(RowSource):
    """The first worksheet of an XLSX workbook, opened read-only (rows streamed)."""

    def __init__(self, path: Path) -> None:
        from openpyxl import load_workbook

        try:
            self._book = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises several types for a damaged file
            raise ImportFileError(_("无法读取该 Excel 文件")) from exc
        self._sheet = self._book.worksheets[0]
        self.encoding = "xlsx"
        first = next(self._sheet.iter_rows(max_row=1, values_only=True), ())
        self.header = [_cell_text(value) for value in first]
        while self.header and not self.header[-1]:
            self.header.pop()
        # The sheet's recorded dimension; corrected to the rows actually read when done.
        self.total = max((self._sheet.max_row or 1) - 1, 0)

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        width = len(self.header)
        for number, row in enumerate(self._sheet.iter_rows(min_row=2, values_only=True), start=2):
            values = [_cell_text(value) for value in row[:width]]
            values += [""] * (width - len(values))
            if not _is_blank(values):
                yield number, values

    def close(self) -> None:
        self._book.close()


def open_source(path: Path, filename: str) -> RowSource:
    """Open an uploaded file by its content (an XLSX is a zip), refusing other formats."""
    with path.open("rb") as handle:
        magic = handle.read(4)
    suffix = Path(filename).suffix.lower()
    if magic == XLSX_MAGIC:
        try:
            uploads.xlsx_check(path)  # a zip bomb is refused before openpyxl opens it
        except uploads.UploadRefusedError as exc:
            raise ImportFileError(str(exc)) from None
        return XlsxSource(path)
    if suffix in {".xls", ".et"} or magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(_("不支持旧版 .xls 文件，请另存为 .xlsx 或 .csv"))
    return CsvSource(path)


# --- columns ------------------------------------------------------------------------------


def normalise_heading(text: str) -> str:
    """A heading without BOM, spaces, required-markers and full-width brackets."""
    text = text.replace("\ufeff", "").replace("\u3000", "")
    text = re.sub(r"[\s*＊]", "", text)
    return text.replace("（", "(").replace("）", ")").lower()


INSTITUTION_COLUMNS: dict[str, tuple[str, ...]] = {
    "uscc": ("统一社会信用代码", "社会信用代码", "信用代码", "uscc"),
    "moe_code": ("学校标识码", "学校代码", "标识码", "moe_code"),
    "name": ("学校名称", "机构名称", "单位名称", "名称", "name"),
    "supervisor_name": ("主管部门", "主管单位", "举办者", "supervisor"),
    "location": ("所在地", "所在地区", "所在城市", "所在市", "location"),
    "region_code": ("行政区划代码", "区划代码", "region_code"),
    "level": ("办学层次", "层次", "level"),
    "ownership": ("办学性质", "性质", "ownership"),
    "kind": ("机构类型", "学校类型", "类型", "kind"),
    "licence_number": ("办学许可证号", "许可证号", "licence_number"),
    "legal_representative": ("法定代表人", "法人代表", "legal_representative"),
    "remarks": ("备注", "remarks"),
}

PERSON_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "name"),
    "document_type": ("证件类型", "document_type"),
    "id_number": ("证件号码", "身份证号码", "身份证号", "证件号", "id_number"),
    "institution_name": ("任职单位", "所在单位", "工作单位", "学校名称", "就读学校", "institution"),
    "institution_uscc": ("单位统一社会信用代码", "统一社会信用代码", "institution_uscc"),
    "institution_moe_code": ("学校标识码", "institution_moe_code"),
    "role": ("身份", "人员类别", "角色", "role"),
    "started_on": ("起始日期", "开始日期", "入职日期", "入学日期", "started_on"),
    "ended_on": ("结束日期", "离职日期", "毕业日期", "ended_on"),
}

# What a heading stands for in the messages when the file does not have the column.
COLUMN_LABELS: dict[str, str] = {
    "uscc": "统一社会信用代码",
    "moe_code": "学校标识码",
    "name": "名称",
    "region_code": "所在地",
    "kind": "机构类型",
    "level": "办学层次",
    "ownership": "办学性质",
    "supervisor": "主管部门",
    "document_type": "证件类型",
    "id_number": "证件号码",
    "institution": "任职单位",
    "role": "身份",
    "started_on": "起始日期",
    "ended_on": "结束日期",
    "new_name": "名称",
    "institution_name": "任职单位",
    "institution_uscc": "单位统一社会信用代码",
    "institution_moe_code": "学校标识码",
}


def map_columns(header: list[str], columns: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Field name → column index, by the first heading matching one of the field's aliases."""
    normalised = [normalise_heading(cell) for cell in header]
    found: dict[str, int] = {}
    for field_name, aliases in columns.items():
        for alias in aliases:
            wanted = normalise_heading(alias)
            if wanted in normalised:
                index = normalised.index(wanted)
                if index not in found.values():
                    found[field_name] = index
                    break
    return found


# --- values -------------------------------------------------------------------------------


def _lookup(table: dict[str, str], text: str) -> str | None:
    return table.get(normalise_heading(text))


def _choice_table(choices: type[Any], extra: dict[str, str]) -> dict[str, str]:
    """Accept a choice's code, its Chinese label, and the given synonyms."""
    table = {normalise_heading(str(value)): str(value) for value in choices.values if value}
    for value, label in choices.choices:
        if value:
            table[normalise_heading(str(label))] = str(value)
    table.update({normalise_heading(key): value for key, value in extra.items()})
    return table


KIND_VALUES = _choice_table(
    InstitutionKind,
    {
        "高校": InstitutionKind.UNIVERSITY,
        "普通高等学校": InstitutionKind.UNIVERSITY,
        "大学": InstitutionKind.UNIVERSITY,
        "中职": InstitutionKind.VOCATIONAL_SCHOOL,
        "中职学校": InstitutionKind.VOCATIONAL_SCHOOL,
        "中学": InstitutionKind.SECONDARY_SCHOOL,
        "初中": InstitutionKind.SECONDARY_SCHOOL,
        "高中": InstitutionKind.SECONDARY_SCHOOL,
        "培训机构": InstitutionKind.TRAINING_INSTITUTION,
    },
)
LEVEL_VALUES = _choice_table(
    InstitutionLevel,
    {"高职": InstitutionLevel.JUNIOR_COLLEGE, "高职(专科)": InstitutionLevel.JUNIOR_COLLEGE},
)
OWNERSHIP_VALUES = _choice_table(InstitutionOwnership, {"公立": "public", "私立": "private"})
DOCUMENT_VALUES = _choice_table(
    DocumentType,
    {
        "身份证": DocumentType.RESIDENT_ID,
        "二代身份证": DocumentType.RESIDENT_ID,
        "港澳通行证": DocumentType.HK_MACAO_PERMIT,
        "回乡证": DocumentType.HK_MACAO_PERMIT,
        "台胞证": DocumentType.TAIWAN_PERMIT,
        "外国人永久居留证": DocumentType.FOREIGN_PERMANENT_RESIDENT,
        "永久居留身份证": DocumentType.FOREIGN_PERMANENT_RESIDENT,
    },
)
ROLE_VALUES = _choice_table(
    AffiliationRole,
    {
        "老师": AffiliationRole.TEACHER,
        "专任教师": AffiliationRole.TEACHER,
        "教职工": AffiliationRole.STAFF,
        "工作人员": AffiliationRole.STAFF,
        "行政人员": AffiliationRole.STAFF,
        "研究人员": AffiliationRole.RESEARCHER,
        "研究生": AffiliationRole.STUDENT,
    },
)

# 主管部门 texts that stand for the province: its department of education supervises.
PROVINCE_NAMES = frozenset({"河南省", "河南省人民政府", "河南省教育厅", "省教育厅"})

DATE_PATTERN = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def parse_date(text: str) -> dt.date | None:
    """A date written 2020-09-01, 2020/9/1, 2020.9.1, 2020年9月1日 or 20200901."""
    text = text.strip()
    if not text:
        return None
    match = DATE_PATTERN.match(text)
    if match is None and re.fullmatch(r"\d{8}", text):
        match = re.match(r"(\d{4})(\d{2})(\d{2})", text)
    if match is None:
        raise ValueError(text)
    year, month, day = (int(part) for part in match.groups())
    return dt.date(year, month, day)


# --- rows ---------------------------------------------------------------------------------


@dataclass
class RowProblem:
    """One thing wrong with a row: the column as headed in the file, and why."""

    column: str
    reason: str


class RowRejectedError(Exception):
    """A row failed its checks; every problem found is listed."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__("; ".join(problem.reason for problem in problems))
        self.problems = problems


@dataclass
class RowHandler:
    """Checks one kind of row and writes it through the services."""

    run: ImportRun
    header: list[str]
    columns: dict[str, int]
    field_columns: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Subclasses prepare their look-up caches here."""

    def value(self, values: list[str], name: str) -> str:
        index = self.columns.get(name)
        if index is None or index >= len(values):
            return ""
        return values[index].strip()

    def heading(self, name: str) -> str:
        """The file's own heading for a field (or the usual Chinese one if absent)."""
        index = self.columns.get(name)
        if index is not None:
            return self.header[index]
        return COLUMN_LABELS.get(name, name)

    def column_for_error(self, error_field: str) -> str:
        return self.heading(self.field_columns.get(error_field, error_field))

    @property
    def source(self) -> str:
        return _("导入批次 %(id)s（%(file)s）") % {
            "id": self.run.public_id,
            "file": self.run.original_filename,
        }

    def apply(self, row_number: int, values: list[str]) -> bool:
        """Write one row; True if it was already imported (registered as the row gives it,
        nothing written)."""
        raise NotImplementedError


class InstitutionRows(RowHandler):
    """Rows of institutions: 统一社会信用代码/学校标识码, 学校名称, 主管部门, 所在地 …"""

    REQUIRED_ANY = (("name",), ("uscc", "moe_code"))

    def __post_init__(self) -> None:
        region_field = "location" if "location" in self.columns else "region_code"
        self.field_columns = {"region_code": region_field, "supervisor": "supervisor_name"}
        self._supervisors: dict[str, Organisation] = {}
        self._visible_orgs = Organisation.objects.visible_to(self.run.created_by)

    def supervisor_for(self, text: str) -> Organisation:
        """The organisation the 主管部门 names, if the importer sees it; else the run's default.

        A body outside the platform (e.g. 公安部) falls back to the default chosen on upload,
        and the text is kept as written in ``supervisor_name``.
        """
        default = self.run.default_supervisor or self.run.organisation
        text = text.strip()
        if not text:
            return default
        if text not in self._supervisors:
            found = self._visible_orgs.filter(name=text, is_active=True).first()
            if found is None and text in PROVINCE_NAMES:
                found = self._visible_orgs.filter(
                    kind=OrganisationKind.PROVINCIAL_DEPARTMENT
                ).first()
            self._supervisors[text] = found or default
        return self._supervisors[text]

    def apply(self, row_number: int, values: list[str]) -> bool:
        problems: list[RowProblem] = []
        get = self.value

        region_text = get(values, "region_code") or get(values, "location")
        if region_text:
            region_code = regions.region_code_for(region_text)
            if region_code is None:
                problems.append(
                    RowProblem(
                        self.column_for_error("region_code"),
                        _("无法识别所在地“%(text)s”") % {"text": region_text[:40]},
                    )
                )
        else:
            # No location given: the institution lies where its default supervisor sits.
            region_code = (self.run.default_supervisor or self.run.organisation).region_code
            if not region_code:
                problems.append(
                    RowProblem(
                        self.column_for_error("region_code"),
                        _("请填写所在地"),
                    )
                )

        kind_text = get(values, "kind")
        kind = _lookup(KIND_VALUES, kind_text) if kind_text else self.run.default_kind
        if kind is None:
            problems.append(
                RowProblem(
                    self.heading("kind"),
                    _("无法识别机构类型“%(text)s”") % {"text": kind_text[:40]},
                )
            )
        level_text = get(values, "level")
        level = _lookup(LEVEL_VALUES, level_text) if level_text else ""
        if level is None:
            problems.append(
                RowProblem(
                    self.heading("level"),
                    _("无法识别办学层次“%(text)s”") % {"text": level_text[:40]},
                )
            )
        ownership_text = get(values, "ownership")
        remarks = get(values, "remarks")
        if ownership_text:
            ownership = _lookup(OWNERSHIP_VALUES, ownership_text)
            if ownership is None:
                problems.append(
                    RowProblem(
                        self.heading("ownership"),
                        _("办学性质应为公办或民办 / Ownership must be 公办 or 民办"),
                    )
                )
        else:
            # The 2017 national list marks private institutions with 民办 under 备注.
            ownership = (
                InstitutionOwnership.PRIVATE
                if "民办" in remarks
                else InstitutionOwnership.PUBLIC
                if "公办" in remarks
                else ""
            )
        for name, cleaner in (("uscc", clean_uscc), ("moe_code", clean_moe_code)):
            try:
                cleaner(get(values, name))
            except SubjectError as exc:
                problems.append(RowProblem(self.heading(name), exc.message))
        if not get(values, "name"):
            problems.append(RowProblem(self.heading("name"), _("请填写名称")))
        if not get(values, "uscc") and not get(values, "moe_code"):
            problems.append(
                RowProblem(
                    self.heading("uscc" if "uscc" in self.columns else "moe_code"),
                    _("请填写统一社会信用代码或学校标识码"),
                )
            )
        if problems:
            raise RowRejectedError(problems)
        supervisor_text = get(values, "supervisor_name")
        registration = institution_register(
            actor=self.run.created_by,
            name=get(values, "name"),
            kind=kind or "",
            region_code=region_code or "",
            supervisor=self.supervisor_for(supervisor_text),
            uscc=get(values, "uscc") or None,
            moe_code=get(values, "moe_code") or None,
            level=level or "",
            ownership=ownership or "",
            supervisor_name=supervisor_text,
            licence_number=get(values, "licence_number"),
            legal_representative=get(values, "legal_representative"),
            remarks=remarks,
            source=self.source,
        )
        # Known by these identifiers and this name (or a former one), nothing added: a row
        # an earlier import (or a re-upload of the file) had entered.
        return not (
            registration.created or registration.updated or registration.discrepancy is not None
        )


class PersonRows(RowHandler):
    """Rows of people: 姓名, 证件类型, 证件号码, 任职单位 (or its codes), 身份, dates."""

    REQUIRED_ANY = (
        ("name",),
        ("id_number",),
        ("role",),
        ("institution_name", "institution_uscc", "institution_moe_code"),
    )

    def __post_init__(self) -> None:
        self.field_columns = {"institution": "institution_name"}
        self._institutions: dict[tuple[str, str, str], Institution | RowProblem] = {}
        self._visible = Institution.objects.visible_to(self.run.created_by)

    def institution_for(self, name: str, uscc: str, moe_code: str) -> Institution | RowProblem:
        """The institution a row names, looked up within the importer's jurisdiction."""
        key = (name, uscc.upper(), moe_code)
        if key in self._institutions:
            return self._institutions[key]
        column = self.heading("institution_name")
        if uscc or moe_code:
            match = self._visible.filter(
                Q(uscc=uscc.upper()) if uscc else Q(moe_code=moe_code)
            ).first()
            if match is None:
                column = self.heading("institution_uscc" if uscc else "institution_moe_code")
            found: Institution | RowProblem | None = match
        else:
            former = FormerName.objects.filter(name=name).values("institution")
            candidates = list(self._visible.filter(Q(name=name) | Q(pk__in=former))[:2])
            found = candidates[0] if len(candidates) == 1 else None
            if len(candidates) > 1:
                found = RowProblem(
                    column,
                    _("管辖范围内有多个同名机构，请填写单位统一社会信用代码"),
                )
        if found is None:
            found = RowProblem(
                column,
                _("在您的管辖范围内找不到该单位，请先导入机构"),
            )
        self._institutions[key] = found
        return found

    def apply(self, row_number: int, values: list[str]) -> bool:
        problems: list[RowProblem] = []
        get = self.value
        document_text = get(values, "document_type")
        document_type = (
            _lookup(DOCUMENT_VALUES, document_text) if document_text else DocumentType.RESIDENT_ID
        )
        if document_type is None:
            problems.append(
                RowProblem(
                    self.heading("document_type"),
                    _("无法识别证件类型“%(text)s”") % {"text": document_text[:40]},
                )
            )
        if not get(values, "name"):
            problems.append(RowProblem(self.heading("name"), _("请填写姓名")))
        if not get(values, "id_number"):
            problems.append(
                RowProblem(
                    self.heading("id_number"),
                    _("请填写证件号码"),
                )
            )
        role_text = get(values, "role")
        role = _lookup(ROLE_VALUES, role_text) if role_text else None
        if role is None:
            problems.append(
                RowProblem(
                    self.heading("role"),
                    _(
                        "身份应为教师、学生、科研人员或职工 / "
                        "The role must be 教师, 学生, 科研人员 or 职工"
                    ),
                )
            )
        dates: dict[str, dt.date | None] = {}
        for name in ("started_on", "ended_on"):
            try:
                dates[name] = parse_date(get(values, name))
            except ValueError:
                problems.append(
                    RowProblem(
                        self.heading(name),
                        _("日期格式应为 2024-09-01"),
                    )
                )
        institution = self.institution_for(
            get(values, "institution_name"),
            get(values, "institution_uscc"),
            get(values, "institution_moe_code"),
        )
        if isinstance(institution, RowProblem):
            problems.append(institution)
        if problems:
            raise RowRejectedError(problems)
        assert isinstance(institution, Institution)  # noqa: S101 - narrowed by the check above
        registration = person_register(
            actor=self.run.created_by,
            document_type=document_type or "",
            id_number=get(values, "id_number"),
            name=get(values, "name"),
            source=self.source,
        )
        person = registration.subject
        started_on, ended_on = dates.get("started_on"), dates.get("ended_on")
        if not registration.created and self._affiliated(
            person, institution, role or "", started_on, ended_on
        ):
            # Already there: the same name (else a discrepancy is queued) and affiliation.
            return registration.discrepancy is None
        affiliation_add(
            actor=self.run.created_by,
            person=person,
            institution=institution,
            role=role or "",
            started_on=started_on,
            ended_on=ended_on,
            reason=self.source,
        )
        return False

    @staticmethod
    def _affiliated(
        person: Any,
        institution: Institution,
        role: str,
        started_on: dt.date | None,
        ended_on: dt.date | None,
    ) -> bool:
        """Whether the row's affiliation is recorded: open (as ``affiliation_add`` matches
        one) or ended with the same dates, so a file imported again adds none twice."""
        current = Affiliation.objects.filter(person=person, institution=institution, role=role)
        if ended_on is None:
            return current.filter(ended_on=None).exists()
        return current.filter(started_on=started_on, ended_on=ended_on).exists()


HANDLERS: dict[str, tuple[type[RowHandler], dict[str, tuple[str, ...]]]] = {
    ImportKind.INSTITUTIONS: (InstitutionRows, INSTITUTION_COLUMNS),
    ImportKind.PEOPLE: (PersonRows, PERSON_COLUMNS),
}


def make_handler(run: ImportRun, header: list[str]) -> RowHandler:
    """The handler for the run's kind, refusing a file that lacks a required column."""
    handler_class, columns = HANDLERS[run.kind]
    mapping = map_columns(header, columns)
    missing = [
        "/".join(COLUMN_LABELS.get(name, name) for name in group)
        for group in getattr(handler_class, "REQUIRED_ANY", ())
        if not any(name in mapping for name in group)
    ]
    if missing:
        raise ImportFileError(_("缺少必需的列：%(columns)s") % {"columns": "，".join(missing)})
    return handler_class(run=run, header=header, columns=mapping)


# --- error report -------------------------------------------------------------------------

REPORT_ROW_NUMBER = "原行号"
REPORT_REASON = "错误原因"


def write_error_report(run: ImportRun, handle: IO[bytes]) -> None:
    """An XLSX of the rejected rows: the original columns, 原行号 and 错误原因.

    The sheet can be corrected and uploaded again as it is: the two added columns are not
    import columns and are ignored, and so is the second sheet, the run's counts (rows
    already imported apart from the failures). Written in openpyxl's write-only mode, row by
    row.
    """
    import json

    from openpyxl import Workbook

    from educredit.core.crypto import decrypt_text

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("错误行"))
    sheet.append([*run.header, REPORT_ROW_NUMBER, REPORT_REASON])
    current: int | None = None
    values: list[str] = []
    reasons: list[str] = []

    def flush() -> None:
        if current is not None:
            padded = values + [""] * (len(run.header) - len(values))
            sheet.append(safe_row([*padded, current, "；".join(reasons)]))

    for error in run.row_errors.order_by("row_number", "pk").iterator(chunk_size=500):
        if error.row_number != current:
            flush()
            current = error.row_number
            values = json.loads(decrypt_text(error.values_cipher)) if error.values_cipher else []
            reasons = []
        reason = shown(error.reason)
        reasons.append(f"{error.column}：{reason}" if error.column else reason)
    flush()
    summary = book.create_sheet(_("汇总"))
    for label, count in (
        (_("总行数"), run.total_rows),
        (_("成功"), run.ok_rows),
        (_("已导入过"), run.existing_rows),
        (_("失败"), run.failed_rows),
    ):
        summary.append([label, count])
    book.save(handle)
