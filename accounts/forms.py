"""The login form: a person without a post today is told so, not let in."""

from django import forms
from viewflow.contrib.auth import AuthenticationForm

from .access import sign_in_refusal


class LoginForm(AuthenticationForm):
    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        refusal = sign_in_refusal(user)
        if refusal:
            raise forms.ValidationError(refusal, code="no_post")
