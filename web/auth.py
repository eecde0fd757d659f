"""Login and logout (viewflow's pages), with a login form that refuses a person without a
post today, saying why (accounts.access)."""

from django import forms
from viewflow.contrib.auth import AuthenticationForm, AuthViewset

from accounts.access import sign_in_refusal


class LoginForm(AuthenticationForm):
    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        refusal = sign_in_refusal(user)
        if refusal:
            raise forms.ValidationError(refusal, code="no_post")


class ChainAuthViewset(AuthViewset):
    def get_login_view_kwargs(self, **kwargs):
        return super().get_login_view_kwargs(form_class=LoginForm, **kwargs)
