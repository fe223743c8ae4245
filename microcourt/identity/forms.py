from django import forms
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("手机号或用户名"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "username", "class": "weui-input"}),
    )
    password = forms.CharField(
        label=_("密码"),
        widget=forms.PasswordInput(
            attrs={"autocomplete": "current-password", "class": "weui-input"}
        ),
    )

    def __init__(self, *args, request=None, **kwargs):
        self.request = request
        self.user = None
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        self.user = authenticate(self.request, username=data["username"], password=data["password"])
        if self.user is None:
            raise forms.ValidationError(_("手机号/用户名或密码不正确"), code="invalid_login")
        return data
