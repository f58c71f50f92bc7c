"""Staff pages of the credit lists (名单) and the credit archive (信用档案).

Any staff user reads (within the jurisdiction); clerks and admins propose, withdraw a proposal,
exit and link responsible people; reviewers (and admins) confirm. Every object is fetched
through an ``access_*_for_user`` selector, every write goes through ``records.lists``.
"""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from educredit.accounts.choices import Power, UserRole
from educredit.accounts.forms import BootstrapForm
from educredit.accounts.permissions import access_staff
from educredit.catalog.choices import InfoCategory, Severity
from educredit.core.clock import today
from educredit.core.exports import Column, export_wanted, list_export
from educredit.exchange import selectors as exchange_selectors
from educredit.records import archive, lists, red_candidates
from educredit.records.choices import (
    CreditListKind,
    CreditRecordStatus,
    ListEntryStatus,
    ResponsibleRole,
)
from educredit.records.models import CreditListEntry
from educredit.rights.list_exports import export_subject_list, subject_identifier, subject_name
from educredit.rights.purpose import staff_read_log
from educredit.subjects import selectors as subject_selectors
from educredit.subjects.models import Institution, Person
from educredit.web.navigation import url_if_available
from educredit.web.paging import filters_query_string, page_of

WRITERS = (UserRole.CLERK, UserRole.ADMIN)
REVIEWERS = (UserRole.REVIEWER, UserRole.ADMIN)
CLOSERS = (UserRole.CLERK, UserRole.REVIEWER, UserRole.ADMIN)


# --- forms --------------------------------------------------------------------------------


class ListFilterForm(BootstrapForm):
    """Filters of the entry list (GET)."""

    kind = forms.ChoiceField(
        label=gettext_lazy("名单"),
        required=False,
        choices=[("", gettext_lazy("全部名单")), *CreditListKind.choices],
    )
    status = forms.ChoiceField(
        label=gettext_lazy("状态"),
        required=False,
        choices=[("", gettext_lazy("全部状态")), *ListEntryStatus.choices],
    )
    q = forms.CharField(label=gettext_lazy("主体名称"), required=False, max_length=100)


class SubjectPickForm(BootstrapForm):
    """First step of a proposal: which list, and a subject's name to find."""

    kind = forms.ChoiceField(label=gettext_lazy("名单"), choices=CreditListKind.choices)
    q = forms.CharField(label=gettext_lazy("主体名称"), max_length=100)


