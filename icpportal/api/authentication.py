"""API token authentication: ``Authorization: Bearer icp_…``.

A valid token makes the request its user's, in the token's customer account
(``request.tenant`` and ``request.membership`` are set as the tenant middleware
sets them for a session). An expired or revoked token, a user no longer in the
account, or a staff token without a second factor answers 401.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from icpportal.api.tokens import note_token_use, staff_has_second_factor
from icpportal.models import ApiToken, Membership
from icpportal.tenancy import is_staff_member

KEYWORDS = (b"bearer", b"token")


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("Send the token as “Authorization: Bearer <token>”."))
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed(_("Invalid API token.")) from None
        token = ApiToken.objects.by_token(raw)
        if token is None:
            raise AuthenticationFailed(_("Invalid API token."))
        now = timezone.now()
        if token.revoked_at is not None:
            raise AuthenticationFailed(_("This API token was revoked."))
        if token.expires_at <= now:
            raise AuthenticationFailed(_("This API token has expired."))
        user = token.user
        if not user.is_active:
            raise AuthenticationFailed(_("The login of this API token is disabled."))
        membership = None
        if token.tenant_id is None:
            if not (is_staff_member(user) and staff_has_second_factor(user)):
                raise AuthenticationFailed(_("Staff API tokens need a login with a second factor."))
        else:
            membership = (
                Membership.objects.select_related("tenant")
                .filter(user=user, tenant_id=token.tenant_id, tenant__is_active=True)
                .first()
            )
            if membership is None:
                raise AuthenticationFailed(
                    _("The user of this API token no longer belongs to its customer account.")
                )
        note_token_use(token, now)
        django_request = request._request
        django_request.membership = membership
        django_request.tenant = membership.tenant if membership is not None else None
        return user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'
