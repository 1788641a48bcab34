"""Staff pages of provider review (初审): the queue, one application, pass or return.

Compliance staff only (reviewer, lead, admin); a customer gets 403. The pages read the
request and call the actions of ``filings.applications.actions``, which check the
state, write the audit row and tell the customer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from filings.applications.actions import do_pass_provider_review, do_return, self_check
from filings.applications.timeline import application_timeline
from filings.choices import ApplicationStatus
from filings.materials.checklist import checklist
from filings.models import Application, Material
from filings.payloads import read_section
from filings.review.diff import Change, payload_diff
from filings.review.filtersets import ReviewQueueFilter, review_queue
from filings.review.forms import PassForm, ReturnForm
from filings.review.records import registry_lookup
from filings.review.sla import SlaClock, sla_clocks
from icpportal.tenancy import StaffRequiredMixin
from inspections.queues.choices import province_names
from inspections.rules import Status as OutcomeStatus
from inspections.rules import all_rules

QUEUE_PAGE_SIZE = 25


@dataclass(frozen=True)
class QueueRow:
    """One line of the queue: the application, what it is about, and its clock."""

    application: Application
    entity_name: str
    website_name: str
    domains: list[str]
    province: str  # its name in the page's language; "" when none is known
    sla: SlaClock


def _text(section: Any, name: str) -> str:
    return str(section.get(name) or "").strip() if isinstance(section, dict) else ""


def queue_rows(applications: list[Application], provinces: dict[str, str]) -> list[QueueRow]:
    clocks = sla_clocks(applications)
    rows = []
    for app in applications:
        payload = app.payload or {}
        entity = app.entity or (app.website.entity if app.website else None)
        proposed_entity = read_section(payload, "entity")
        proposed_website = read_section(payload, "website")
        domains = [_text(d, "name") for d in read_section(payload, "domains") or []]
        if not domains and app.website is not None:
            domains = [d.name for d in app.website.domains.all()]
        code = entity.province_id if entity is not None else _text(proposed_entity, "province")
        rows.append(
            QueueRow(
                application=app,
                entity_name=_text(proposed_entity, "name") or (entity.name if entity else ""),
                website_name=_text(proposed_website, "name")
                or (app.website.name if app.website else ""),
                domains=[d for d in domains if d],
                province=provinces.get(code, ""),
                sla=clocks[app.pk],
            )
        )
    return rows


class ReviewQueueView(StaffRequiredMixin, View):
    """Submitted applications waiting for provider review, oldest first, with the SLA."""

    template_name = "filings/review/queue.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        filterset = ReviewQueueFilter(request.GET or None, queryset=review_queue(request.user))
        paginator = Paginator(filterset.qs, QUEUE_PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        context = {
            "filter": filterset,
            "page_obj": page,
            # Province names come from the cached choices: no query a page.
            "rows": queue_rows(list(page.object_list), province_names()),
            "filtered": any(request.GET.get(name) for name in filterset.form.fields),
        }
        return render(request, self.template_name, context)


def _staff_application(request: HttpRequest, pk: int) -> Application:
    queryset = Application.objects.for_staff(request.user).select_related(
        "tenant",
        "created_by",
        "entity__province",
        "entity__head",
        "website__head",
        "website__entity__province",
        "website__entity__head",
    )
    return get_object_or_404(queryset, pk=pk)


@dataclass(frozen=True)
class SelfCheck:
    """The shared rules on the payload, as the reviewer reads them.

    ``findings`` are the rule answers other than pass (each once, with its rule's
    title); ``missing`` the problems found before any rule (required fields left
    empty, a target that cannot be filed), by payload path.
    """

    findings: list[tuple[str, Any]]
    missing: list[tuple[str, str]]
    passed: int

    @property
    def blocks(self) -> bool:
        return bool(self.missing) or any(o.is_blocking for _title, o in self.findings)


def run_self_check(application: Application) -> SelfCheck:
    outcomes, blocking = self_check(application)
    rule_messages = {o.message for o in outcomes if o.is_blocking}
    missing = [
        (path, message)
        for path, messages in blocking.items()
        for message in messages
        if message not in rule_messages
    ]
    quiet = (OutcomeStatus.PASS, OutcomeStatus.NOT_APPLICABLE)
    findings = [o for o in outcomes if o.status not in quiet]
    # Blocking answers first, then warnings, then the rest, each kept in rule order.
    findings.sort(key=lambda o: (not o.is_blocking, o.status != OutcomeStatus.FAIL))
    titles = {rule.code: str(rule.title) for rule in all_rules()}
    return SelfCheck(
        findings=[(titles.get(o.code, o.code), o) for o in findings],
        missing=missing,
        passed=sum(1 for o in outcomes if o.status == OutcomeStatus.PASS),
    )


class ReviewDetailView(StaffRequiredMixin, View):
    """One application for review: diff, materials, self-check, bureau record, timeline."""

    model = Application
    template_name = "filings/review/detail.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        application = _staff_application(request, pk)
        return self.page(application)

    def page(
        self,
        application: Application,
        *,
        return_form: ReturnForm | None = None,
        pass_form: PassForm | None = None,
        status: int = 200,
    ) -> HttpResponse:
        sections = payload_diff(application)
        reviewing = application.status == ApplicationStatus.PROVIDER_REVIEW
        return_form = return_form or ReturnForm(sections)
        checked = run_self_check(application)
        items = checklist(application)
        listed = {item.material.pk for item in items if item.material is not None}
        other = (
            Material.objects.filter(application=application)
            .exclude(pk__in=listed)
            .order_by("kind", "-uploaded_at")
        )
        context = {
            "application": application,
            "sections": [
                (
                    section,
                    [
                        (
                            row,
                            return_form.bound_reason(row.path) if reviewing and row.path else None,
                        )
                        for row in section.fields
                    ],
                )
                for section in sections
            ],
            "changed_count": sum(s.changed_count for s in sections),
            "all_new": all(s.change == Change.NEW for s in sections),
            "return_form": return_form,
            "pass_form": pass_form or PassForm(),
            "may_return": reviewing,
            "may_pass": reviewing,
            "self_check": checked,
            "items": items,
            "other_materials": list(other),
            "lookup": registry_lookup(application),
            "timeline": application_timeline(application),
            "sla": sla_clocks([application]).get(application.pk) if reviewing else None,
            "return_reasons": sorted((application.return_reasons or {}).items()),
        }
        return render(self.request, self.template_name, context, status=status)


class ReviewPassView(ReviewDetailView):
    """Pass the application: the MIIT SMS step starts (or it goes to the bureau)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return redirect("review-detail", pk=pk)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        application = _staff_application(request, pk)
        form = PassForm(request.POST)
        if not form.is_valid():
            return self.page(application, pass_form=form, status=400)
        result = do_pass_provider_review(
            application, actor=request.user, note=form.cleaned_data["note"]
        )
        if not result.ok and result.code == "not_allowed":
            messages.error(request, result.message)
            application.refresh_from_db()
            return self.page(application, status=409)
        if not result.ok:
            for path, errors in result.field_errors.items():
                for error in errors:
                    form.add_error(None, f"{path}: {error}" if path else error)
            form.add_error(None, result.message)
            application.refresh_from_db()
            return self.page(application, pass_form=form, status=409)
        messages.success(
            request,
            _("Application #%(number)s passed. %(next)s")
            % {"number": application.pk, "next": result.message},
        )
        return redirect("review-queue")


class ReviewReturnView(ReviewDetailView):
    """Return the application to the customer with a reason per field."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return redirect("review-detail", pk=pk)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        application = _staff_application(request, pk)
        form = ReturnForm(payload_diff(application), request.POST)
        if not form.is_valid():
            return self.page(application, return_form=form, status=400)
        result = do_return(application, form.reasons(), actor=request.user)
        if not result.ok and result.code == "not_allowed":
            messages.error(request, result.message)
            application.refresh_from_db()
            return self.page(application, status=409)
        if not result.ok:
            form.show_refusal(result.message, result.field_errors)
            return self.page(application, return_form=form, status=400)
        messages.success(
            request,
            _("Application #%(number)s was returned to the customer.") % {"number": application.pk},
        )
        return redirect("review-queue")
