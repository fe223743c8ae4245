"""django-allauth, fitted to the platform: the mobile number is the public's account
(stored encrypted, found through its keyed hash), codes and account mail leave through the
notifications outbox, refusals are in Chinese, court staff must keep a second factor.

allauth's views are not atomic (no ATOMIC_REQUESTS here), so ``notify`` runs in autocommit
and its on-commit delivery is queued at once."""

from __future__ import annotations

import secrets
import uuid

import phonenumbers
from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.stages import PhoneVerificationStage as AllauthPhoneVerificationStage
from allauth.core import context, ratelimit
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from microcourt.core import crypto
from microcourt.core.errors import InvalidInput
from microcourt.notifications import demo as notifications_demo
from microcourt.notifications.actions import notify
from microcourt.notifications.models import Channel

from . import logins, phones
from .models import User
from .policies import staff_mfa_required

# What allauth says, in our words. Keys are allauth's (DefaultAccountAdapter.error_messages).
_MISMATCH = gettext_lazy("手机号/用户名或密码不正确")
ACCOUNT_MESSAGES = {
    "account_inactive": gettext_lazy("该账号已停用，请联系法院。"),
    "email_password_mismatch": _MISMATCH,
    "phone_password_mismatch": _MISMATCH,
    "username_password_mismatch": _MISMATCH,
    "email_taken": gettext_lazy("该电子邮箱已被其他账号使用。"),
    "phone_taken": gettext_lazy("该手机号码已注册，请直接用短信验证码登录。"),
    "incorrect_code": gettext_lazy("验证码不正确，请核对短信后重新输入。"),
    "incorrect_password": gettext_lazy("密码不正确。"),
    "invalid_login": gettext_lazy("请填写手机号、用户名或电子邮箱。"),
    "too_many_login_attempts": gettext_lazy("错误次数过多，请稍后再试或重新获取验证码。"),
    "unknown_email": gettext_lazy("该电子邮箱尚未绑定任何账号。"),
    "unknown_phone": gettext_lazy("该手机号码尚未注册。"),
    "same_as_current": gettext_lazy("新的号码与当前号码相同。"),
    "select_only_one": gettext_lazy("手机号码和电子邮箱请只填一项。"),
    "rate_limited": gettext_lazy("操作过于频繁，请稍后再试。"),
}
SMS_TOO_OFTEN = gettext_lazy(
    "验证码发送过于频繁，请稍后再试。同一号码每分钟最多 1 条、每小时最多 5 条。"
)

_MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


