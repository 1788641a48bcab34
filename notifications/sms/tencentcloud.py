"""Tencent Cloud SMS (API 2021-01-11) through the official SDK.

Tencent sends only approved templates: each event needs its TemplateId in
``ICP_SMS_TEMPLATE_IDS`` (``event=id,…``), and the SDK gets the event's template
parameters in order (``notifications.events``), not our rendered text.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111 import models, sms_client

from notifications.sms.base import SmsBackend, SmsMessage, SmsPermanentError, SmsTransientError

# Error codes worth another try later; every other code is final.
TRANSIENT_PREFIXES = (
    "InternalError",
    "RequestLimitExceeded",
    "LimitExceeded",
    "ClientNetworkError",
    "ServerNetworkError",
    "ResourceUnavailable",
)


def _transient(code: str) -> bool:
    return any((code or "").startswith(prefix) for prefix in TRANSIENT_PREFIXES)


class TencentCloudSmsBackend(SmsBackend):
    name = "tencentcloud"

    def __init__(self) -> None:
        missing = [
            name
            for name in (
                "TENCENT_SMS_SECRET_ID",
                "TENCENT_SMS_SECRET_KEY",
                "TENCENT_SMS_APP_ID",
                "TENCENT_SMS_SIGN_NAME",
            )
            if not getattr(settings, name, "")
        ]
        if missing:
            raise ImproperlyConfigured(
                "The tencentcloud SMS backend needs " + ", ".join("ICP_" + m for m in missing)
            )
        http_profile = HttpProfile(
            endpoint=settings.TENCENT_SMS_ENDPOINT,
            protocol=settings.TENCENT_SMS_SCHEME,
            reqTimeout=10,
        )
        self.client = sms_client.SmsClient(
            credential.Credential(settings.TENCENT_SMS_SECRET_ID, settings.TENCENT_SMS_SECRET_KEY),
            settings.TENCENT_SMS_REGION,
            ClientProfile(httpProfile=http_profile),
        )

    def deliver(self, message: SmsMessage) -> str:
        to, template_key = message.to, message.template_key
        params = list(message.params.values())
        template_id = settings.SMS_TEMPLATE_IDS.get(template_key)
        if not template_id:
            raise SmsPermanentError(f"no Tencent template id for event {template_key!r}")
        request = models.SendSmsRequest()
        request.PhoneNumberSet = [to]
        request.SmsSdkAppId = settings.TENCENT_SMS_APP_ID
        request.SignName = settings.TENCENT_SMS_SIGN_NAME
        request.TemplateId = template_id
        request.TemplateParamSet = [str(p) for p in params]
        try:
            response = self.client.SendSms(request)
        except TencentCloudSDKException as exc:
            error = SmsTransientError if _transient(exc.code) else SmsPermanentError
            raise error(f"{exc.code}: {exc.message}") from exc
        status = response.SendStatusSet[0] if response.SendStatusSet else None
        if status is None:
            raise SmsTransientError("empty response from Tencent Cloud SMS")
        if status.Code != "Ok":
            error = SmsTransientError if _transient(status.Code) else SmsPermanentError
            raise error(f"{status.Code}: {status.Message}")
        return status.SerialNo
