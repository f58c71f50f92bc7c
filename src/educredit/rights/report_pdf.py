"""Rendering a credit report to PDF: the report template laid out by WeasyPrint (Pango, with
the Noto CJK fonts), with the verification code and its QR code in every page's footer. An
institution's public credit overview (``public_overview``) is laid out the same way from its
own template, with its own running title."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import segno
from django.template.loader import render_to_string
from django.utils import timezone, translation

_CSS = Path(__file__).resolve().parent / "static" / "rights" / "report_pdf.css"


def render_report_pdf(
    *,
    content: dict[str, Any],
    verification_code: str,
    issued_at: dt.datetime,
    verify_url: str,
    content_sha256: str,
    template: str = "rights/report_pdf.html",
    running_title: str = "",
) -> bytes:
    """The report's PDF (A4) from its content, as issued (``running_title`` replaces 信用报告
    in the page header)."""
    # Imported here: WeasyPrint loads Pango and fonts, which only issuing needs.
    from weasyprint import CSS, HTML  # type: ignore[import-untyped]

    qr = segno.make(verify_url, error="m")
    with translation.override("zh-hans"):
        html = render_to_string(
            template,
            {
                "c": content,
                "code": verification_code,
                "issued_at": timezone.localtime(issued_at),
                "verify_url": verify_url,
                "qr": qr.svg_data_uri(scale=3, border=0),
                "content_sha256": content_sha256,
            },
        )
    stylesheets = [CSS(filename=str(_CSS))]
    if running_title:
        stylesheets.append(CSS(string=f'@page {{ @top-right {{ content: "{running_title}"; }} }}'))
    return bytes(HTML(string=html).write_pdf(stylesheets=stylesheets))
