"""Store the rule of each record's disclosure window as a code, shown in the reader's language.

Windows computed before stored the rule as "中文 / English" text, the two languages side by
side. This maps each such text to its code (``records.windows``: a base such as
``policy:2023:general``, ``hidden;`` before it when the catalog does not publish the item,
``;listed`` and ``;<status>`` after it) with a frozen copy of the texts as they were
written; a text it does not recognise (cut at 200 characters) is left for the nightly
recompute, which writes the code. Reversing writes the texts back from the same tables.
"""

from django.db import migrations

# The texts as records.windows wrote them before the codes (frozen: the module may change).
BASES = {
    "2017年规则（发改办财金〔2017〕1171号）：轻微失信（按一般） 1年 / 2017 rule (NDRC 1171/2017): minor (as general) 1 year": "policy:2017:minor",
    "2017年规则（发改办财金〔2017〕1171号）：一般失信 1年 / 2017 rule (NDRC 1171/2017): general 1 year": "policy:2017:general",
    "2017年规则（发改办财金〔2017〕1171号）：严重失信 3年 / 2017 rule (NDRC 1171/2017): serious 3 years": "policy:2017:serious",
    "2019年规则（发改办财金〔2019〕527号）：轻微失信（按一般） 3个月–1年 / 2019 rule (NDRC 527/2019): minor (as general) 3 months–1 year": "policy:2019:minor",
    "2019年规则（发改办财金〔2019〕527号）：一般失信 3个月–1年 / 2019 rule (NDRC 527/2019): general 3 months–1 year": "policy:2019:general",
    "2019年规则（发改办财金〔2019〕527号）：严重失信 6个月–3年 / 2019 rule (NDRC 527/2019): serious 6 months–3 years": "policy:2019:serious",
    "2023年规则（国家发展改革委令2023年第58号）：轻微失信 3个月–3年 / 2023 rule (NDRC Order 58/2023): minor 3 months–3 years": "policy:2023:minor",
    "2023年规则（国家发展改革委令2023年第58号）：一般失信 3个月–3年 / 2023 rule (NDRC Order 58/2023): general 3 months–3 years": "policy:2023:general",
    "2023年规则（国家发展改革委令2023年第58号）：严重失信 3个月–3年 / 2023 rule (NDRC Order 58/2023): serious 3 months–3 years": "policy:2023:serious",
    "2023年规则（国家发展改革委令2023年第58号）：特种设备/安全生产/消防 1年–3年 / 2023 rule (NDRC Order 58/2023): special equipment/safety/fire 1 year–3 years": "policy:2023:minor:special_equipment",
    "2026年规则（国家发展改革委令第36号）：轻微失信原则上不公示 / 2026 rule (NDRC Order 36): minor: not published": "policy:2026:minor",
    "2026年规则（国家发展改革委令第36号）：一般失信 3个月–1年 / 2026 rule (NDRC Order 36): general 3 months–1 year": "policy:2026:general",
    "2026年规则（国家发展改革委令第36号）：严重失信 1年–3年 / 2026 rule (NDRC Order 36): serious 1 year–3 years": "policy:2026:serious",
    "守信信息长期公示（河南条例第十九条）/ trustworthy: long-term (Henan §19)": "long_term:trustworthy",
    "中性信息长期公示 / neutral information: long-term": "long_term:neutral",
    "不公示：对自然人适用简易程序的处罚（河南条例第十三条） / never public: simplified-procedure penalty on a person (Henan §13)": "never:simplified",
    "不公示：自然人轻微违法已主动改正（河南条例第十三条） / never public: minor violation corrected by a person (Henan §13)": "never:corrected",
}
HIDDEN = "不公示（目录非公开公示）/ not public (catalog mode)；"
LISTED = "；列入名单期间延长（河南§19）/ extended while listed"
STATUSES = {
    "draft": "；未生效 / not yet effective",
    "submitted": "；未生效 / not yet effective",
    "revoked": "；已撤销，当日撤下 / revoked: withdrawn that day",
    "repaired": "；已修复，终止公示 / repaired: disclosure ended",
    "expired": "；已届满 / expired",
}

# The 2023 safety sectors share one text; any code giving that text will do.


def _code(text, status):
    hidden = text.startswith(HIDDEN)
    rest = text[len(HIDDEN) :] if hidden else text
    base = next((b for b in sorted(BASES, key=len, reverse=True) if rest.startswith(b)), None)
    if base is None:
        return None
    code, rest = BASES[base], rest[len(base) :]
    if rest.startswith(LISTED):
        code, rest = code + ";listed", rest[len(LISTED) :]
    if rest and status in STATUSES and rest == STATUSES[status]:
        code, rest = f"{code};{status}", ""
    if rest:
        return None
    return f"hidden;{code}" if hidden else code


def _text(code):
    parts = code.split(";")
    hidden = parts[0] == "hidden"
    if hidden:
        parts = parts[1:]
    texts = {value: key for key, value in BASES.items()}
    text = (HIDDEN if hidden else "") + texts.get(parts[0], parts[0])
    for part in parts[1:]:
        text += LISTED if part == "listed" else STATUSES.get(part, "")
    return text[:200]


def rules_to_codes(apps, schema_editor):
    record = apps.get_model("records", "CreditRecord")
    rows = record.objects.exclude(window_rule="").filter(window_rule__contains=" / ")
    for pk, text, status in rows.values_list("pk", "window_rule", "status").iterator():
        code = _code(text, status)
        if code is not None:
            record.objects.filter(pk=pk).update(window_rule=code)


def codes_to_rules(apps, schema_editor):
    record = apps.get_model("records", "CreditRecord")
    rows = record.objects.exclude(window_rule="").exclude(window_rule__contains=" / ")
    for pk, code in rows.values_list("pk", "window_rule").iterator():
        record.objects.filter(pk=pk).update(window_rule=_text(code))


class Migration(migrations.Migration):
    dependencies = [("records", "0002_drop_indexes_covered_by_composites")]

    operations = [migrations.RunPython(rules_to_codes, codes_to_rules)]
