from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse

from . import chain
from .access import sign_in_refusal


class RememberChainMiddleware:
    """Each request asks the chain each question once (accounts.chain.remembering): the
    path ahead, recusal and copy-to of one page ask the same ones."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with chain.remembering():
            return self.get_response(request)


class PostHoldersOnlyMiddleware:
    """A session is honoured only while its person holds a post (accounts.access): one
    whose last post ended — today, or at midnight — is signed out at their next request and
    told why. (The API's tokens are checked by api.authentication.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            refusal = sign_in_refusal(user)
            if refusal:
                logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": refusal, "errors": {}}, status=401)
                messages.error(request, refusal)
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)
