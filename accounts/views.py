"""Login and logout pages (viewflow's), with DutyChain's login form."""

from viewflow.contrib.auth import AuthViewset

from .forms import LoginForm


class ChainAuthViewset(AuthViewset):
    def get_login_view_kwargs(self, **kwargs):
        return super().get_login_view_kwargs(form_class=LoginForm, **kwargs)
