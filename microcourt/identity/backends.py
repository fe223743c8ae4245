"""Log in with a username or a phone number and a password."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from microcourt.core.errors import InvalidInput

from . import phones
from .models import User


class UsernameOrPhoneBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        user = User.objects.filter(username=username).first()
        if user is None and phones.looks_like_phone(username):
            try:
                e164 = phones.normalise(username)
            except InvalidInput:
                return None
            user = User.objects.filter(phone_index=phones.phone_index(e164)).first()
        if user is None:
            User().set_password(password)  # same work either way: no timing oracle on names
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
