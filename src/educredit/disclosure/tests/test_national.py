"""The national layouts as data, and the header resolver."""

from __future__ import annotations

import pytest

from educredit.disclosure import national as n


def test_layouts_have_the_standard_fields_in_order() -> None:
    assert len(n.PENALTY_FIELDS) == 30
    assert len(n.LICENCE_FIELDS) == 28
    assert [f.code for f in n.PENALTY_FIELDS][:3] == ["CF_XDR_MC", "CF_XDR_LB", "CF_XDR_SHXYM"]
    assert n.PENALTY_FIELDS[-1].code == "BZ" and n.LICENCE_FIELDS[-1].code == "BZ"
    for fields in n.LAYOUTS.values():
        assert len({f.code for f in fields}) == len(fields)
        assert len({f.name for f in fields}) == len(fields)


@pytest.mark.parametrize("kind", n.KINDS)
def test_document_numbers_are_never_published(kind: str) -> None:
    unpublished = {f.code for f in n.layout(kind) if not f.published}
    prefix = "CF" if kind == "penalty" else "XK"
    assert unpublished == {f"{prefix}_XDR_ZJHM", f"{prefix}_FR_ZJHM"}
    assert set(n.identity_codes(kind)) == unpublished
    assert not unpublished & set(n.published_codes(kind))


@pytest.mark.parametrize(
    ("kind", "header", "code"),
    [
        ("penalty", "CF_WSH", "CF_WSH"),
        ("penalty", " cf_wsh ", "CF_WSH"),
        ("penalty", "行政处罚决定书文号", "CF_WSH"),
        ("penalty", "行政相对人代码_1（统一社会信用代码）", "CF_XDR_SHXYM"),
        ("penalty", "行政相对人代码_1(统一社会信用代码)", "CF_XDR_SHXYM"),
        ("penalty", "统一社会信用代码", "CF_XDR_SHXYM"),
        ("penalty", "*罚款金额（万元）", "CF_NR_FK"),
        ("penalty", "罚款金额 ( 万元 )", "CF_NR_FK"),
        ("penalty", "\ufeff行政相对人名称", "CF_XDR_MC"),
        ("penalty", "证件类型", "CF_XDR_ZJLX"),
        ("penalty", "法定代表人证件类型", "CF_FR_ZJLX"),
        ("licence", "有效期至", "XK_YXQZI"),
        ("licence", "有效期自", "XK_YXQZ"),
        ("licence", "XK_FR_SFZH", "XK_FR_ZJHM"),
        ("licence", "许可类别", "XK_XKLB"),
        ("licence", "处罚类别", None),
        ("penalty", "许可类别", None),
        ("penalty", "名称", None),
    ],
)
def test_resolve_header(kind: str, header: str, code: str | None) -> None:
    assert n.resolve_header(kind, header) == code


def test_resolve_headers_any_order_reports_unknown_duplicate_and_missing() -> None:
    headers = [f.name for f in reversed(n.PENALTY_FIELDS)] + ["处罚金额", "CF_WSH", ""]
    result = n.resolve_headers("penalty", headers)
    assert result.codes[0] == "BZ" and result.codes[-3:] == (None, "CF_WSH", None)
    assert result.unknown == ("处罚金额",)
    assert result.duplicates == ("CF_WSH",)
    assert result.missing == ()
    assert not result.ok
    messages = result.messages("penalty")
    assert any("处罚金额" in m and "unknown header" in m for m in messages)

    partial = n.resolve_headers("licence", ["XK_XDR_MC", "XK_WSH"])
    assert "XK_XKJGDM" in partial.missing and "XK_XDR_MC" not in partial.missing
    assert "XK_BZ" not in partial.missing and "BZ" not in partial.missing
