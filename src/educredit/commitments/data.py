"""The shipped commitment matter list and letter templates (edition 1 of each, 施行 2026-01-01).

Plain data: ``matter_list_seed`` and ``template_seed`` load it through the audited services.
The matters are those the provincial plan names (教发规〔2022〕165号, (二)2: "考试、招生、项目申报、
职称评定、学生资助、绩效考核、评优评先、数据统计、民办学校申报及变更", and (三)1's 科研诚信承诺制),
plus credit repair (信用修复型, Henan §58 and the repair rules). Scenario codes are those of the
shipped measure list (``sanctions.data.SCENARIOS``); check periods and sample rates are the
platform's proposal for the provincial office to confirm (domain rules §12 names no figures).
"""

from __future__ import annotations

import datetime
from typing import Any

EFFECTIVE = datetime.date(2026, 1, 1)
MATTER_LIST_TITLE = "河南省教育系统信用承诺事项清单"
MATTER_LIST_NOTES = "随系统发布的第 1 版，依据教发规〔2022〕165号编制。"
TEMPLATES_TITLE = "河南省教育系统信用承诺书模板"
TEMPLATES_NOTES = "随系统发布的第 1 版。"

PLAN = "《河南省教育系统信用建设工作方案》（教发规〔2022〕165号）"
HENAN = "《河南省社会信用条例》"
NOTIFY_COMMIT = (
    "《国务院办公厅关于全面推行证明事项和涉企经营许可事项告知承诺制的指导意见》"
    "（国办发〔2020〕42号）"
)
PRIVATE_LAW = "《中华人民共和国民办教育促进法实施条例》（2021）"
RESEARCH_RULES = "《科研失信行为调查处理规则》（国科发监〔2022〕221号）"
BREACH = "JY-CN-03"


def matter(
    code: str,
    name: str,
    *,
    scenario: str,
    commitment_type: str,
    accepting_body: str,
    template_code: str,
    check_method: str,
    check_due_working_days: int,
    breach_measures: str,
    publication_type: str,
    legal_basis: str,
    check_scope: str = "full",
    sample_rate: int = 100,
    online_clause: str = "",
    online_parameters: dict[str, Any] | None = None,
    concerns_minors: bool = False,
) -> dict[str, Any]:
    """One matter's attributes, as ``matter_create`` takes them."""
    return {
        "code": code,
        "name": name,
        "scenario": scenario,
        "commitment_type": commitment_type,
        "accepting_body": accepting_body,
        "template_code": template_code,
        "check_method": check_method,
        "check_due_working_days": check_due_working_days,
        "check_scope": check_scope,
        "sample_rate": sample_rate,
        "online_clause": online_clause,
        "online_parameters": online_parameters or {},
        "breach_item_code": BREACH,
        "breach_measures": breach_measures,
        "publication_type": publication_type,
        "concerns_minors": concerns_minors,
        "legal_basis": legal_basis,
    }


BLOCK = (
    f"违诺信息记入信用档案；在告知承诺等简化程序中不再适用，直至信用修复（{HENAN}第三十二条（一））"
)

