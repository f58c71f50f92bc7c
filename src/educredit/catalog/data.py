"""Version 1 of the education public-credit catalog as shipped (施行 2026-01-01).

Plain data: ``catalog_version_seed`` loads it through the audited services. Record fields that
every record carries as columns (decision date, document number, issuing body) are not
repeated in the field schemas; a schema lists what is specific to the item.
"""

from __future__ import annotations

import datetime
from typing import Any

VERSION_1_TITLE = "河南省教育公共信用信息目录（2026年版）"
VERSION_1_EFFECTIVE = datetime.date(2026, 1, 1)
VERSION_1_NOTES = (
    "依据《河南省社会信用条例》第十一条编制，列明数据代码、数据名称、数据格式、提供单位、主体类型、"
    "信息性质、共享属性、覆盖范围、更新周期和信息项。"
)

HENAN = "《河南省社会信用条例》"
SHUANG_GONGSHI = (
    "《国家发展改革委办公厅关于进一步完善行政许可和行政处罚等信用信息公示工作的指导意见》"
    "（发改办财金〔2018〕424号）"
)
PENALTY_LAW = "《中华人民共和国行政处罚法》"
COVERAGE_ALL = "全省各级教育行政部门及所属学校、教育机构"
COVERAGE_HE = "全省高等学校及科研机构"

# Who records an item (``recorder_kinds``: ``OrganisationKind`` values), from its 提供单位.
# Licences, penalties, annual inspections, listings: education administrations (县级以上教育
# 行政部门) only, never a school. Ethics, student aid, commitments: the school as well.
BUREAUS = ("province", "city", "county")
SCHOOLS = ("university", "vocational", "school", "kindergarten")
EVERY_BODY = (*BUREAUS, *SCHOOLS, "other")


def f(
    name: str,
    label: str,
    kind: str = "text",
    *,
    required: bool = False,
    public: bool = True,
    max_length: int | None = None,
    choices: list[str] | None = None,
) -> dict[str, Any]:
    """One field of a schema."""
    return {
        "name": name,
        "label": label,
        "type": kind,
        "required": required,
        "public": public,
        "max_length": max_length if max_length is not None else (2000 if kind == "text" else None),
        "choices": choices or [],
    }


PENALTY_FIELDS = [
    f("violation_type", "违法行为类型", required=True, max_length=500),
    f("violation_facts", "违法事实", required=True),
    f("penalty_basis", "处罚依据", required=True),
    f("penalty_category", "处罚类别", required=True, max_length=200),
    f("penalty_content", "处罚内容", required=True),
    f("fine_amount", "罚款金额（万元）", "decimal"),
    f("confiscated_amount", "没收违法所得、没收非法财物的金额（万元）", "decimal"),
    f("licence_suspended", "暂扣或吊销证照名称及编号", max_length=200),
    f("legal_representative", "法定代表人", max_length=50),
    f("valid_until", "处罚有效期", "date", required=True),
    f("data_source", "数据来源单位", public=False, max_length=200),
    f("remarks", "备注", public=False),
]

LIST_FIELDS = [
    f("listing_reason", "列入事由", required=True),
    f("listing_basis", "认定依据", required=True),
    f("measures", "激励或惩戒措施"),
    f("valid_until", "有效期至", "date"),
    f("exit_conditions", "移出条件"),
]


def item(
    code: str,
    name: str,
    *,
    provider: str,
    subject_type: str,
    category: str,
    severity: str,
    disclosure_mode: str,
    sharing: str,
    legal_basis: str,
    fields: list[dict[str, Any]],
    two_person_rule: bool = True,
    reportable: bool = False,
    update_cycle: str = "实时",
    coverage: str = COVERAGE_ALL,
    nature: str = "",
    recorder_kinds: tuple[str, ...] = BUREAUS,
) -> dict[str, Any]:
    """One item of the shipped catalog, as ``catalog_item_create`` arguments."""
    if not nature:
        nature = {
            "trustworthy": "守信信息",
            "neutral": "其他信息",
        }.get(severity, "失信信息")
    return {
        "code": code,
        "name": name,
        "data_format": "结构化",
        "provider": provider,
        "subject_type": subject_type,
        "category": category,
        "nature": nature,
        "sharing": sharing,
        "coverage": coverage,
        "update_cycle": update_cycle,
        "field_schema": fields,
        "severity": severity,
        "disclosure_mode": disclosure_mode,
        "legal_basis": legal_basis,
        "two_person_rule": two_person_rule,
        "reportable": reportable,
        "recorder_kinds": list(recorder_kinds),
    }


