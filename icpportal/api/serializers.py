"""Answers every API view shares: the body of a refused request."""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.response import Response


class ProblemSerializer(serializers.Serializer):
    """Why a request was refused: a machine code, a message for the person, and
    messages per field (``""`` for the request as a whole)."""

    code = serializers.CharField()
    detail = serializers.CharField()
    field_errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


def problem(result, status_code: int, **extra) -> Response:
    """The response for an action's refusal (``code``, ``message``, ``field_errors``)."""
    body = {
        "code": result.code,
        "detail": result.message,
        "field_errors": {k: list(v) for k, v in (result.field_errors or {}).items()},
        **extra,
    }
    return Response(body, status=status_code)
