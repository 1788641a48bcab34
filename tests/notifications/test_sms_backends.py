"""SMS backends: the in-memory outbox, the console printer, and the choice by setting."""

from __future__ import annotations

import logging

import pytest
from django.core.exceptions import ImproperlyConfigured

from notifications.sms import (
    SmsPermanentError,
    SmsTransientError,
    get_sms_backend,
)
from notifications.sms import locmem as sms_locmem
from notifications.sms.console import ConsoleSmsBackend
from notifications.sms.locmem import LocmemSmsBackend

CODE_TEXT = "【ICP备案】您的验证码是 482915，10 分钟内有效。"


@pytest.fixture(autouse=True)
def empty_outbox():
    sms_locmem.clear()
    yield
    sms_locmem.clear()


def test_locmem_keeps_each_message_in_the_outbox():
    # GIVEN the in-memory backend
    backend = LocmemSmsBackend()

    # WHEN two messages are sent
    first = backend.send(
        "+8613800138000", CODE_TEXT, template_key="phone_code", params={"code": "482915"}
    )
    second = backend.send("+8613900139000", "提醒", template_key="case_notice")

    # THEN both are in the outbox in order, each with its own id
    assert [m.to for m in sms_locmem.outbox] == ["+8613800138000", "+8613900139000"]
    message = sms_locmem.outbox[0]
    assert (message.text, message.template_key, message.params) == (
        CODE_TEXT,
        "phone_code",
        {"code": "482915"},
    )
    assert message.backend_id == first
    assert first != second
    assert message.sent_at.tzinfo is not None

    # AND clear() empties it
    sms_locmem.clear()
    assert sms_locmem.outbox == []


def test_locmem_raises_queued_failures_before_sending():
    # GIVEN a transient failure queued
    backend = LocmemSmsBackend()
    sms_locmem.fail_next(SmsTransientError("gateway busy"))

    # WHEN sending twice
    with pytest.raises(SmsTransientError):
        backend.send("+8613800138000", "one", template_key="t")
    backend.send("+8613800138000", "two", template_key="t")

    # THEN only the second went out
    assert [m.text for m in sms_locmem.outbox] == ["two"]


def test_a_number_not_in_e164_is_a_permanent_error():
    backend = LocmemSmsBackend()

    with pytest.raises(SmsPermanentError):
        backend.send("13800138000", "text", template_key="t")
    assert sms_locmem.outbox == []


def test_console_prints_the_message_to_stdout_and_logs_no_code(capsys, caplog):
    # GIVEN the development backend
    backend = ConsoleSmsBackend()

    # WHEN a verification code is sent
    with caplog.at_level(logging.DEBUG):
        message_id = backend.send(
            "+8613800138000", CODE_TEXT, template_key="phone_code", params={"code": "482915"}
        )

    # THEN the whole text is on stdout
    out = capsys.readouterr().out
    assert CODE_TEXT in out
    assert "+8613800138000" in out
    assert message_id in out

    # AND the log says a message went out, without the code or the full number
    assert "phone_code" in caplog.text
    assert "482915" not in caplog.text
    assert "+8613800138000" not in caplog.text


@pytest.mark.parametrize(
    ("setting", "backend_class"),
    [("console", ConsoleSmsBackend), ("locmem", LocmemSmsBackend)],
)
def test_get_sms_backend_by_setting(settings, setting, backend_class):
    settings.SMS_BACKEND = setting
    assert isinstance(get_sms_backend(), backend_class)


@pytest.mark.parametrize(
    ("setting", "missing"),
    [("tencentcloud", "ICP_TENCENT_SMS_SECRET_ID"), ("http", "ICP_SMS_HTTP_URL")],
)
def test_gateway_backends_name_their_missing_settings(settings, setting, missing):
    settings.SMS_BACKEND = setting
    with pytest.raises(ImproperlyConfigured, match=missing):
        get_sms_backend()


def test_gateway_backends_are_chosen_by_setting(settings):
    from notifications.sms.http import HttpSmsBackend

    settings.SMS_BACKEND = "http"
    settings.SMS_HTTP_URL, settings.SMS_HTTP_SECRET = "http://127.0.0.1:9/sms", "s"
    assert isinstance(get_sms_backend(), HttpSmsBackend)


def test_an_unknown_backend_is_refused(settings):
    settings.SMS_BACKEND = "carrier-pigeon"
    with pytest.raises(ImproperlyConfigured, match="not valid"):
        get_sms_backend()


def test_console_is_refused_in_production(settings):
    # GIVEN production settings still naming the console backend
    settings.PRODUCTION = True
    settings.SMS_BACKEND = "console"

    # THEN no codes get printed into container logs: it stops with a clear message
    with pytest.raises(ImproperlyConfigured, match="development only"):
        get_sms_backend()


def test_ordered_template_parameters_are_kept_as_given():
    # GIVEN a gateway that takes template parameters in order (Tencent Cloud)
    backend = LocmemSmsBackend()

    # WHEN parameters are passed as a list
    backend.send("+8613800138000", CODE_TEXT, template_key="phone_code", params=["482915", "10"])

    # THEN the message keeps them in that order
    assert sms_locmem.outbox[0].params == ["482915", "10"]