# The tiers of a research-misconduct ban (《科研失信行为调查处理规则》, 国科发监〔2022〕221号), with
# the years domain-rules §6.4/§12 give them — [U]: to be confirmed by the provincial office
# against the official text. Only the names are data of a record; the years are guidance.
RESEARCH_BAN_TIERS: dict[str, str] = {
    "情节较轻": "1–3年",
    "情节较重": "3–5年",
    "情节严重": "5年以上",
}

# A commitment not kept (JY-CN-03, and JY-CN-04 with its serious consequences).
BREACH_FIELDS = [
    f("commitment_number", "承诺编码", required=True, max_length=20),
    f(
        "fulfilment_status",
        "承诺履行状态",
        "choice",
        required=True,
        choices=["部分履行", "全部未履行"],
    ),
    f("unperformed_content", "未履行的承诺内容", required=True, max_length=4000),
    f("liability_pursued", "违诺责任追究内容", required=True, max_length=4000),
    f("confirming_unit", "履行状态认定单位", max_length=200),
]

VERSION_1_ITEMS: list[dict[str, Any]] = [
    item(
        "JY-XK-01",
        "行政许可信息",
        provider="县级以上教育行政部门",
        # Institutions (办学许可) and people (教师资格认定 is a licence on a natural person).
        subject_type="both",
        category="licence",
        severity="neutral",
        disclosure_mode="public",
        sharing="unconditional",
        reportable=True,
        two_person_rule=False,
        update_cycle="作出决定之日起7个工作日内",
        legal_basis=(
            "《中华人民共和国行政许可法》；《中华人民共和国民办教育促进法》及其实施条例（2021）"
            f"第四十七条；{SHUANG_GONGSHI}；{HENAN}第十二条"
        ),
        fields=[
            f(
                "licence_category",
                "许可类别",
                "choice",
                required=True,
                choices=["普通", "特许", "认可", "核准", "登记", "其他"],
            ),
            f("licence_document_name", "行政许可决定文书名称", max_length=200),
            f("certificate_name", "许可证书名称", max_length=200),
            f("licence_number", "许可编号", max_length=100),
            f("licence_content", "许可内容", required=True),
            f("valid_from", "有效期自", "date", required=True),
            f("valid_until", "有效期至", "date", required=True),
            f("legal_representative", "法定代表人", max_length=50),
            f("data_source", "数据来源单位", public=False, max_length=200),
        ],
    ),
    item(
        "JY-CF-01",
        "行政处罚信息（轻微失信）",
        provider="县级以上教育行政部门",
        subject_type="both",
        category="penalty",
        severity="minor",
        disclosure_mode="government",
        sharing="conditional",
        reportable=True,
        update_cycle="作出决定之日起7个工作日内",
        legal_basis=(
            f"{PENALTY_LAW}第九条、第四十八条、第五十一条；{HENAN}第十三条；"
            "《信用修复管理办法》（2025）：轻微失信信息原则上不予公示"
        ),
        fields=PENALTY_FIELDS,
    ),
    item(
        "JY-CF-02",
        "行政处罚信息（一般失信）",
        provider="县级以上教育行政部门",
        subject_type="both",
        category="penalty",
        severity="general",
        disclosure_mode="public",
        sharing="unconditional",
        reportable=True,
        update_cycle="作出决定之日起7个工作日内",
        legal_basis=(
            f"{PENALTY_LAW}第九条、第四十八条；{SHUANG_GONGSHI}；{HENAN}第十三条、第十九条、第二十条"
        ),
        fields=PENALTY_FIELDS,
    ),
    item(
        "JY-CF-03",
        "行政处罚信息（严重失信）",
        provider="县级以上教育行政部门",
        subject_type="both",
        category="penalty",
        severity="serious",
        disclosure_mode="public",
        sharing="unconditional",
        reportable=True,
        update_cycle="作出决定之日起7个工作日内",
        legal_basis=(
            f"{PENALTY_LAW}第九条、第四十八条；{SHUANG_GONGSHI}；"
            f"{HENAN}第十九条、第二十条、第三十三条"
        ),
        fields=PENALTY_FIELDS,
    ),
    item(
        "JY-CN-01",
        "信用承诺信息",
        provider="承诺受理单位",
        recorder_kinds=EVERY_BODY,
        subject_type="both",
        category="commitment",
        severity="neutral",
        disclosure_mode="public",
        sharing="unconditional",
        reportable=True,
        two_person_rule=False,
        legal_basis=(
            f"{HENAN}第五十八条；《国务院办公厅关于全面推行证明事项和涉企经营许可事项告知承诺制的"
            "指导意见》（国办发〔2020〕42号）"
        ),
        fields=[
            f(
                "commitment_type",
                "承诺类型",
                "choice",
                required=True,
                choices=[
                    "审批替代型",
                    "容缺受理型",
                    "证明事项型",
                    "信用修复型",
                    "行业自律型",
                    "主动型",
                ],
            ),
            f("commitment_reason", "承诺事由", required=True, max_length=512),
            f("commitment_content", "承诺内容", required=True, max_length=4000),
            f("breach_liability", "违诺责任", required=True, max_length=4000),
            f("valid_until", "承诺有效期", "date"),
            f("acceptance_unit", "承诺受理单位", required=True, max_length=200),
            f("acceptance_unit_uscc", "承诺受理单位统一社会信用代码", "uscc", required=True),
            f(
                "publication_type",
                "公开类型",
                "choice",
                required=True,
                choices=["可向社会公开", "特定范围内公开", "不可公开"],
            ),
        ],
    ),
    item(
        "JY-CN-02",
        "信用承诺履行信息",
        provider="承诺受理单位",
        recorder_kinds=EVERY_BODY,
        subject_type="both",
        category="commitment",
        severity="trustworthy",
        disclosure_mode="public",
        sharing="unconditional",
        reportable=True,
        two_person_rule=False,
        legal_basis=f"{HENAN}第五十八条",
        fields=[
            f("commitment_number", "承诺编码", required=True, max_length=20),
            f("fulfilment_status", "承诺履行状态", "choice", required=True, choices=["全部履行"]),
            f("confirming_unit", "履行状态认定单位", max_length=200),
        ],
    ),
    item(
        "JY-CN-03",
        "信用承诺未履行（违诺）信息",
        provider="承诺受理单位",
        recorder_kinds=EVERY_BODY,
        subject_type="both",
        category="commitment",
        severity="general",
        disclosure_mode="public",
        sharing="unconditional",
        reportable=True,
        legal_basis=f"{HENAN}第三十二条、第三十三条第（八）项、第五十八条",
        fields=BREACH_FIELDS,
    ),
    # §33(八): a PUBLIC commitment not kept with serious consequences is serious dishonesty; it
    # may ground a serious-dishonesty listing (the list procedure, records.lists).
    item(
        "JY-CN-04",
        "违背公开信用承诺造成严重后果信息",
        provider="承诺受理单位",
        recorder_kinds=EVERY_BODY,
        subject_type="both",
        category="commitment",
        severity="serious",
        disclosure_mode="public",
        sharing="unconditional",
        reportable=True,
        legal_basis=f"{HENAN}第三十二条、第三十三条第（八）项、第五十八条",
        fields=[
            *BREACH_FIELDS,
            f("serious_consequences", "造成的严重后果", required=True, max_length=4000),
        ],
    ),
    item(
        "JY-NJ-01",
        "年检年审结果信息",
        provider="县级以上教育行政部门",
        subject_type="institution",
        category="inspection",
        severity="neutral",
        disclosure_mode="public",
        sharing="unconditional",
        reportable=True,
        two_person_rule=False,
        update_cycle="每年",
        legal_basis="《中华人民共和国民办教育促进法实施条例》（2021）第四十七条",
        fields=[
            f("inspection_year", "年检年度", "integer", required=True),
            f(
                "result",
                "年检结论",
                "choice",
                required=True,
                choices=["优秀", "合格", "基本合格", "不合格"],
            ),
            f("problems", "存在问题"),
            f("rectification", "整改要求"),
            f("rectify_by", "整改期限", "date"),
        ],
    ),
    item(
        "JY-TS-01",
        "投诉举报信息",
        provider="县级以上教育行政部门",
        subject_type="both",
        category="complaint",
        severity="neutral",
        disclosure_mode="government",
        sharing="conditional",
        two_person_rule=False,
        legal_basis=f"{HENAN}第二十四条；《信访工作条例》",
        fields=[
            f(
                "channel",
                "受理渠道",
                "choice",
                required=True,
                public=False,
                choices=["电话", "网站", "信件", "来访", "上级转办", "其他"],
            ),
            f("received_on", "受理日期", "date", required=True, public=False),
            f("matter", "投诉举报事项", required=True, public=False),
            f(
                "finding",
                "核查结论",
                "choice",
                required=True,
                public=False,
                choices=["核查中", "属实", "部分属实", "不属实"],
            ),
            f("handling", "处理情况", public=False),
        ],
    ),
    item(
        "JY-PJ-01",
        "信用评价等级信息",
        provider="省、市、县教育行政部门",
        subject_type="institution",
        category="evaluation",
        severity="neutral",
        disclosure_mode="government",
        sharing="conditional",
        two_person_rule=False,
        update_cycle="每年",
        legal_basis=f"{HENAN}第二十六条；教育行业信用评价标准（省教育厅制定）",
        fields=[
            f("evaluation_year", "评价年度", "integer", required=True),
            f("grade", "信用等级", "choice", required=True, choices=["A", "B", "C", "D"]),
            f("score", "评价得分", "decimal"),
            f("standard", "评价标准及版本", max_length=200),
        ],
    ),
    item(
        "JY-SD-01",
        "师德考核结果信息",
        provider="教师所在学校、县级以上教育行政部门",
        recorder_kinds=EVERY_BODY,
        subject_type="person",
        category="ethics",
        severity="neutral",
        disclosure_mode="government",
        sharing="conditional",
        two_person_rule=False,
        update_cycle="每年",
        legal_basis=(
            "《中小学教师违反职业道德行为处理办法（2018年修订）》；《新时代中小学教师职业行为十项准则》"
        ),
        fields=[
            f("appraisal_year", "考核年度", "integer", required=True, public=False),
            f(
                "grade",
                "考核等次",
                "choice",
                required=True,
                public=False,
                choices=["优秀", "合格", "基本合格", "不合格"],
            ),
            f("remarks", "说明", public=False),
        ],
    ),
    item(
        "JY-SD-02",
        "师德失范行为处理信息",
        provider="教师所在学校、县级以上教育行政部门",
        recorder_kinds=EVERY_BODY,
        subject_type="person",
        category="ethics",
        severity="general",
        disclosure_mode="government",
        sharing="conditional",
        reportable=False,
        legal_basis=(
            "《中小学教师违反职业道德行为处理办法（2018年修订）》《幼儿园教师违反职业道德行为处理办法》"
            "（教师〔2018〕19号）；《教育部关于高校教师师德失范行为处理的指导意见》（教师〔2018〕17号）"
        ),
        fields=[
            f("misconduct", "失范行为", required=True, public=False),
            f(
                "handling",
                "处理类型",
                "choice",
                required=True,
                public=False,
                choices=[
                    "批评教育",
                    "诫勉谈话",
                    "责令检查",
                    "通报批评",
                    "警告",
                    "记过",
                    "记大过",
                    "降低岗位等级或撤职",
                    "开除",
                ],
            ),
            f("disqualification", "取消资格事项", public=False),
            f("disqualified_until", "取消资格执行至", "date", public=False),
            # The day the 处分 lifts (处分期满解除), as the sanction clock computed it.
            f("sanction_until", "处分期满解除日期", "date", public=False),
            f("employer", "所在单位", required=True, public=False, max_length=200),
        ],
    ),
    item(
        "JY-ZG-01",
        "教师资格撤销信息",
        provider="县级以上教育行政部门",
        subject_type="person",
        category="qualification",
        severity="serious",
        disclosure_mode="public",
        sharing="unconditional",
        reportable=True,
        legal_basis="《中华人民共和国教师法》；《教师资格条例》第十九条",
        fields=[
            f("qualification_kind", "教师资格种类", required=True, max_length=100),
            f("certificate_number", "教师资格证书编号", required=True, public=False, max_length=40),
            f(
                "ground",
                "撤销情形",
                "choice",
                required=True,
                choices=[
                    "弄虚作假、骗取教师资格",
                    "品行不良、侮辱学生，影响恶劣",
                    "使用假资格证书",
                ],
            ),
            f("facts", "违法事实", required=True, public=False),
            f("reapply_from", "可重新申请认定日期", "date", required=True),
        ],
    ),
    item(
        "JY-ZG-02",
        "教师资格丧失信息",
        provider="县级以上教育行政部门",
        subject_type="person",
        category="qualification",
        severity="serious",
        disclosure_mode="public",
        sharing="unconditional",
        reportable=True,
        legal_basis="《中华人民共和国教师法》第十四条；《教师资格条例》第十八条",
        fields=[
            f("qualification_kind", "教师资格种类", required=True, max_length=100),
            f("certificate_number", "教师资格证书编号", required=True, public=False, max_length=40),
            f("judgment_number", "刑事判决书文号", required=True, public=False, max_length=120),
            f(
                "ground",
                "丧失情形",
                "choice",
                required=True,
                choices=["受到剥夺政治权利", "故意犯罪受到有期徒刑以上刑事处罚"],
            ),
        ],
    ),
    item(
        "JY-XS-01",
        "学术不端行为认定信息",
        provider="高等学校",
        recorder_kinds=("university",),
        subject_type="person",
        category="misconduct",
        severity="serious",
        disclosure_mode="public",
        sharing="unconditional",
        reportable=True,
        coverage=COVERAGE_HE,
        legal_basis=(
            "《高等学校预防与处理学术不端行为办法》（教育部令第40号）第二十七条至第三十条；"
            f"《中华人民共和国学位法》第三十七条；{HENAN}第三十三条第（四）项"
        ),
        fields=[
            f(
                "misconduct_type",
                "学术不端行为类型",
                "choice",
                required=True,
                choices=[
                    "剽窃、抄袭、侵占他人学术成果",
                    "篡改他人研究成果",
                    "伪造科研数据、资料、文献、注释，或者捏造事实、编造虚假研究成果",
                    "不当署名",
                    "提供虚假学术信息",
                    "买卖论文、由他人代写或者为他人代写论文",
                    "其他学术不端行为",
                ],
            ),
            f("facts", "经查证的事实", required=True),
            f("serious_circumstances", "情节严重", "boolean"),
            f("sanctions", "处理意见", required=True),
            f("remedy", "救济途径和期限", public=False),
        ],
    ),
    item(
        "JY-KY-01",
        "科研失信行为认定信息",
        provider="高等学校、科研机构、县级以上教育行政部门",
        recorder_kinds=(*BUREAUS, "university", "other"),
        subject_type="person",
        category="misconduct",
        severity="serious",
        disclosure_mode="public",
        sharing="unconditional",
        reportable=True,
        coverage=COVERAGE_HE,
        legal_basis=(
            "《科研失信行为调查处理规则》（国科发监〔2022〕221号）第二条；"
            f"《科学技术活动违规行为处理暂行规定》（科技部令第19号）；{HENAN}第三十三条第（四）项"
        ),
        fields=[
            f(
                "misconduct_type",
                "科研失信行为类型",
                "choice",
                required=True,
                choices=[
                    "抄袭剽窃、侵占他人研究成果或项目申请书",
                    "编造研究过程、伪造或篡改研究数据和结论",
                    "买卖、代写、代投论文或项目申报验收材料",
                    "以不正当手段获得科研活动审批、项目、经费、奖励、荣誉",
                    "弄虚作假获得科技伦理审查批准",
                    "违反署名规范",
                    "违反学术出版规范",
                    "其他科研失信行为",
                ],
            ),
            # 责任主体 is the record's subject; the rest is the local 科技信用信息 layout
            # (处理单位、处理生效时间、惩戒期限) and the rules' tiers (§12: their years are [U]).
            f("facts", "失信行为", required=True),
            f("handling_result", "处理结果", required=True),
            f("handling_body", "处理单位", required=True, max_length=200),
            f("handling_basis", "处理依据", required=True),
            f("effective_on", "处理生效时间", "date", required=True),
            f("sanction_until", "惩戒期限至", "date"),
            f(
                "ban_tier",
                "惩戒档次",
                "choice",
                choices=list(RESEARCH_BAN_TIERS),
            ),
            f("aggravating", "从重情节"),
        ],
    ),
    item(
        "JY-KS-01",
        "国家教育考试违规信息",
        provider="教育考试机构、县级以上教育行政部门",
        recorder_kinds=(*BUREAUS, "other"),
        subject_type="person",
        category="exam",
        severity="serious",
        disclosure_mode="government",
        sharing="conditional",
        reportable=True,
        legal_basis=(
            "《中华人民共和国教育法》第七十七条、第七十九条；《国家教育考试违规处理办法》"
            f"（教育部令第33号）；{HENAN}第三十三条第（四）项"
        ),
        fields=[
            f("exam_name", "考试名称", required=True, max_length=200),
            f("exam_date", "考试日期", "date", required=True),
            f(
                "violation_kind",
                "违规类别",
                "choice",
                required=True,
                choices=[
                    "违纪",
                    "作弊",
                    "由他人代考或代替他人参加考试",
                    "组织作弊",
                    "冒名顶替入学",
                ],
            ),
            f("facts", "违规事实", required=True, public=False),
            f("handling", "处理结果", required=True),
            f("exam_ban_until", "停考期限至", "date"),
        ],
    ),
    item(
        "JY-XY-01",
        "定向、公费培养协议违约信息",
        provider="培养学校、县级以上教育行政部门",
        recorder_kinds=(*BUREAUS, "university", "vocational"),
        subject_type="person",
        category="contract",
        severity="general",
        disclosure_mode="government",
        sharing="conditional",
        reportable=True,
        legal_basis=(
            "《教育部直属师范大学师范生公费教育实施办法》；农村订单定向医学生免费培养相关规定；"
            f"{HENAN}第二十条"
        ),
        fields=[
            f(
                "programme",
                "培养类别",
                "choice",
                required=True,
                choices=["部属公费师范生", "地方公费师范生", "农村订单定向医学生", "其他定向培养"],
            ),
            f("agreement_number", "协议编号", public=False, max_length=60),
            f(
                "breach_type",
                "违约情形",
                "choice",
                required=True,
                choices=["未按协议从教或就业", "服务期未满", "未取得学历学位或相应资格", "其他"],
            ),
            f("refund_amount", "应退还费用（元）", "decimal", public=False),
            f("penalty_amount", "违约金（元）", "decimal", public=False),
            f("paid", "已退还并缴纳违约金", "boolean", public=False),
        ],
    ),
    item(
        "JY-ZZ-01",
        "骗取学生资助信息",
        provider="学生资助管理机构、学校",
        recorder_kinds=EVERY_BODY,
        subject_type="person",
        category="aid",
        severity="general",
        disclosure_mode="government",
        sharing="conditional",
        reportable=True,
        legal_basis=f"{HENAN}第二十条第（一）项、第三十三条第（九）项；学生资助资金管理办法",
        fields=[
            f(
                "aid_type",
                "资助项目",
                "choice",
                required=True,
                choices=[
                    "国家助学金",
                    "国家奖学金",
                    "国家励志奖学金",
                    "生源地信用助学贷款",
                    "学费减免",
                    "其他资助",
                ],
            ),
            f("amount", "涉及金额（元）", "decimal", required=True, public=False),
            f("means", "骗取手段", required=True, public=False),
            f("recovered", "资金已追回", "boolean", public=False),
            f("handling", "处理结果", required=True, public=False),
        ],
    ),
    # Reported by the 经办银行 to the student-aid centre, which enters it (by page, or through
    # the records API with the bank's client on the centre's organisation). When arrears count
    # as a default is not settled (domain-rules §11.5): the bank's report is the fact.
    item(
        "JY-ZZ-02",
        "国家助学贷款违约信息",
        provider="经办银行、学生资助管理机构",
        recorder_kinds=(*BUREAUS, "other"),
        subject_type="person",
        category="aid",
        severity="general",
        disclosure_mode="government",
        sharing="conditional",
        reportable=True,
        legal_basis=(
            f"{HENAN}第十二条第（三）项、第二十三条；国家助学贷款相关规定"
            "（经办银行向金融信用信息基础数据库报送借款学生还款情况）"
        ),
        fields=[
            f("contract_number", "贷款合同编号", required=True, public=False, max_length=60),
            f("bank", "经办银行", required=True, max_length=200),
            f("overdue_amount", "逾期金额（元）", "decimal", required=True, public=False),
            f("overdue_since", "逾期起始日期", "date", required=True),
            f("reported_on", "银行报送日期", "date", required=True),
        ],
    ),
    item(
        "JY-BZ-01",
        "表彰奖励与先进事迹信息",
        provider="县级以上人民政府及教育行政部门",
        subject_type="both",
        category="honour",
        severity="trustworthy",
        disclosure_mode="public",
        sharing="unconditional",
        reportable=True,
        legal_basis=f"{HENAN}第十二条第（四）项、第十九条（守信信息可以长期公示）",
        fields=[
            f("honour_name", "表彰奖励名称", required=True, max_length=200),
            f(
                "level",
                "级别",
                "choice",
                required=True,
                choices=["国家级", "省级", "市级", "县级", "校级"],
            ),
            f("awarding_body", "授予单位", required=True, max_length=200),
            f("deeds", "先进事迹"),
        ],
    ),
    item(
        "JY-MD-01",
        "红名单（守信激励对象名单）",
        provider="省教育厅",
        subject_type="both",
        category="list",
        severity="trustworthy",
        disclosure_mode="public",
        sharing="unconditional",
        reportable=True,
        legal_basis=f"{HENAN}第二十六条至第三十条",
        fields=LIST_FIELDS,
    ),
    item(
        "JY-MD-02",
        "严重失信主体名单",
        provider="省教育厅",
        subject_type="both",
        category="list",
        severity="serious",
        disclosure_mode="public",
        sharing="unconditional",
        reportable=True,
        legal_basis=(
            f"{HENAN}第二十七条至第二十九条、第三十三条至第三十七条；"
            "《国务院办公厅关于进一步完善失信约束制度构建诚信建设长效机制的指导意见》（国办发〔2020〕49号）"
        ),
        fields=LIST_FIELDS,
    ),
    item(
        "JY-MD-03",
        "失信重点关注名单",
        provider="省教育厅",
        subject_type="both",
        category="list",
        severity="general",
        disclosure_mode="government",
        sharing="conditional",
        reportable=True,
        legal_basis=f"{HENAN}第二十七条、第三十二条",
        fields=LIST_FIELDS,
    ),
    # "记入科研诚信严重失信行为数据库" is a measure of the research rules; whether the database
    # is public the reference does not say ([R]), so it is shared with government only.
    item(
        "JY-MD-04",
        "科研诚信严重失信行为数据库",
        provider="省教育厅",
        subject_type="both",
        category="list",
        severity="serious",
        disclosure_mode="government",
        sharing="conditional",
        reportable=True,
        coverage=COVERAGE_HE,
        legal_basis=(
            "《科研失信行为调查处理规则》（国科发监〔2022〕221号）；"
            f"《科学技术活动违规行为处理暂行规定》（科技部令第19号）；{HENAN}第二十七条"
        ),
        fields=LIST_FIELDS,
    ),
]