MATTERS: list[dict[str, Any]] = [
    matter(
        "CN-KS-01",
        "国家教育考试报名诚信承诺",
        scenario="exam_registration",
        commitment_type="证明事项型",
        accepting_body="省教育考试院及市、县招生考试机构",
        template_code="TPL-KS",
        check_method="网络核验",
        check_due_working_days=10,
        online_clause="no_record_of_items",
        online_parameters={"items": ["JY-KS-01"]},
        breach_measures=f"取消报名或考试资格；{BLOCK}",
        publication_type="特定范围内公开",
        legal_basis=f"{PLAN}（二）2；《国家教育考试违规处理办法》；{HENAN}第五十八条",
    ),
    matter(
        "CN-ZS-01",
        "招生录取资格诚信承诺（高等学校、中等职业学校）",
        scenario="admissions",
        commitment_type="证明事项型",
        accepting_body="招生学校",
        template_code="TPL-ZMSX",
        check_method="书面核查",
        check_due_working_days=20,
        check_scope="sample",
        sample_rate=10,
        breach_measures=f"取消录取或入学资格；{BLOCK}",
        publication_type="不可公开",
        legal_basis=f"{PLAN}（二）2；{NOTIFY_COMMIT}；{HENAN}第五十八条",
    ),
    matter(
        "CN-XM-01",
        "科研项目申报科研诚信承诺",
        scenario="research_project",
        commitment_type="行业自律型",
        accepting_body="项目主管部门（省教育厅科技处）及申报单位",
        template_code="TPL-KY",
        check_method="网络核验",
        check_due_working_days=15,
        online_clause="no_record_of_items",
        online_parameters={"items": ["JY-KY-01"]},
        breach_measures=f"撤销立项、追回经费；严重的依{HENAN}第三十三条（四）认定；{BLOCK}",
        publication_type="可向社会公开",
        legal_basis=f"{PLAN}（二）2、（三）1（科研诚信承诺制）；{HENAN}第五十八条",
    ),
    # Before a project starts (not at its application, CN-XM-01): its responsible person
    # commits to research integrity (domain rules §6.4, the Shenzhen practice; plan (三)1).
    matter(
        "CN-KY-01",
        "科研活动科研诚信承诺（项目负责人）",
        scenario="research_project",
        commitment_type="行业自律型",
        accepting_body="项目承担单位（高等学校、科研机构）及其主管部门",
        template_code="TPL-KYHD",
        # The data management plan and the activity record are compared with the letter on
        # paper; the platform holds no research data to check it against.
        check_method="书面核查",
        check_due_working_days=20,
        check_scope="sample",
        sample_rate=10,
        breach_measures=(
            f"按{RESEARCH_RULES}调查处理，认定科研失信的记入科研失信行为认定信息（JY-KY-01）；{BLOCK}"
        ),
        publication_type="特定范围内公开",
        legal_basis=f"{PLAN}（三）1（科研诚信承诺制）；{RESEARCH_RULES}；{HENAN}第五十八条",
    ),
    matter(
        "CN-ZC-01",
        "职称评审材料真实性承诺",
        scenario="title_evaluation",
        commitment_type="证明事项型",
        accepting_body="职称评审委员会及其办事机构",
        template_code="TPL-ZMSX",
        check_method="书面核查",
        check_due_working_days=20,
        check_scope="sample",
        sample_rate=20,
        breach_measures=f"撤销评审结果，三年内不得申报；{BLOCK}",
        publication_type="特定范围内公开",
        legal_basis=f"{PLAN}（二）2；{NOTIFY_COMMIT}；{HENAN}第五十八条",
    ),
    matter(
        "CN-ZZ-01",
        "学生资助家庭经济困难认定承诺（含义务教育阶段学生，由监护人共同签署）",
        scenario="student_aid",
        commitment_type="证明事项型",
        accepting_body="学校学生资助管理机构",
        template_code="TPL-ZZ",
        check_method="实地调查",
        check_due_working_days=30,
        check_scope="sample",
        sample_rate=10,
        breach_measures="取消资助资格、追回资助资金（不记入未成年人信用记录）",
        publication_type="不可公开",
        concerns_minors=True,
        legal_basis=(
            f"{PLAN}（二）2；《学生资助资金管理办法》；{HENAN}第三条（未成年人不是社会信用主体）"
        ),
    ),
    matter(
        "CN-JX-01",
        "绩效考核材料真实性承诺",
        scenario="promotion",
        commitment_type="证明事项型",
        accepting_body="考核单位（教育行政部门、学校）",
        template_code="TPL-ZMSX",
        check_method="书面核查",
        check_due_working_days=15,
        check_scope="sample",
        sample_rate=10,
        breach_measures=f"考核结果作废并按规定处理；{BLOCK}",
        publication_type="不可公开",
        legal_basis=f"{PLAN}（二）2；{HENAN}第五十八条",
    ),
    matter(
        "CN-PY-01",
        "评优评先申报诚信承诺",
        scenario="awards_honours",
        commitment_type="证明事项型",
        accepting_body="评选组织单位",
        template_code="TPL-ZMSX",
        check_method="公示核查",
        check_due_working_days=10,
        breach_measures=f"撤销表彰奖励、收回荣誉称号；{BLOCK}",
        publication_type="可向社会公开",
        legal_basis=f"{PLAN}（二）2；{HENAN}第三十二条、第五十八条、第六十二条",
    ),
    matter(
        "CN-TJ-01",
        "教育统计数据真实性承诺",
        scenario="routine_supervision",
        commitment_type="行业自律型",
        accepting_body="县级以上教育行政部门（统计工作机构）",
        template_code="TPL-TJ",
        # What a bureau reported is compared with the returns in writing: the platform holds
        # no statistics records to check it against.
        check_method="书面核查",
        check_due_working_days=20,
        breach_measures=f"责令改正、通报；列为重点监管对象（{HENAN}第三十二条）",
        publication_type="特定范围内公开",
        legal_basis=f"{PLAN}（二）2（数据统计）；《中华人民共和国统计法》；{HENAN}第五十八条",
    ),
    matter(
        "CN-MB-01",
        "民办学校设立申报承诺",
        scenario="private_school_approval",
        commitment_type="审批替代型",
        accepting_body="县级以上教育行政部门（审批机关）",
        template_code="TPL-SPTD",
        check_method="实地调查",
        check_due_working_days=20,
        breach_measures=f"撤销审批决定；{BLOCK}；情节严重的依第三十三条（八）认定",
        publication_type="可向社会公开",
        legal_basis=f"{PLAN}（二）2（民办学校申报）；{PRIVATE_LAW}；{NOTIFY_COMMIT}；{HENAN}第五十八条",
    ),
    matter(
        "CN-MB-02",
        "民办学校变更办学许可证（告知承诺）",
        scenario="private_school_approval",
        commitment_type="审批替代型",
        accepting_body="县级以上教育行政部门（审批机关）",
        template_code="TPL-SPTD",
        check_method="网络核验",
        check_due_working_days=20,
        online_clause="licence_must_exist",
        online_parameters={"contains": "办学许可"},
        breach_measures=f"撤销变更决定，责令限期改正；{BLOCK}；情节严重的依第三十三条（八）认定",
        publication_type="可向社会公开",
        legal_basis=f"{PLAN}（二）2（民办学校变更）；{PRIVATE_LAW}；{NOTIFY_COMMIT}；{HENAN}第五十八条",
    ),
    matter(
        "CN-XK-01",
        "教育行政许可证明事项告知承诺",
        scenario="simplified_approval",
        commitment_type="证明事项型",
        accepting_body="县级以上教育行政部门",
        template_code="TPL-ZMSX",
        check_method="网络核验",
        check_due_working_days=10,
        online_clause="no_record_of_items",
        online_parameters={"items": ["JY-CN-03", "JY-CN-04"]},
        breach_measures=f"终止办理、撤销决定；{BLOCK}",
        publication_type="可向社会公开",
        legal_basis=f"{NOTIFY_COMMIT}；{HENAN}第三十二条、第五十八条",
    ),
    matter(
        "CN-RQ-01",
        "容缺受理承诺（补齐材料）",
        scenario="administrative_licensing",
        commitment_type="容缺受理型",
        accepting_body="县级以上教育行政部门",
        template_code="TPL-RQ",
        # The missing materials are handed in on paper and checked in writing.
        check_method="书面核查",
        check_due_working_days=10,
        breach_measures=f"取消审批决定；{BLOCK}",
        publication_type="可向社会公开",
        legal_basis=f"{NOTIFY_COMMIT}；{HENAN}第五十八条",
    ),
    matter(
        "CN-XF-01",
        "信用修复承诺",
        scenario="",
        commitment_type="信用修复型",
        accepting_body="信用信息认定单位",
        template_code="TPL-XYXF",
        check_method="免于核查",
        check_due_working_days=0,
        breach_measures="恢复按最长公示期公示，并予通报（修复承诺违诺）",
        publication_type="可向社会公开",
        legal_basis=f"{HENAN}第四十二条、第五十八条；《失信行为纠正后的信用信息修复管理办法（试行）》",
    ),
]

