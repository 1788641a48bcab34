"""Customer pages: the in-app inbox, notification history and the contact
self-inspection (verify each person in charge's mobile by SMS code)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from filings.models import Entity, Person
from icpportal import audit
from icpportal.tenancy import StaffRequiredMixin, TenantScopedMixin
from notifications.actions import VerificationError, do_check_verification, do_start_verification
from notifications.models import Notification, PhoneVerification


def client_ip(request) -> str | None:
    """The caller's address as the server sees it (nginx sets REMOTE_ADDR via proxy)."""
    return request.META.get("REMOTE_ADDR") or None


class InboxView(LoginRequiredMixin, ListView):
    """The user's in-app messages, newest first."""

    template_name = "notifications/inbox.html"
    paginate_by = 30

    def get_queryset(self):
        return Notification.objects.in_app_for(self.request.user).order_by("-created_at", "-id")


class MarkReadView(LoginRequiredMixin, View):
    def post(self, request, pk=None):
        rows = Notification.objects.in_app_for(request.user).unread()
        if pk is not None:
            rows = rows.filter(pk=pk)
            if (
                not rows.exists()
                and not Notification.objects.in_app_for(request.user).filter(pk=pk).exists()
            ):
                raise Http404
        rows.update(read_at=timezone.now())
        if request.htmx:
            return render(
                request,
                "notifications/_bell.html",
                {"unread_notification_count": 0 if pk is None else None},
            )
        return redirect("notification-inbox")


class HistoryView(TenantScopedMixin, ListView):
    """Every message sent to the user, and for owners every message of their account."""

    model = Notification
    template_name = "notifications/history.html"
    paginate_by = 50

    def get_queryset(self):
        mine = Q(recipient_user=self.request.user)
        membership = self.request.membership
        if membership is not None and membership.is_owner:
            mine |= Q(tenant=self.request.tenant)
        return Notification.objects.filter(mine).order_by("-created_at", "-id")


class ContactSelfInspectionView(TenantScopedMixin, ListView):
    """Every contact number of the account's entities and websites, with its state."""

    model = Person
    template_name = "notifications/contact_inspection.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .filter(Q(entities_headed__isnull=False) | Q(websites_headed__isnull=False))
            .distinct()
            .order_by("name", "id")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        people = list(context["object_list"])
        pending = {
            v.person_id: v
            for v in PhoneVerification.objects.for_tenant(self.request.tenant).filter(
                person__in=people,
                status=PhoneVerification.Status.PENDING,
                expires_at__gt=timezone.now(),
            )
        }
        context["rows"] = [(person, pending.get(person.pk)) for person in people]
        context["entities"] = Entity.objects.for_tenant(self.request.tenant).order_by("name")
        return context


class StartVerificationView(TenantScopedMixin, View):
    model = Person

    def post(self, request, pk):
        person = get_object_or_404(self.get_queryset(), pk=pk)
        error = None
        verification = None
        try:
            verification = do_start_verification(
                person, actor=request.user, client_ip=client_ip(request)
            )
        except VerificationError as exc:
            error = exc.message
        context = {
            "person": person,
            "verification": verification,
            "error": error,
            "sent": verification is not None,
        }
        if request.htmx:
            return render(request, "notifications/_contact_row.html", context)
        if error:
            messages.error(request, error)
        else:
            messages.success(
                request, _("A code was sent to %(phone)s.") % {"phone": person.masked_mobile}
            )
        return redirect("contact-inspection")


class CheckVerificationView(TenantScopedMixin, View):
    model = PhoneVerification

    def post(self, request, pk):
        verification = get_object_or_404(self.get_queryset().select_related("person"), pk=pk)
        result = do_check_verification(
            verification.pk, request.POST.get("code", ""), actor=request.user
        )
        person = Person.objects.for_tenant(request.tenant).get(pk=verification.person_id)
        context = {
            "person": person,
            "verification": verification if result.code == "wrong_code" else None,
            "result": result,
        }
        if request.htmx:
            return render(request, "notifications/_contact_row.html", context)
        (messages.success if result.ok else messages.error)(request, result.message)
        return redirect("contact-inspection")


class StaffDeliveryView(StaffRequiredMixin, ListView):
    """Delivery status of e-mail and SMS across customers; failed ones can be resent."""

    template_name = "notifications/staff_delivery.html"
    paginate_by = 50

    def get_queryset(self):
        rows = Notification.objects.exclude(channel=Notification.Channel.IN_APP).select_related(
            "tenant"
        )
        status = self.request.GET.get("status")
        if status in Notification.Status.values:
            rows = rows.filter(status=status)
        return rows.order_by("-created_at", "-id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["statuses"] = Notification.Status.choices
        context["current_status"] = self.request.GET.get("status", "")
        return context


# Messages whose content is a one-time secret cannot be resent: ask for a new code.
NOT_RESENDABLE = {"phone_verification_code"}


class ResendNotificationView(StaffRequiredMixin, View):
    def post(self, request, pk):
        with transaction.atomic():
            row = get_object_or_404(Notification.objects.select_for_update(), pk=pk)
            if row.status != Notification.Status.FAILED or row.template_key in NOT_RESENDABLE:
                messages.error(
                    request, _("Only failed messages without a one-time code can be resent.")
                )
                return redirect("staff-notification-delivery")
            Notification.objects.filter(pk=row.pk).update(
                status=Notification.Status.QUEUED,
                attempts=0,
                next_attempt_at=timezone.now(),
                last_error="",
            )
            audit.record(
                "notification.resend",
                row,
                actor=request.user,
                before={"status": row.status},
                after={"status": "queued"},
            )
            from notifications.outbox import _kick_sender

            transaction.on_commit(_kick_sender)
        messages.success(request, _("The message was queued again."))
        return redirect("staff-notification-delivery")
