"""The forms behind allauth's account and MFA pages (ACCOUNT_FORMS, MFA_FORMS): allauth's
own, with Chinese labels, inputs that suit a phone keyboard, and clearer refusals."""

from __future__ import annotations

from allauth.account import forms as account_forms
from allauth.core import context, ratelimit
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.totp import forms as totp_forms
from allauth.mfa.webauthn import forms as webauthn_forms
from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from . import logins

DEMO_USERNAMES = [
    "demo_citizen",
    "demo_citizen2",
    "demo_company",
    "demo_lawyer",
    "demo_judge",
    "demo_clerk",
    "demo_filing",
    "demo_mediator",
    "demo_enforcer",
    "demo_admin",
]
CODE_TOO_SOON = _("获取验证码过于频繁，请稍后再试。同一号码每分钟最多 1 次、每小时最多 5 次。")


CODE = _("验证码")
SIX_DIGITS = _("6 位数字")


def _as_code_field(field: forms.Field, label=CODE, placeholder=SIX_DIGITS) -> None:
    field.label = label
    field.widget.attrs.update(
        {
            "placeholder": placeholder,
            "autocomplete": "one-time-code",
            "inputmode": "numeric",
            "maxlength": "12",
        }
    )


LOGIN_MAX_LENGTH = 254  # an e-mail address (RFC 5321), longer than usernames and phones


class LoginForm(account_forms.LoginForm):
    """Phone number, username or e-mail, and password. Log-in by SMS code is its own page."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        login = self.fields["login"]
        login.label = _("账号")
        login.widget.attrs.update(
            {"placeholder": _("手机号 / 用户名 / 电子邮箱"), "autocomplete": "username"}
        )
        # The longest account name there is (an e-mail address): a longer one is refused
        # here, before the lookup (SQLite refuses a LIKE pattern over 50,000 bytes).
        login.max_length = LOGIN_MAX_LENGTH
        login.validators.append(MaxLengthValidator(LOGIN_MAX_LENGTH))
        login.widget.attrs["maxlength"] = str(LOGIN_MAX_LENGTH)
        password = self.fields["password"]
        password.label = _("密码")
        password.help_text = ""  # the page offers SMS log-in instead of e-mail reset
        password.widget.attrs["placeholder"] = _("请输入密码")

    @property
    def demo_accounts(self) -> dict | None:
        """The demo log-ins, printed on the log-in page in demo mode only."""
        if not settings.DEMO_MODE:
            return None
        return {"usernames": DEMO_USERNAMES, "password": settings.DEMO_PASSWORD}


class SignupForm(account_forms.SignupForm):
    """Sign-up asks for the mobile number only; a password can be set later."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields.pop("password1", None)
        self.fields.pop("password2", None)


class RequestLoginCodeForm(account_forms.RequestLoginCodeForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "email" in self.fields:
            self.fields["email"].label = _("电子邮箱")
            self.fields["email"].widget.attrs["placeholder"] = _("已绑定的电子邮箱")

    def _refuse_if_too_soon(self, key: str) -> None:
        # allauth would answer "too many failed log-ins"; say what is really wrong.
        if key and not ratelimit.consume(
            context.request, action="request_login_code", key=key.lower(), dry_run=True
        ):
            raise forms.ValidationError(CODE_TOO_SOON, code="rate_limited")

    def clean_phone(self) -> str:
        self._refuse_if_too_soon(self.cleaned_data.get("phone") or "")
        return super().clean_phone()

    def clean_email(self) -> str:
        self._refuse_if_too_soon(self.cleaned_data.get("email") or "")
        return super().clean_email()


class ConfirmLoginCodeForm(account_forms.ConfirmLoginCodeForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _as_code_field(self.fields["code"])

    def clean_code(self) -> str:
        """A wrong code counts against the client's address like a wrong password (each
        code is void after 3 tries; the address's limit stops trying many numbers)."""
        ip = logins.client_ip(context.request)
        try:
            logins.check(key=None, ip=ip)
        except logins.TooManyFailures as exc:
            raise forms.ValidationError(str(exc.message), code="too_many_attempts") from None
        try:
            return super().clean_code()
        except forms.ValidationError:
            logins.failed(key=None, ip=ip)
            raise


class VerifyPhoneForm(account_forms.VerifyPhoneForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _as_code_field(self.fields["code"])


class MfaAuthenticateForm(mfa_forms.AuthenticateForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _as_code_field(self.fields["code"], label=_("动态码"), placeholder=_("6 位动态码或恢复码"))


class ActivateTotpForm(totp_forms.ActivateTOTPForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _as_code_field(self.fields["code"], label=_("动态码"))


class AddSecurityKeyForm(webauthn_forms.AddWebAuthnForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].label = _("名称")
        self.fields["name"].widget.attrs["placeholder"] = _("例如：办公室 U 盾")