_TRUE = "本人（本单位）承诺所填报信息和提交材料真实、准确、完整、有效。"
_LIABILITY = (
    "如有不实承诺，愿意承担相应法律责任：受理单位可终止办理、撤销已作出的决定，"
    "违诺信息记入信用档案并依法依规共享、公开，实施相应失信惩戒措施。"
)
_CONSENT = (
    "本人（本单位）同意本承诺及其履行情况记入信用档案，按“{公开类型}”的公开类型公开，"
    "并共享至省信用信息共享平台。"
)
_DUTY = "{受理单位}对“{事项名称}”实行信用承诺制，申请人可以选择作出承诺，也可以选择提交证明材料。"


def template(
    code: str, title: str, *, content: str, proof: str, consent: str = _CONSENT
) -> dict[str, str]:
    """One template's texts, as ``template_create`` takes them."""
    return {
        "code": code,
        "title": title,
        "notice_duty": _DUTY,
        "notice_content": proof,
        "notice_liability": (
            "申请人作出不实承诺的，受理单位将终止办理或撤销相关决定，不实承诺记入信用档案，"
            f"依{HENAN}第三十二条不再适用告知承诺等简化程序；构成违法的依法追究责任。"
        ),
        "letter_content": (
            f"承诺人{{承诺人名称}}（代码：{{承诺人代码}}）就“{{事项名称}}”郑重承诺：{content}"
        ),
        "letter_liability": _LIABILITY,
        "letter_consent": f"{consent}\n承诺人：{{承诺人名称}}　承诺日期：{{承诺日期}}",
    }


