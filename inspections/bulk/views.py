"""Staff pages of bulk jobs: create one from the queue, watch it run, list one's recent jobs."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView

from icpportal.models import LEAD_ROLES, BulkJob
from icpportal.tenancy import StaffRequiredMixin, staff_role
from inspections.bulk.forms import BulkJobForm
from inspections.bulk.jobs import (
    MAX_CASES,
    BulkJobError,
    BulkJobForbidden,
    clean_query,
    do_create_bulk_job,
    queue_filter,
)

RECENT_JOBS = 25


def jobs_of(user):
    """The bulk jobs a staff member sees: their own; leads see everyone's."""
    jobs = BulkJob.objects.select_related("requested_by")
    if staff_role(user) in LEAD_ROLES:
        return jobs
    return jobs.filter(requested_by=user)


def create_from(form: BulkJobForm, user) -> tuple[BulkJob, bool]:
    """The job of a valid form (the page's and the API's)."""
    case_ids, query = form.selection()
    return do_create_bulk_job(
        actor=user,
        kind=form.cleaned_data["kind"],
        params=form.params(),
        case_ids=case_ids,
        query=query,
    )


class BulkJobListView(StaffRequiredMixin, ListView):
    """GET: the user's recent bulk jobs. POST (the queue's bulk bar): a new job."""

    template_name = "inspections/bulk/job_list.html"
    context_object_name = "jobs"

    def get_queryset(self):
        mine = BulkJob.objects.filter(requested_by=self.request.user)
        return mine.select_related("requested_by").order_by("-created_at", "-id")[:RECENT_JOBS]

    def post(self, request):
        form = BulkJobForm(request.POST, user=request.user)
        back = reverse("staff-case-list")
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            query = request.POST.get("query", "")
            return redirect(f"{back}?{query}" if query else back)
        try:
            job, created = create_from(form, request.user)
        except BulkJobForbidden as error:
            raise PermissionDenied(error.message) from None
        except BulkJobError as error:
            messages.error(request, error.message)
            return redirect(back)
        if created:
            messages.success(request, _("The bulk step is queued."))
        else:
            messages.info(request, _("The same bulk step was just requested: here it is."))
        return redirect("staff-bulk-job", pk=job.pk)


class BulkJobDetailView(StaffRequiredMixin, DetailView):
    """One bulk job: a live progress bar, then what happened to the cases."""

    model = BulkJob
    template_name = "inspections/bulk/job_detail.html"
    context_object_name = "job"

    def get_queryset(self):
        return jobs_of(self.request.user)


class BulkJobProgressView(StaffRequiredMixin, View):
    """The progress block the job page polls every 2 s while the job runs."""

    model = BulkJob

    def get(self, request, pk):
        job = get_object_or_404(jobs_of(request.user), pk=pk)
        # No request context: the poll needs no header data.
        return HttpResponse(render_to_string("inspections/bulk/_job_progress.html", {"job": job}))


def matching(user, query: str) -> int | None:
    """How many cases the queue's filter ``query`` matches, as a job would resolve it
    (without filters: the open cases), counted up to one past the job limit."""
    filterset = queue_filter(user, clean_query(query))
    if not filterset.is_valid():
        return None
    return filterset.qs.order_by().values("pk")[: MAX_CASES + 1].count()


class BulkMatchingView(StaffRequiredMixin, View):
    """The bulk bar's "apply to all matching" button. The queue page loads it after
    itself: the page never counts the queue."""

    def get(self, request):
        context = {
            "matching": matching(request.user, request.GET.urlencode()),
            "too_many": MAX_CASES,
        }
        # No request context: the button needs no header data.
        return HttpResponse(render_to_string("inspections/bulk/_matching.html", context))
