"""Messages carrying both languages show the reader's (ADR 0038)."""

from __future__ import annotations

import json
import pickle

from django.template import Context, Template
from django.utils import translation

from educredit.core.i18n import Bilingual


def test_a_bilingual_message_is_chinese_as_data_and_the_reader_language_when_shown():
    message = Bilingual("校验码应为 3", "check character should be 3")
    assert message == "校验码应为 3" and json.dumps(message, ensure_ascii=False) == '"校验码应为 3"'
    template = Template("{{ message }}")
    assert template.render(Context({"message": message})) == "校验码应为 3"
    assert str(ValueError(message)) == "校验码应为 3"
    with translation.override("en"):
        assert template.render(Context({"message": message})) == "check character should be 3"
        assert str(ValueError(message)) == "check character should be 3"
    again = pickle.loads(pickle.dumps(message))  # noqa: S301 - our own object
    assert (again.zh, again.en) == (message.zh, message.en)


def test_a_stored_system_reason_is_shown_in_the_reader_language():
    template = Template("{% load educredit_i18n %}{{ reason|reader_language }}")
    context = {"reason": "公示期届满 / window ended"}
    assert template.render(Context(context)) == "公示期届满"
    with translation.override("en"):
        assert template.render(Context(context)) == "window ended"
        # A reason a person typed is shown as typed.
        assert template.render(Context({"reason": "经复核予以撤销"})) == "经复核予以撤销"