class ProposeForm(BootstrapForm):
    """A proposal with its prior notice (事前告知)."""

    kind = forms.ChoiceField(label=gettext_lazy("名单"), choices=CreditListKind.choices)
    basis_records = forms.MultipleChoiceField(
        label=gettext_lazy("依据记录"), widget=forms.CheckboxSelectMultiple, choices=()
    )
    reason = forms.CharField(
        label=gettext_lazy("列入理由"), widget=forms.Textarea(attrs={"rows": 3})
    )
    legal_basis = forms.CharField(
        label=gettext_lazy("列入依据"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    measures = forms.CharField(
        label=gettext_lazy("惩戒或激励措施"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    exit_conditions = forms.CharField(
        label=gettext_lazy("移出条件"), widget=forms.Textarea(attrs={"rows": 2})
    )
    notice_date = forms.DateField(
        label=gettext_lazy("事前告知日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    objection_days = forms.IntegerField(
        label=gettext_lazy("异议期（工作日）"),
        min_value=1,
        max_value=lists.OBJECTION_DAYS_MAX,
        initial=lists.OBJECTION_WORKING_DAYS,
    )

    def __init__(self, *args: Any, candidates: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = {str(r.public_id): r for r in candidates}
        cast(forms.ChoiceField, self.fields["basis_records"]).choices = [
            (
                key,
                f"{r.decision_date:%Y-%m-%d} {r.catalog_item.name}：{r.title}"
                f"（{r.get_severity_display()}）",
            )
            for key, r in self.candidates.items()
        ]


class ConfirmForm(BootstrapForm):
    listed_on = forms.DateField(
        label=gettext_lazy("列入日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_until = forms.DateField(
        label=gettext_lazy("有效期至"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    objection_handled = forms.CharField(
        label=gettext_lazy("异议核查处理结果（异议期届满前认定时必填）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class WithdrawForm(BootstrapForm):
    reason = forms.CharField(
        label=gettext_lazy("撤回理由"), widget=forms.Textarea(attrs={"rows": 2})
    )


class ExitForm(BootstrapForm):
    exited_on = forms.DateField(
        label=gettext_lazy("移出日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    exit_notice = forms.CharField(
        label=gettext_lazy("移出公告"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ResponsibleForm(BootstrapForm):
    person = forms.ChoiceField(label=gettext_lazy("人员"), choices=())
    role = forms.ChoiceField(label=gettext_lazy("责任身份"), choices=ResponsibleRole.choices)

    def __init__(self, *args: Any, people: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {str(p.public_id): p for p in people}
        cast(forms.ChoiceField, self.fields["person"]).choices = [
            (key, f"{p.name}（{p.id_number_masked}）") for key, p in self.people.items()
        ]


class ArchiveFilterForm(BootstrapForm):
    """Filters of the archive timeline (GET)."""

    category = forms.ChoiceField(
        label=gettext_lazy("信息类别"),
        required=False,
        choices=[("", gettext_lazy("全部类别")), *InfoCategory.choices],
    )
    severity = forms.ChoiceField(
        label=gettext_lazy("信用性质"),
        required=False,
        choices=[("", gettext_lazy("全部性质")), *Severity.choices],
    )
    status = forms.ChoiceField(
        label=gettext_lazy("状态"),
        required=False,
        choices=[
            ("", gettext_lazy("全部状态")),
            (gettext_lazy("信用记录"), CreditRecordStatus.choices),
            (gettext_lazy("名单条目"), ListEntryStatus.choices),
        ],
    )
    date_from = forms.DateField(
        label=gettext_lazy("起始日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = forms.DateField(
        label=gettext_lazy("截止日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def filters(self) -> archive.ArchiveFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return archive.ArchiveFilters(
            category=data.get("category", ""),
            severity=data.get("severity", ""),
            status=data.get("status", ""),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


# --- helpers ------------------------------------------------------------------------------


def _subject_from_query(request: HttpRequest) -> Institution | Person | None:
    """The subject named by ``?institution=`` or ``?person=`` (404 outside the jurisdiction)."""
    source = request.POST if request.method == "POST" else request.GET
    if source.get("institution"):
        return subject_selectors.access_institution_for_user(request.user, source["institution"])
    if source.get("person"):
        return subject_selectors.access_person_for_user(request.user, source["person"])
    return None


def _error(request: HttpRequest, exc: Exception) -> None:
    messages.error(request, getattr(exc, "message", None) or str(exc))


# --- lists --------------------------------------------------------------------------------


# The columns of the entry list, as exported (ADR 0036).
ENTRY_COLUMNS = (
    Column(gettext_lazy("主体"), subject_name),
    Column(gettext_lazy("统一社会信用代码或证件号码"), subject_identifier),
    Column(gettext_lazy("名单"), lambda e: e.get_kind_display()),
    Column(gettext_lazy("状态"), lambda e: e.get_status_display()),
    Column(gettext_lazy("事前告知"), lambda e: e.notice_date),
    Column(gettext_lazy("异议截止"), lambda e: e.objection_deadline),
    Column(gettext_lazy("认定单位"), lambda e: e.organisation.name),
    Column(gettext_lazy("条目编号"), lambda e: str(e.public_id)),
)


@list_export
@access_staff(powers=[Power.CREDIT_LISTS])
@require_GET
def list_entry_list(request: HttpRequest) -> HttpResponse:
    """Entries of the three lists in the user's jurisdiction, filtered by list and status;
    ``?export=xlsx`` answers the whole filter as a file."""
    form = ListFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    entries = lists.list_entry_search(
        request.user, kind=data.get("kind", ""), status=data.get("status", ""), q=data.get("q", "")
    )
    if export_wanted(request):
        return export_subject_list(
            request, entries, ENTRY_COLUMNS, stem="credit-list-entries", sheet=_("信用名单")
        )
    page = page_of(request, entries)
    shown = list(page.object_list)
    staff_read_log(
        request,
        persons=[entry.person for entry in shown],
        institutions=[entry.institution for entry in shown],
    )
    return render(
        request,
        "records/lists/entry_list.html",
        {"form": form, "page": page, "query": filters_query_string(request)},
    )


def _honour_field(candidate: red_candidates.RedListCandidate, name: str) -> str:
    return "；".join(
        str(r.payload.get(name) or "") for r in candidate.honours if r.payload.get(name)
    )


# The columns of the red-list candidates, as exported.
RED_CANDIDATE_COLUMNS = (
    Column(gettext_lazy("主体"), lambda c: c.subject.name),
    Column(
        gettext_lazy("统一社会信用代码或证件号码"),
        lambda c: subject_identifier(c.latest),
    ),
    Column(gettext_lazy("表彰奖励名称"), lambda c: _honour_field(c, "honour_name")),
    Column(gettext_lazy("级别"), lambda c: _honour_field(c, "level")),
    Column(gettext_lazy("授予单位"), lambda c: _honour_field(c, "awarding_body")),
    Column(gettext_lazy("最近表彰日期"), lambda c: c.latest.decision_date),
    Column(gettext_lazy("先进事迹"), lambda c: _honour_field(c, "deeds")),
)


@list_export
@access_staff(powers=[Power.PROVINCIAL_OFFICE, Power.CREDIT_LISTS])
@require_GET
def red_list_candidates(request: HttpRequest) -> HttpResponse:
    """Subjects honoured at provincial or national level in the last years, with no
    dishonesty record in force and not on the red list: each with its exemplary deeds and a
    link to the red-list proposal citing its honours. ``?export=xlsx`` answers the file."""
    years = red_candidates.honour_years()
    candidates = red_candidates.red_list_candidates(request.user, as_of=today(), years=years)
    if export_wanted(request):
        return export_subject_list(
            request,
            candidates,
            RED_CANDIDATE_COLUMNS,
            stem="red-list-candidates",
            sheet=_("红名单候选"),
            subjects=lambda c: (c.person, c.institution),
        )
    page = page_of(request, candidates)
    shown = list(page.object_list)
    people, institutions = red_candidates.candidate_subjects(shown)
    staff_read_log(request, persons=people, institutions=institutions)
    propose_url = url_if_available(request, "records:list_entry_propose")
    rows = [
        (c, f"{propose_url}?{urlencode(c.proposal_query(), doseq=True)}" if propose_url else "")
        for c in shown
    ]
    return render(
        request,
        "records/lists/red_candidates.html",
        {
            "page": page,
            "rows": rows,
            "years": years,
            "levels": "、".join(red_candidates.QUALIFYING_LEVELS),
            "query": filters_query_string(request),
        },
    )


@access_staff(*WRITERS, powers=[Power.CREDIT_LISTS])
@require_http_methods(["GET", "POST"])
def list_entry_propose(request: HttpRequest) -> HttpResponse:
    """Propose an entry: pick a subject, cite its basis records, serve the prior notice."""
    subject = _subject_from_query(request)
    source = request.POST if request.method == "POST" else request.GET
    kind = source.get("kind", CreditListKind.SERIOUS)
    if kind not in CreditListKind.values:
        kind = CreditListKind.SERIOUS
    if subject is None:
        pick = SubjectPickForm(request.GET or None)
        institutions: Any = []
        people: Any = []
        if pick.is_valid():
            q = pick.cleaned_data["q"]
            institutions = subject_selectors.institution_search(request.user, q=q)[:20]
            people = subject_selectors.person_search(request.user, q=q)[:20]
        return render(
            request,
            "records/lists/entry_pick.html",
            {"form": pick, "institutions": institutions, "people": people, "kind": kind},
        )
    candidates = list(lists.basis_record_candidates(request.user, kind, subject))
    # A page that proposes from its own record (a commitment breached with serious
    # consequences, §33(八)) names the basis and the reason in the link.
    initial: dict[str, Any] = {"kind": kind, "notice_date": today()}
    keys = {str(r.public_id) for r in candidates}
    initial["basis_records"] = [key for key in request.GET.getlist("basis") if key in keys]
    for field in ("reason", "legal_basis", "measures"):
        if request.GET.get(field):
            initial[field] = request.GET[field][:2000]
    form = ProposeForm(request.POST or None, candidates=candidates, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = lists.list_entry_propose(
                actor=request.user,  # type: ignore[arg-type]
                kind=data["kind"],
                subject=subject,
                basis_records=[form.candidates[key] for key in data["basis_records"]],
                reason=data["reason"],
                legal_basis=data["legal_basis"],
                measures=data["measures"],
                exit_conditions=data["exit_conditions"],
                notice_date=data["notice_date"],
                objection_days=data["objection_days"],
            )
        except lists.ListEntryError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已提出并发出事前告知"))
            return redirect("records:list_entry_detail", entry_id=entry.public_id)
    return render(
        request,
        "records/lists/entry_propose.html",
        {
            "form": form,
            "subject": subject,
            "subject_param": "institution" if isinstance(subject, Institution) else "person",
            "kind": kind,
            "kinds": CreditListKind.choices,
        },
    )


@access_staff(powers=[Power.CREDIT_LISTS])
@require_GET
def list_entry_detail(request: HttpRequest, entry_id: str) -> HttpResponse:
    """One entry: basis records, notice, deadline and its rule, responsible people, actions."""
    entry = lists.access_list_entry_for_user(request.user, entry_id)
    staff_read_log(request, persons=[entry.person], institutions=[entry.institution])
    return render(request, "records/lists/entry_detail.html", _detail_context(request, entry))


def _detail_context(request: HttpRequest, entry: CreditListEntry, **forms_: Any) -> dict[str, Any]:
    people: Any = []
    if entry.institution_id is not None and entry.status in (
        ListEntryStatus.NOTICE,
        ListEntryStatus.LISTED,
    ):
        people = (
            subject_selectors.person_search(request.user)
            .filter(affiliations__institution_id=entry.institution_id)
            .distinct()[:200]
        )
    on = today()
    return {
        "entry": entry,
        "basis_records": entry.basis_records.select_related("catalog_item").order_by(
            "-decision_date"
        ),
        "responsible": entry.responsible_people.select_related("person").order_by("role", "pk"),
        "objection_rule": lists.objection_rule(entry),
        "deadline_passed": bool(entry.objection_deadline and on > entry.objection_deadline),
        "confirm_form": forms_.get("confirm_form") or ConfirmForm(initial={"listed_on": on}),
        "withdraw_form": forms_.get("withdraw_form") or WithdrawForm(),
        "exit_form": forms_.get("exit_form") or ExitForm(initial={"exited_on": on}),
        "responsible_form": forms_.get("responsible_form") or ResponsibleForm(people=people),
        "can_write": request.user.has_role(*WRITERS),  # type: ignore[union-attr]
        "can_review": request.user.has_role(*REVIEWERS),  # type: ignore[union-attr]
        "can_close": request.user.has_role(*CLOSERS),  # type: ignore[union-attr]
    }


def _act(
    request: HttpRequest, entry: CreditListEntry, form: BootstrapForm, name: str, call: Any
) -> HttpResponse:
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except lists.ListEntryError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已保存"))
            return redirect("records:list_entry_detail", entry_id=entry.public_id)
    context = _detail_context(request, entry, **{name: form})
    return render(request, "records/lists/entry_detail.html", context, status=400)


@access_staff(*REVIEWERS, powers=[Power.CREDIT_LISTS])
@require_POST
def list_entry_confirm(request: HttpRequest, entry_id: str) -> HttpResponse:
    """Confirm (认定) an entry after its objection period."""
    entry = lists.access_list_entry_for_user(request.user, entry_id)

    def call(data: dict[str, Any]) -> None:
        lists.list_entry_confirm(
            actor=request.user,  # type: ignore[arg-type]
            entry=entry,
            listed_on=data["listed_on"],
            valid_until=data["valid_until"],
            objection_handled=data["objection_handled"],
        )

    return _act(request, entry, ConfirmForm(request.POST), "confirm_form", call)


@access_staff(*CLOSERS, powers=[Power.CREDIT_LISTS])
@require_POST
def list_entry_withdraw(request: HttpRequest, entry_id: str) -> HttpResponse:
    """Withdraw a proposal, or an entry found wrongly made."""
    entry = lists.access_list_entry_for_user(request.user, entry_id)

    def call(data: dict[str, Any]) -> None:
        lists.list_entry_withdraw(actor=request.user, entry=entry, reason=data["reason"])  # type: ignore[arg-type]

    return _act(request, entry, WithdrawForm(request.POST), "withdraw_form", call)


@access_staff(*CLOSERS, powers=[Power.CREDIT_LISTS])
@require_POST
def list_entry_exit(request: HttpRequest, entry_id: str) -> HttpResponse:
    """Take a subject off the list and publish the exit notice."""
    entry = lists.access_list_entry_for_user(request.user, entry_id)

    def call(data: dict[str, Any]) -> None:
        lists.list_entry_exit(
            actor=request.user,  # type: ignore[arg-type]
            entry=entry,
            exited_on=data["exited_on"],
            exit_notice=data["exit_notice"],
        )

    return _act(request, entry, ExitForm(request.POST), "exit_form", call)


@access_staff(*WRITERS, powers=[Power.CREDIT_LISTS])
@require_POST
def list_entry_link_responsible(request: HttpRequest, entry_id: str) -> HttpResponse:
    """Link a responsible person to an institution's entry."""
    entry = lists.access_list_entry_for_user(request.user, entry_id)
    people = subject_selectors.person_search(request.user)
    if entry.institution_id is not None:
        people = people.filter(affiliations__institution_id=entry.institution_id).distinct()
    else:
        people = people.none()
    form = ResponsibleForm(
        request.POST, people=people.filter(public_id__in=_uuids(request.POST.getlist("person")))
    )

    def call(data: dict[str, Any]) -> None:
        lists.list_entry_link_responsible(
            actor=request.user,  # type: ignore[arg-type]
            entry=entry,
            person=form.people[data["person"]],
            role=data["role"],
        )

    return _act(request, entry, form, "responsible_form", call)


def _uuids(values: list[str]) -> list[str]:
    import uuid

    out = []
    for value in values:
        try:
            out.append(str(uuid.UUID(value)))
        except ValueError:
            continue
    return out


# --- archive ------------------------------------------------------------------------------


def _archive_page(request: HttpRequest, subject: Institution | Person) -> HttpResponse:
    form = ArchiveFilterForm(request.GET or None)
    timeline = archive.subject_archive(request.user, subject, form.filters())
    # Other departments' facts from the provincial platform, shown apart and read-only (ADR
    # 0018). The page reads them through exchange's selector: the records domain code itself
    # stays independent of exchange, which builds on it.
    inbound = (
        exchange_selectors.inbound_facts_for(subject) if isinstance(subject, Institution) else None
    )
    return render(
        request,
        "records/archive.html",
        {
            "subject": subject,
            "is_person": isinstance(subject, Person),
            "form": form,
            "archive": timeline,
            "inbound": inbound,
            "as_of": today(),
        },
    )


@access_staff()
@require_GET
def institution_archive(request: HttpRequest, institution_id: str) -> HttpResponse:
    """An institution's credit archive (信用档案)."""
    institution = subject_selectors.access_institution_for_user(request.user, institution_id)
    staff_read_log(request, institutions=[institution])
    return _archive_page(request, institution)


@access_staff()
@require_GET
def person_archive(request: HttpRequest, person_id: str) -> HttpResponse:
    """A person's credit archive across their institutions in the jurisdiction; logged."""
    person = subject_selectors.access_person_for_user(request.user, person_id)
    archive.person_archive_query_record(user=request.user, person=person)
    return _archive_page(request, person)
