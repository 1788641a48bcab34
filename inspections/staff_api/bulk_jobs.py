"""Bulk jobs over the staff API: create one (validated as the queue's bulk bar is), read
its progress, list one's recent jobs."""

from __future__ import annotations

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from icpportal.api.pagination import NewestFirstCursor
from icpportal.api.permissions import ComplianceStaff, TokenScopes
from icpportal.api.serializers import ProblemSerializer
from icpportal.api.viewsets import ID_REGEX, MAX_ID
from icpportal.models import BulkJob
from inspections.bulk.forms import BulkJobForm, Selection
from inspections.bulk.jobs import BulkJobError, BulkJobForbidden
from inspections.bulk.views import create_from, jobs_of


class BulkJobErrorSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    message = serializers.CharField()


class BulkJobSummarySerializer(serializers.Serializer):
    outcomes = serializers.DictField(
        child=serializers.IntegerField(),
        help_text=_("Cases per outcome: applied, skipped, failed."),
    )
    errors = BulkJobErrorSerializer(many=True, help_text=_("The first failed cases (when done)."))

    def to_representation(self, instance):
        # Empty while the job runs: counted when it ends.
        return super().to_representation({"outcomes": {}, "errors": [], **(instance or {})})


class BulkJobSerializer(serializers.ModelSerializer):
    requested_by = serializers.CharField(source="requested_by.get_username")
    percent = serializers.IntegerField()
    summary = BulkJobSummarySerializer(required=False)

    class Meta:
        model = BulkJob
        fields = [
            "id",
            "kind",
            "params",
            "query",
            "state",
            "total",
            "done",
            "failed",
            "percent",
            "summary",
            "failure_reason",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class NewBulkJobSerializer(serializers.Serializer):
    """The step, its inputs and the cases: ``cases`` ticked, or ``query`` of the queue."""

    kind = serializers.ChoiceField(BulkJob.Kind.choices)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    days = serializers.IntegerField(required=False, min_value=1)
    assignee = serializers.IntegerField(required=False, help_text=_("A staff user's id."))
    rule = serializers.CharField(required=False, allow_blank=True)
    scope = serializers.ChoiceField(Selection.choices, default=Selection.SELECTED)
    cases = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False
    )
    query = serializers.CharField(
        required=False, allow_blank=True, help_text=_("The case queue's filter, e.g. state=overdue")
    )

    def validate(self, attrs):
        data = QueryDict("", mutable=True)
        for name, value in attrs.items():
            if name == "cases":
                data.setlist("case", [str(v) for v in value])
            elif value is not None:
                data[name] = str(value)
        form = BulkJobForm(data, user=self.context["request"].user)
        if not form.is_valid():
            errors = {("cases" if k == "case" else k): v for k, v in form.errors.items()}
            raise serializers.ValidationError(errors)
        attrs["form"] = form
        return attrs


class BulkJobViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Bulk steps on rectification cases; progress while they run. A reviewer sees their
    own jobs, a lead everyone's. Waiving is for leads."""

    serializer_class = BulkJobSerializer
    permission_classes = [IsAuthenticated, ComplianceStaff, TokenScopes]
    pagination_class = NewestFirstCursor
    lookup_value_regex = ID_REGEX
    queryset = BulkJob.objects.none()

    def get_queryset(self):
        return jobs_of(self.request.user)

    @extend_schema(
        request=NewBulkJobSerializer,
        responses={
            201: BulkJobSerializer,
            200: BulkJobSerializer,
            400: ProblemSerializer,
            403: ProblemSerializer,
        },
        description=str(
            _("The same request again within minutes answers 200 with the job it created.")
        ),
    )
    def create(self, request):
        serializer = NewBulkJobSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        try:
            job, created = create_from(serializer.validated_data["form"], request.user)
        except BulkJobForbidden as error:
            raise PermissionDenied(error.message) from None
        except BulkJobError as error:
            return Response(
                {"code": "invalid", "detail": error.message}, status=status.HTTP_400_BAD_REQUEST
            )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(BulkJobSerializer(job).data, status=code)
