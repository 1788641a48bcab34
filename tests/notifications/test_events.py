"""Every event's SMS fits one message, in both languages, signature included."""

from __future__ import annotations

import string

import pytest

from notifications.events import EVENTS, render, sms_limit

SAMPLE = {
    "code": "493817",
    "minutes": 10,
    "text": "短信内容" * 10,
    "subject": "主题",
    "phone": "138****5678",
    "person": "张三",
}


class _Anything(dict):
    def __missing__(self, key):
        return "示例值"


@pytest.mark.parametrize("key", sorted(k for k, e in EVENTS.items() if e.sms))
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_sms_fits_one_message(key, language):
    context = _Anything(SAMPLE)
    event = EVENTS[key]
    names = {
        name
        for template in (event.subject, event.body, event.sms)
        for _, name, _, _ in string.Formatter().parse(str(template))
        if name
    }
    rendered = render(key, {name: context[name] for name in names}, language)
    assert len(rendered.sms) <= sms_limit(rendered.sms), rendered.sms


def test_gsm_and_ucs2_limits():
    assert sms_limit("Code 123456") == 160
    assert sms_limit("验证码 123456") == 70


def test_verification_code_text_carries_code_and_validity():
    rendered = render("phone_verification_code", {"code": "493817", "minutes": 10}, "en")
    assert "493817" in rendered.sms and "10" in rendered.sms
    assert rendered.sms.startswith("【")