class PhoneField(forms.CharField):
    """A mobile number in any usual spelling ('138 1234 5678', '+86 138-1234-5678'),
    cleaned to E.164, with the reason in words when it is not one."""

    def __init__(self, **kwargs) -> None:
        kwargs["label"] = gettext_lazy("手机号码")
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "type": "tel",
                    "inputmode": "tel",
                    "autocomplete": "tel",
                    "placeholder": gettext_lazy("11 位手机号码"),
                }
            ),
        )
        kwargs.setdefault("error_messages", {"required": gettext_lazy("请填写手机号码")})
        super().__init__(**kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return text
        try:
            e164 = phones.normalise(text)
        except InvalidInput as exc:
            raise ValidationError(
                _("%(problem)s：%(hint)s")
                % {"problem": exc.message, "hint": exc.fields.get("phone", "")},
                code="invalid_phone",
            ) from None
        if phonenumbers.number_type(phonenumbers.parse(e164)) not in _MOBILE_TYPES:
            raise ValidationError(
                _("这是固定电话号码，无法接收短信验证码，请填写手机号码。"), code="not_mobile"
            )
        return e164


# What allauth's mail context may carry that our texts use (never its request or user).
MAIL_PARAMS = ("code", "activate_url", "password_reset_url", "signup_url")


def mail_event(template_prefix: str, context_data: dict) -> tuple[str, dict]:
    """The event and params of one of allauth's mails ("account/email/login_code" →
    ``identity.login_code``); an address confirmed by code has its own text."""
    name = "identity." + template_prefix.rsplit("/", 1)[-1]
    params = {k: str(context_data[k]) for k in MAIL_PARAMS if context_data.get(k)}
    if name.startswith("identity.email_confirmation") and "activate_url" not in params:
        name = "identity.email_confirmation_code"
    return name, params


def has_second_factor(user) -> bool:
    return (
        Authenticator.objects.filter(user=user)
        .exclude(type=Authenticator.Type.RECOVERY_CODES)
        .exists()
    )


def _sms_minutes() -> int:
    seconds = min(
        account_settings.LOGIN_BY_CODE_TIMEOUT, account_settings.PHONE_VERIFICATION_TIMEOUT
    )
    return max(1, seconds // 60)


class PhoneVerificationStage(AllauthPhoneVerificationStage):
    """Numbers are proved by SMS at sign-up, by any log-in by SMS code and on a change of
    number. A password log-in does not stop to re-prove them: accounts made by court
    administrators (and staff without a phone at all) must still be able to log in."""

    def handle(self):
        if not self.login.signup:
            return None, True
        return super().handle()


def _login_name(credentials: dict) -> str:
    """What the person typed to name the account, whichever way allauth passes it."""
    for field in ("phone", "username", "email"):
        if credentials.get(field):
            return str(credentials[field])
    return ""


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {**DefaultAccountAdapter.error_messages, **ACCOUNT_MESSAGES}

    # -- phone numbers (allauth's phone hooks) -------------------------------------------
    def phone_form_field(self, **kwargs):
        return PhoneField(required=kwargs.get("required", True))

    def set_phone(self, user, phone: str, verified: bool) -> None:
        user.set_phone(phone, verified=verified)
        user.save(update_fields=["phone", "phone_index", "phone_verified"])

    def get_phone(self, user) -> tuple[str, bool] | None:
        return (user.phone, user.phone_verified) if user.phone else None

    def set_phone_verified(self, user, phone: str) -> None:
        # Also the last step of a change of number: the new one becomes the account's.
        self.set_phone(user, phone, True)

    def get_user_by_phone(self, phone: str):
        try:
            e164 = phones.normalise(phone)
        except InvalidInput:
            return None
        return User.objects.filter(phone_index=phones.phone_index(e164)).first()

    # The texts are the event templates (notifications/templates.py): the carrier's approved
    # SMS templates, filled with these params.
    def send_verification_code_sms(self, user, phone: str, code: str, **kwargs) -> None:
        self._send_sms(phone, "identity.sms_code", {"code": code, "minutes": _sms_minutes()})

    def send_unknown_account_sms(self, phone: str, **kwargs) -> None:
        self._send_sms(phone, "identity.sms_unknown_account")

    def send_account_already_exists_sms(self, phone: str) -> None:
        self._send_sms(phone, "identity.sms_account_exists")

    def _send_sms(self, phone: str, event: str, params: dict | None = None) -> None:
        """Every SMS the account pages send passes this quota (ACCOUNT_RATE_LIMITS
        "sms_code"), whichever flow asked: a resend or a change of number cannot get round
        it. Over the quota, nothing is sent and the page says why."""
        request = context.request
        if not ratelimit.consume(request, action="sms_code", key=phone):
            self.add_message(request, messages.ERROR, message=str(SMS_TOO_OFTEN))
            raise ImmediateHttpResponse(HttpResponseRedirect(request.get_full_path()))
        sent = notify(
            address=phone,
            channels=[Channel.SMS],
            event=event,
            params=params,  # what the approved SMS template of the event is filled with
            idempotency_key=f"{event}:{uuid.uuid4().hex}",  # each send is a new message
        )
        # Demo mode: this browser session may read back what it asked for (the link on the
        # code-entry page), and nothing else; a no-op otherwise.
        notifications_demo.remember(request, sent)

    # -- e-mail: through the outbox too -------------------------------------------------
    def send_mail(self, template_prefix: str, email: str, context_data: dict) -> None:
        """allauth's account mails leave as events (``identity.<template>``) whose text is
        ours (notifications/templates.py), filled with the link or code allauth made; the
        account's own language when the mail is about an account."""
        event, params = mail_event(template_prefix, context_data)
        user = context_data.get("user")
        notify(
            recipient=user if isinstance(user, User) and user.pk else None,
            address=email,
            channels=[Channel.EMAIL],
            event=event,
            params=params,
            idempotency_key=f"identity.mail:{uuid.uuid4().hex}",
        )

    # -- accounts ------------------------------------------------------------------------
    def populate_username(self, request, user) -> None:
        """Citizens never choose a username (they log in by phone); give a random one."""
        if user.username:
            return
        while True:
            candidate = f"u{secrets.token_hex(6)}"
            if not User.objects.filter(username=candidate).exists():
                user.username = candidate
                return

    def add_message(
        self,
        request,
        level,
        message_template=None,
        message_context=None,
        extra_tags="",
        message=None,
    ) -> None:
        # Numbers on screen are masked (ARCHITECTURE §5): "验证码已发送至 138****2222".
        if message_context:
            message_context = {
                key: phones.masked(value)
                if key in ("phone", "recipient")
                and isinstance(value, str)
                and value.startswith("+")
                else value
                for key, value in message_context.items()
            }
        super().add_message(request, level, message_template, message_context, extra_tags, message)

    # -- lock-out ------------------------------------------------------------------------
    def authenticate(self, request, **credentials):
        """Failed passwords count against the account, however it was named ('138 1111
        2222', '+8613811112222', full-width digits, the username, the e-mail address are
        one account and one lock), and against the client's address; the API token
        endpoint counts in the same locks (``logins``). A locked account is refused before
        its password is checked, with the time to come back."""
        key = logins.lock_key(_login_name(credentials))
        ip = logins.client_ip(request)
        try:
            logins.check(key=key, ip=ip)
        except logins.TooManyFailures as exc:
            raise ValidationError(str(exc.message), code="too_many_login_attempts") from None
        user = super().authenticate(request, **credentials)
        if user is None:
            logins.failed(key=key, ip=ip)
        else:
            logins.succeeded(key=key)
        return user

    def pre_authenticate(self, request, **credentials) -> None:
        """allauth's own per-name counter is replaced by ours (``authenticate`` above)."""

    def _delete_login_attempts_cached_email(self, request, **credentials) -> None:
        # A password reset by e-mail link proves the account: its lock is lifted.
        logins.succeeded(key=logins.lock_key(_login_name(credentials)))

    def get_login_stages(self) -> list[str]:
        return [
            "microcourt.identity.adapters.PhoneVerificationStage"
            if path == "allauth.account.stages.PhoneVerificationStage"
            else path
            for path in super().get_login_stages()
        ]


class MfaAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": gettext_lazy("验证码不正确，请输入身份验证器应用上当前显示的 6 位数字。"),
        "cannot_delete_authenticator": gettext_lazy(
            "法院工作人员必须保留至少一种两步验证方式，请先添加另一种再停用这一种。"
        ),
    }

    # TOTP secrets are stored like other personal data: encrypted under the PII key.
    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text)

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        user = authenticator.user
        if not staff_mfa_required(user):
            return True
        return (
            Authenticator.objects.filter(user=user)
            .exclude(pk=authenticator.pk)
            .exclude(type=Authenticator.Type.RECOVERY_CODES)
            .exists()
        )
