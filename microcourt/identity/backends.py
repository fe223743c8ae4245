"""Log in with a username, a phone number (any usual spelling) or an e-mail address, and a
password. The name is normalised first (``logins.normalise``)."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from . import logins
from .models import User


class UsernameOrPhoneBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        user = logins.account_for(username)
        if user is None:
            User().set_password(password)  # same work either way: no timing oracle on names
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
