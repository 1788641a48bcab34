"""API tokens over the API: list, create (with a session) and revoke one's own."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from icpportal.api.permissions import TokenScopes, token_of
from icpportal.api.serializers import ProblemSerializer, problem
from icpportal.api.tokens import default_expiry, do_create_api_token, do_revoke_api_token
from icpportal.api.viewsets import ID_REGEX
from icpportal.models import ApiToken


class ApiTokenSerializer(serializers.ModelSerializer):
    scopes = serializers.ListField(child=serializers.ChoiceField(ApiToken.Scope.choices))
    prefix = serializers.CharField(source="display_prefix", read_only=True)
    tenant = serializers.PrimaryKeyRelatedField(read_only=True)
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "tenant",
            "scopes",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
            "is_active",
        ]
        read_only_fields = fields


class NewApiTokenSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    scopes = serializers.ListField(
        child=serializers.ChoiceField(ApiToken.Scope.choices), allow_empty=False
    )
    expires_at = serializers.DateTimeField(
        required=False, help_text=_("At most API_TOKEN_MAX_DAYS ahead; 90 days if left out.")
    )


class CreatedApiTokenSerializer(ApiTokenSerializer):
    token = serializers.CharField(
        read_only=True, help_text=_("The token itself. It is shown this once only.")
    )

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]
        read_only_fields = fields


class ApiTokenViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The caller's own API tokens. Another user's token answers 404."""

    serializer_class = ApiTokenSerializer
    permission_classes = [IsAuthenticated, TokenScopes]
    throttle_scope = "tokens"
    lookup_value_regex = ID_REGEX
    pagination_class = None
    queryset = ApiToken.objects.none()

    def get_queryset(self):
        return ApiToken.objects.filter(user=self.request.user).order_by("-created_at", "-id")

    def get_throttles(self):
        # Reading the list is cheap; the scope limits creating and revoking.
        if self.request.method in ("GET", "HEAD", "OPTIONS"):
            self.throttle_scope = ""
        return super().get_throttles()

    @extend_schema(
        request=NewApiTokenSerializer,
        responses={201: CreatedApiTokenSerializer, 400: ProblemSerializer, 403: ProblemSerializer},
    )
    def create(self, request):
        # A leaked token must not be able to mint its own successors.
        if token_of(request) is not None:
            raise PermissionDenied(_("Create API tokens from a logged-in session."))
        serializer = NewApiTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = do_create_api_token(
            request.user,
            tenant=getattr(request, "tenant", None),
            name=data["name"],
            scopes=data["scopes"],
            expires_at=data.get("expires_at") or default_expiry(),
        )
        if not result.ok:
            code = status.HTTP_403_FORBIDDEN if result.code != "invalid" else 400
            return problem(result, code)
        body = CreatedApiTokenSerializer(result.token).data
        body["token"] = result.secret
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        """Revoke the token: it stops working at once. The row stays for the record."""
        do_revoke_api_token(self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
