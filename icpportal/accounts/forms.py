"""Forms of the account pages: sign up, sign up from an invitation, invite, change a role."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from icpportal.accounts.actions import email_in_use
from icpportal.models import Invitation, Membership


def _terms_field() -> forms.BooleanField:
    terms_url = getattr(settings, "SERVICE_TERMS_URL", "")
    if terms_url:
        label = format_html(
            '{} <a href="{}" target="_blank" rel="noopener">{}</a>',
            _("I have read and accept the"),
            terms_url,
            _("service terms"),
        )
    else:
        label = _("I have read and accept the service terms")
    return forms.BooleanField(
        label=label,
        required=True,
        error_messages={"required": _("Please accept the service terms to create an account.")},
    )


class SignUpForm(UserCreationForm):
    """A new login with its own customer account, of which it becomes the owner."""

    tenant_name = forms.CharField(
        label=_("Customer name"),
        max_length=200,
        help_text=_(
            "Your company's name, or your own name for a personal account. "
            "You can invite colleagues once the account exists."
        ),
    )

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("email", "username")
        labels = {"email": _("E-mail"), "username": _("User name")}

    field_order = ("email", "username", "password1", "password2", "tenant_name", "accept_terms")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accept_terms"] = _terms_field()
        self.order_fields(self.field_order)
        self.fields["email"].required = True
        self.fields["email"].help_text = _(
            "Password reset links and invitations are sent to this address."
        )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if email_in_use(email):
            raise forms.ValidationError(
                _(
                    "An account with this e-mail address already exists. "
                    "Log in or reset your password."
                ),
                code="email_in_use",
            )
        return email

    def clean_tenant_name(self) -> str:
        name = self.cleaned_data["tenant_name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter the customer name."), code="required")
        return name


class InvitedSignUpForm(UserCreationForm):
    """A new login for the invited address; it joins the inviting customer account."""

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username",)
        labels = {"username": _("User name")}

    def __init__(self, *args, invitation: Invitation, **kwargs):
        # The address is the invited one: the password validators compare against it.
        kwargs["instance"] = get_user_model()(email=invitation.email)
        super().__init__(*args, **kwargs)
        self.fields["accept_terms"] = _terms_field()


class InvitationForm(forms.Form):
    """Invite someone by e-mail to the current customer account."""

    email = forms.EmailField(label=_("E-mail"), max_length=254)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=Membership.Role.choices,
        initial=Membership.Role.MEMBER,
        help_text=_("Owners manage members; members work on filings."),
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)
