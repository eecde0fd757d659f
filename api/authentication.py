"""API tokens, honoured only while their person holds a post (accounts.access)."""

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from accounts.access import sign_in_refusal


class PostHolderTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        refusal = sign_in_refusal(user)
        if refusal:
            raise exceptions.AuthenticationFailed(refusal)
        return user, token