TEMPLATES: list[dict[str, str]] = [
    template(
        "TPL-SPTD",
        "审批替代型信用承诺书",
        proof="申请人应具备法定条件和标准，并在承诺期限内取得或保持相关许可证件。",
        content=(
            "一、已符合审批条件和标准；二、在承诺期限内办妥并持有有效的办学许可证；"
            "三、接受{受理单位}的事中事后监管。"
        ),
    ),
    template(
        "TPL-RQ",
        "容缺受理信用承诺书",
        proof="所缺材料的名称及补齐期限以受理通知为准。",
        content="一、所提交材料真实有效；二、在约定期限内补齐所缺材料；三、逾期未补齐的，同意取消审批决定。",
    ),
    template(
        "TPL-ZMSX",
        "证明事项告知承诺书",
        proof="以承诺替代的证明事项及其证明内容以事项清单为准。",
        content=_TRUE + "以承诺替代相关证明材料，接受{受理单位}核查。",
    ),
    template(
        "TPL-KS",
        "国家教育考试诚信承诺书",
        proof="报名条件、报考资格及所填报的个人信息。",
        content=_TRUE + "遵守考试纪律，不作弊、不替考，自觉服从考试管理。",
    ),
    template(
        "TPL-KY",
        "科研诚信承诺书",
        proof="申报材料、研究数据和成果的真实性，无科研失信行为记录。",
        content=(
            _TRUE + "不抄袭、剽窃他人科研成果，不伪造、篡改研究数据和研究结论，"
            "不弄虚作假骗取科研项目、经费和奖励。"
        ),
    ),
    template(
        "TPL-KYHD",
        "科研活动科研诚信承诺书（项目负责人）",
        proof=(
            "项目负责人对项目研究过程、研究数据的真实性和保存负责；研究数据的存储位置和保存期限"
            "以科研活动记录为准。"
        ),
        content=(
            _TRUE + "在项目实施中遵守科研诚信要求，不编造研究过程，不伪造、篡改、买卖研究数据，"
            "不抄袭剽窃他人研究成果，遵守署名和学术出版规范；如实记录并按约定地点和期限保存原始"
            "研究数据，接受{受理单位}的监督检查。"
        ),
    ),
    template(
        "TPL-ZZ",
        "学生资助家庭经济困难情况承诺书（监护人共同签署）",
        proof="学生家庭经济状况。学生未满十八周岁的，由监护人共同签署。",
        content=_TRUE + "家庭经济状况如有变化及时报告学校资助管理机构。",
        consent="本承诺仅用于学生资助管理，不公开，不共享至信用信息共享平台，不用于信用筛查。",
    ),
    template(
        "TPL-TJ",
        "教育统计数据质量承诺书",
        proof="报送的统计数据真实、准确、完整、及时。",
        content="依法如实报送教育统计数据，不虚报、瞒报、拒报、迟报，不伪造、篡改统计资料，按期报送。",
    ),
    template(
        "TPL-XYXF",
        "信用修复承诺书",
        proof="失信行为已纠正、相关责任已履行的情况。",
        content=_TRUE + "已纠正失信行为、履行相关义务，今后依法诚信办学（从业）。",
    ),
]
