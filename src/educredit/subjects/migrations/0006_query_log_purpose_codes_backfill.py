"""Give existing query-log rows the codes of the purposes and bases the platform wrote.

Rows written before the codes carry the wording: in Chinese, or in English when the reader's
page was in English (the duty default and record entry went through gettext). Both are
mapped to the code, and the text column is set to the Chinese wording. Typed purposes and
bases match nothing and stay as typed. Reversing clears the codes (the Chinese text stays).
"""

from django.db import migrations

# code: (Chinese wording, English wordings seen in rows)
PURPOSES = {
    "duty": ("履行职责", ("Performance of official duties",)),
    "self": ("本人查询", ("The subject's own query",)),
    "self_repair": ("本人查询（信用修复）", ()),
    "self_report": ("本人下载信用报告", ()),
    "objection": ("异议处理", ()),
    "repair_review": ("信用修复审核", ()),
    "repair_on_behalf": ("代为申请信用修复", ()),
    "report_verify": ("信用报告核验", ()),
    "record_entry": ("录入信用记录", ("Enter a credit record",)),
    "record_import": ("导入信用记录", ()),
    "archive": ("查看信用档案", ()),
    "webhook": ("联合奖惩措施推送（订阅场景）", ()),
}
BASES = {
    "henan_18": (
        "《河南省社会信用条例》第十八条（政务共享）",
        ("Henan Social Credit Regulation, Article 18 (government sharing)",),
    ),
    "henan_41": ("《河南省社会信用条例》第四十一条", ()),
    "henan_43": ("《河南省社会信用条例》第四十三条", ()),
}


def codes_forward(apps, schema_editor):
    log = apps.get_model("subjects", "SubjectQueryLog")
    for code, (chinese, english) in PURPOSES.items():
        log.objects.filter(purpose_code="", purpose__in=[chinese, *english]).update(
            purpose_code=code, purpose=chinese
        )
    for code, (chinese, english) in BASES.items():
        log.objects.filter(legal_basis_code="", legal_basis__in=[chinese, *english]).update(
            legal_basis_code=code, legal_basis=chinese
        )


def codes_backward(apps, schema_editor):
    log = apps.get_model("subjects", "SubjectQueryLog")
    log.objects.exclude(purpose_code="").update(purpose_code="")
    log.objects.exclude(legal_basis_code="").update(legal_basis_code="")


class Migration(migrations.Migration):
    dependencies = [("subjects", "0005_query_log_purpose_codes")]

    operations = [migrations.RunPython(codes_forward, codes_backward)]
