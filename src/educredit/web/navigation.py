"""Navigation of the workspace and the portal, derived from the URL conf and the access rules.

A link is shown only when its URL name resolves (so a section appears as soon as the app that
owns it lands, and nothing breaks before) and when the view's own access rule admits the
current user — by role and by the organisation's powers (so the menu never offers a page that
would answer 403, and no role list is kept twice). Action buttons in templates ask the same
rule through ``{% url_if_allowed %}``. Portal sections that do not exist yet are shown as
disabled placeholders.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import prefetch_related_objects
from django.http import HttpRequest
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from educredit.accounts.models import User
from educredit.accounts.permissions import access_rule_of


@dataclass(frozen=True)
class NavLink:
    """One menu entry: a URL name without arguments and its (translatable) label."""

    url_name: str
    label: str | Promise
    description: str | Promise = ""


@dataclass(frozen=True)
class ResolvedLink:
    """A menu entry as a template renders it."""

    label: str | Promise
    description: str | Promise
    url: str
    active: bool
    available: bool


# Sections of the staff workspace, in menu order. Names that do not resolve are skipped.
WORKSPACE_NAV: tuple[NavLink, ...] = (
    NavLink("web:home", pgettext_lazy("navigation", "工作台"), _("待办事项与常用功能")),
    NavLink(
        "accounts:organisation_list",
        pgettext_lazy("navigation", "组织机构"),
        _("查看组织机构树，添加下级单位"),
    ),
    NavLink(
        "accounts:user_list",
        pgettext_lazy("navigation", "用户与角色"),
        _("管理本单位及下级单位的用户和角色"),
    ),
    NavLink(
        "accounts:apiclient_list",
        pgettext_lazy("navigation", "接口客户端"),
        _("业务系统接入的密钥、权限范围和限流"),
    ),
    NavLink(
        "subjects:institution_list",
        pgettext_lazy("navigation", "学校与机构"),
        _("学校、教育机构及其曾用名"),
    ),
    NavLink(
        "subjects:person_list",
        pgettext_lazy("navigation", "教师与学生"),
        _("教职工、学生及其任职和在读经历"),
    ),
    NavLink(
        "subjects:import_list",
        pgettext_lazy("navigation", "数据导入"),
        _("从 CSV 或 Excel 文件批量导入机构和人员"),
    ),
    NavLink(
        "records:record_list",
        pgettext_lazy("navigation", "信用记录"),
        _("录入、审核和管理信用记录"),
    ),
    NavLink(
        "records:review_queue",
        pgettext_lazy("navigation", "记录审核"),
        _("待审核的信用记录"),
    ),
    NavLink(
        "records:list_entry_list",
        pgettext_lazy("navigation", "信用名单"),
        _("红名单、严重失信主体名单和失信重点关注名单"),
    ),
    NavLink(
        "records:red_list_candidates",
        pgettext_lazy("navigation", "红名单候选"),
        _("近年获得省级以上表彰、没有失信记录的主体及其先进事迹"),
    ),
    NavLink(
        "disclosure:entry_penalty",
        pgettext_lazy("navigation", "双公示录入"),
        _("逐条录入行政处罚、行政许可决定，边填边校验"),
    ),
    NavLink(
        "disclosure:import_start",
        pgettext_lazy("navigation", "双公示导入"),
        _("从 CSV 或 Excel 文件批量导入行政处罚、行政许可决定"),
    ),
    NavLink(
        "disclosure:quality",
        pgettext_lazy("navigation", "双公示质量"),
        _("各单位按月的及时率、合规率、完整率与迟报清单"),
    ),
    NavLink(
        "exchange:outbox_list",
        pgettext_lazy("navigation", "报送队列"),
        _("报送信用河南的事项、回执和被退回待修正的数据"),
    ),
    NavLink(
        "catalog:version_list",
        pgettext_lazy("navigation", "信用信息目录"),
        _("目录条目、信息项及其版本"),
    ),
    NavLink(
        "sanctions:measure_list",
        pgettext_lazy("navigation", "奖惩措施清单"),
        _("失信惩戒和守信激励措施、触发条件、期限与业务场景"),
    ),
    NavLink(
        "sanctions:loop",
        pgettext_lazy("navigation", "联合奖惩成效"),
        _("业务系统核查命中、反馈率与处理结果，逾期未反馈"),
    ),
    NavLink(
        "commitments:list",
        pgettext_lazy("navigation", "信用承诺"),
        _("受理的信用承诺：承诺书全文、受理和履行认定"),
    ),
    NavLink(
        "commitments:tasks",
        pgettext_lazy("navigation", "承诺核查"),
        _("按事项清单生成的核查任务、核查期限、逾期任务和抽查记录"),
    ),
    NavLink(
        "commitments:figures",
        pgettext_lazy("navigation", "承诺及践诺"),
        _("受理的信用承诺：签署、核查、履行、违诺和逾期未核查"),
    ),
    NavLink(
        "integrity_research:list",
        pgettext_lazy("navigation", "科研活动记录"),
        _("项目负责人、起止日期、数据存储位置和保存期限"),
    ),
    NavLink(
        "integrity_students:contracts",
        pgettext_lazy("navigation", "定向公费培养协议"),
        _("定向医学生、公费师范生的培养协议、年度履约确认和违约"),
    ),
    NavLink(
        "integrity_students:tasks",
        pgettext_lazy("navigation", "年度履约确认"),
        _("履约中、本年度尚无任职单位确认的协议"),
    ),
    NavLink(
        "integrity_students:activities",
        pgettext_lazy("navigation", "诚信教育活动"),
        _("各学校开展的诚信教育活动及按年度统计"),
    ),
    NavLink(
        "integrity_cases:list",
        pgettext_lazy("navigation", "诚信案件"),
        _("师德失范、学术不端、科研失信、考试违规等案件：受理、告知、陈述申辩、决定和复核"),
    ),
    NavLink(
        "integrity_cases:qualification_restrictions",
        pgettext_lazy("navigation", "教师资格限制库"),
        _("被撤销或丧失教师资格、仍在限制中的人员"),
    ),
    NavLink(
        "integrity_appraisal:list",
        pgettext_lazy("navigation", "师德考核"),
        _("教师年度师德考核结果：学校录入或导入，上级教育行政部门审核"),
    ),
    NavLink(
        "sanctions:bulk_check_start",
        pgettext_lazy("navigation", "批量核查"),
        _("上传名单，按业务场景批量核查失信惩戒措施，下载核查结果"),
    ),
    NavLink(
        "integrity_hiring:list",
        pgettext_lazy("navigation", "入职查询"),
        _("聘用教职工前查询限制聘用情形，记录性侵违法犯罪信息查询；在职人员年度复查"),
    ),
    NavLink(
        "subjects:review_list",
        pgettext_lazy("navigation", "待核对"),
        _("证件号码相同但姓名或名称不一致的记录"),
    ),
    NavLink(
        "rights:objection_queue",
        pgettext_lazy("navigation", "异议处理"),
        _("信用主体提出的异议，按工作日期限办理"),
    ),
    NavLink(
        "rights:repair_queue",
        pgettext_lazy("navigation", "信用修复"),
        _("本单位认定信息的信用修复申请"),
    ),
    NavLink(
        "rights:approval_list",
        pgettext_lazy("navigation", "批量查询审批"),
        _("超过阈值的查看或导出须经审批"),
    ),
    NavLink(
        "rights:alert_list",
        pgettext_lazy("navigation", "查询预警"),
        _("数量异常、超出管辖范围或非工作时间的查询"),
    ),
    NavLink(
        "rights:query_purpose",
        pgettext_lazy("navigation", "查询事由"),
        _("声明本次会话查询信用信息的事由和依据"),
    ),
)

# Sections of the public portal. Those not built yet stay visible as disabled placeholders.
PORTAL_NAV: tuple[NavLink, ...] = (
    NavLink("portal:home", pgettext_lazy("navigation", "首页")),
    NavLink("portal:disclosure", pgettext_lazy("navigation", "信用公示")),
    NavLink("portal:lists", pgettext_lazy("navigation", "红黑名单")),
    NavLink("portal:query", pgettext_lazy("navigation", "信用查询")),
    NavLink("rights_public:report_verify", pgettext_lazy("navigation", "信用报告核验")),
)

# Home pages are only "active" on an exact match; other sections also for their sub-pages.
_EXACT_MATCH = {"web:home", "portal:home"}


def prime_user_roles(request: HttpRequest) -> None:
    """Load the user's role grants once: every link's access rule asks for them."""
    user = getattr(request, "user", None)
    if isinstance(user, User):
        prefetch_related_objects([user], "role_grants")


def url_if_available(request: HttpRequest, url_name: str, *args: Any, **kwargs: Any) -> str | None:
    """The URL of ``url_name`` (with its arguments) if it exists and the view's access rule
    admits the request's user — role and organisation powers alike —, else None."""
    try:
        url = reverse(url_name, args=args or None, kwargs=kwargs or None)
    except NoReverseMatch:
        return None
    try:
        match = resolve(url)
    except Resolver404:  # pragma: no cover - reverse() and resolve() agree by construction
        return None
    rule = access_rule_of(match.func)
    if rule is None or not rule.allows(request):
        return None
    return url


def _is_active(request: HttpRequest, link: NavLink, url: str) -> bool:
    if link.url_name in _EXACT_MATCH:
        return request.path == url
    return request.path.startswith(url)


def resolve_links(
    request: HttpRequest, links: tuple[NavLink, ...], *, keep_unavailable: bool = False
) -> list[ResolvedLink]:
    """The links the current user can follow (plus disabled placeholders if asked)."""
    prime_user_roles(request)
    resolved: list[ResolvedLink] = []
    for link in links:
        url = url_if_available(request, link.url_name)
        if url is None:
            if keep_unavailable:
                resolved.append(ResolvedLink(link.label, link.description, "", False, False))
            continue
        resolved.append(
            ResolvedLink(link.label, link.description, url, _is_active(request, link, url), True)
        )
    return resolved


def workspace_links(request: HttpRequest) -> list[ResolvedLink]:
    """The workspace menu for this user."""
    return resolve_links(request, WORKSPACE_NAV)


def portal_links(request: HttpRequest) -> list[ResolvedLink]:
    """The portal menu: built sections as links, planned ones as placeholders."""
    return resolve_links(request, PORTAL_NAV, keep_unavailable=True)
