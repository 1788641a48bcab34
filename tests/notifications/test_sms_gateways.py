"""The Tencent Cloud and HTTP SMS backends, each against a local stub of its API."""

from __future__ import annotations

import json

import pytest

from notifications.sms.base import SmsPermanentError, SmsTransientError
from notifications.sms.http import HttpSmsBackend, signature
from notifications.sms.tencentcloud import TencentCloudSmsBackend
from tests.http_stub import HttpStub


@pytest.fixture
def stub():
    answers: list[tuple[int, object]] = []
    server = HttpStub(respond=lambda request: answers.pop(0)).start()
    server.answers = answers
    yield server
    server.stop()


@pytest.fixture
def tencent(settings, stub):
    settings.TENCENT_SMS_SECRET_ID = "AKIDtest"
    settings.TENCENT_SMS_SECRET_KEY = "secret"
    settings.TENCENT_SMS_APP_ID = "1400000000"
    settings.TENCENT_SMS_SIGN_NAME = "演示云"
    settings.TENCENT_SMS_ENDPOINT = stub.host_port
    settings.TENCENT_SMS_SCHEME = "http"
    settings.SMS_TEMPLATE_IDS = {"phone_verification_code": "123456"}
    return TencentCloudSmsBackend()


def _tencent_ok(serial="2433:1"):
    return 200, {
        "Response": {
            "SendStatusSet": [
                {
                    "SerialNo": serial,
                    "PhoneNumber": "+8613812345678",
                    "Fee": 1,
                    "SessionContext": "",
                    "Code": "Ok",
                    "Message": "send success",
                    "IsoCode": "CN",
                }
            ],
            "RequestId": "r1",
        }
    }


def test_tencent_sends_the_template_with_its_parameters(tencent, stub):
    stub.answers.append(_tencent_ok())
    message_id = tencent.send(
        "+8613812345678",
        "ignored text",
        template_key="phone_verification_code",
        params={"code": "493817", "minutes": "10"},
    )
    assert message_id == "2433:1"
    request = stub.requests[0]
    body = request.json()
    assert request.headers["X-TC-Action"] == "SendSms"
    assert request.headers["Authorization"].startswith("TC3-HMAC-SHA256 Credential=AKIDtest/")
    assert body["TemplateId"] == "123456" and body["TemplateParamSet"] == ["493817", "10"]
    assert body["PhoneNumberSet"] == ["+8613812345678"]
    assert body["SmsSdkAppId"] == "1400000000" and body["SignName"] == "演示云"


def test_tencent_api_errors_are_sorted_into_transient_and_permanent(tencent, stub):
    stub.answers.append(
        (
            200,
            {
                "Response": {
                    "Error": {"Code": "InternalError.Timeout", "Message": "busy"},
                    "RequestId": "r2",
                }
            },
        )
    )
    with pytest.raises(SmsTransientError, match=r"InternalError\.Timeout"):
        tencent.send(
            "+8613812345678",
            "",
            template_key="phone_verification_code",
            params={"code": "1", "minutes": "2"},
        )
    stub.answers.append(
        (
            200,
            {
                "Response": {
                    "Error": {
                        "Code": "FailedOperation.TemplateIncorrectOrUnapproved",
                        "Message": "no",
                    },
                    "RequestId": "r3",
                }
            },
        )
    )
    with pytest.raises(SmsPermanentError, match="TemplateIncorrect"):
        tencent.send(
            "+8613812345678",
            "",
            template_key="phone_verification_code",
            params={"code": "1", "minutes": "2"},
        )


def test_tencent_per_number_failure(tencent, stub):
    answer = _tencent_ok()
    answer[1]["Response"]["SendStatusSet"][0].update(
        Code="InvalidParameterValue.IncorrectPhoneNumber", Message="bad number"
    )
    stub.answers.append(answer)
    with pytest.raises(SmsPermanentError, match="IncorrectPhoneNumber"):
        tencent.send(
            "+8613812345678",
            "",
            template_key="phone_verification_code",
            params={"code": "1", "minutes": "2"},
        )


def test_tencent_event_without_template_is_permanent(tencent):
    with pytest.raises(SmsPermanentError, match="no Tencent template"):
        tencent.send("+8613812345678", "", template_key="generic", params={"text": "x"})


@pytest.fixture
def gateway(settings, stub):
    settings.SMS_HTTP_URL = stub.url + "/sms"
    settings.SMS_HTTP_SECRET = "s3cret"
    return HttpSmsBackend()


def test_http_gateway_posts_signed_json(gateway, stub):
    stub.answers.append((200, {"id": "msg-1"}))
    assert (
        gateway.send(
            "+8613812345678", "【演示】Code 1", template_key="generic", params={"text": "Code 1"}
        )
        == "msg-1"
    )
    request = stub.requests[0]
    assert request.path == "/sms"
    assert json.loads(request.body)["to"] == "+8613812345678"
    expected = signature("s3cret", request.headers["X-ICP-Timestamp"], request.body)
    assert request.headers["X-ICP-Signature"] == expected


@pytest.mark.parametrize(
    "status,error", [(503, SmsTransientError), (429, SmsTransientError), (400, SmsPermanentError)]
)
def test_http_gateway_status_codes(gateway, stub, status, error):
    stub.answers.append((status, {"error": "x"}))
    with pytest.raises(error):
        gateway.send("+8613812345678", "t", template_key="generic", params={"text": "t"})


def test_http_gateway_unreachable_is_transient(settings):
    settings.SMS_HTTP_URL = "http://127.0.0.1:1/sms"
    settings.SMS_HTTP_SECRET = "s3cret"
    with pytest.raises(SmsTransientError):
        HttpSmsBackend().send("+8613812345678", "t", template_key="generic", params={"text": "t"})
