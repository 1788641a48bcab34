"""Forms of the two-factor pages: the code that confirms the set-up, the code of a login."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from icpportal.accounts.two_factor.actions import (
    RECOVERY_CODE_LENGTH,
    TOTP_CODE,
    normalise_code,
)


def _code_input(**attrs) -> forms.TextInput:
    return forms.TextInput(
        attrs={
            "autocomplete": "one-time-code",
            "autocapitalize": "none",
            "spellcheck": "false",
            "autofocus": True,
            **attrs,
        }
    )


class AuthenticatorCodeForm(forms.Form):
    """The six digits the authenticator app shows, to confirm it was set up right."""

    code = forms.CharField(
        label=_("Code from the app"),
        max_length=16,
        widget=_code_input(inputmode="numeric"),
    )

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if not TOTP_CODE.fullmatch(code):
            raise forms.ValidationError(_("Enter the 6-digit code your authenticator app shows."))
        return code


class SecondFactorForm(forms.Form):
    """A code from the authenticator app, or a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
        widget=_code_input(),
    )

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if not (
            TOTP_CODE.fullmatch(code) or (len(code) == RECOVERY_CODE_LENGTH and code.isalnum())
        ):
            raise forms.ValidationError(
                _("Enter the 6-digit code from your app, or a recovery code such as abcde-fghjk.")
            )
        return code
