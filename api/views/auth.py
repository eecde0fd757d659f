"""The API's door: tokens for programs, and who I am."""

from __future__ import annotations

import datetime

from axes.helpers import get_cool_off
from django.contrib.auth import authenticate
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import chain
from accounts.access import sign_in_refusal
from accounts.models import Post
from api import serializers as s
from api.errors import body
from records import permissions
from records.audit import audit

from .common import errors

# -- authentication --------------------------------------------------------------------------

class TokenView(APIView):
    """A program's token: obtained with a username and password, revoked by its holder."""

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "DELETE" else [AllowAny()]

    @extend_schema(
        operation_id="auth_token_obtain", request=s.TokenRequestSerializer, auth=[],
        responses={200: s.TokenSerializer, **errors(400, 403),
                   429: OpenApiResponse(s.ErrorSerializer,
                                        description="Locked out after repeated failures.")},
        summary="Obtain a token with a username and password (audited; locked after "
                "repeated failures).")
    def post(self, request):
        data = s.TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        django_request = request._request
        # through django.contrib.auth, so that django-axes counts failures and locks out
        user = authenticate(request=django_request, username=data.validated_data["username"],
                            password=data.validated_data["password"])
        if getattr(django_request, "axes_locked_out", False):
            # answered here as JSON: the page's lockout template is not for programs
            django_request.axes_locked_out = False
            now = timezone.now()
            wait = timesince(now - (get_cool_off(django_request) or datetime.timedelta()), now)
            return Response(body(_(
                "Too many failed logins for this account from this address. Wait "
                "%(cooloff_time)s and try again, or ask the administrator to unlock it.")
                % {"cooloff_time": wait}), status=status.HTTP_429_TOO_MANY_REQUESTS)
        if user is None or not user.is_active:
            return Response(body(_("Wrong username or password.")),
                            status=status.HTTP_400_BAD_REQUEST)
        refusal = sign_in_refusal(user)
        if refusal:
            return Response(body(refusal), status=status.HTTP_403_FORBIDDEN)
        token, _created = Token.objects.get_or_create(user=user)
        audit(actor=user, action="account.token", target=user)
        return Response({"token": token.key})

    @extend_schema(operation_id="auth_token_revoke", request=None,
                   responses={204: None, **errors(401, 403)},
                   summary="Revoke my token (audited).")
    def delete(self, request):
        deleted, _rows = Token.objects.filter(user=request.user).delete()
        audit(actor=request.user, action="account.token_revoke", target=request.user,
              revoked=bool(deleted))
        return Response(status=status.HTTP_204_NO_CONTENT)



# -- me --------------------------------------------------------------------------------------

class MeView(APIView):
    @extend_schema(responses={200: s.MeSerializer, **errors(401, 403)},
                   summary="Who I am: my posts, my units and the units I oversee.")
    def get(self, request):
        user = request.user
        posts = (Post.objects.on(timezone.localdate()).filter(user=user)
                 .select_related("unit").order_by("unit__order", "role"))
        return Response(s.MeSerializer({
            "username": user.username, "name": user.name, "posts": posts,
            "units": [u.code for u in chain.units_of(user, (Post.Role.HEAD, Post.Role.LIAISON))],
            "oversees": [u.code for u in chain.units_overseen_by(user)],
            "sees_everything": permissions.sees_everything(user),
            "can_register_problems": permissions.can_register_problems(user),
        }).data)


