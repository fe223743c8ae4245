"""The second part of the event table (``templates``): log-in codes and account mail, identity
checks (实名认证, 律师认证, 单位认证) and the ledger's audit alarm — each event with its text in
Chinese and English. ``templates`` imports this module, so the whole table is registered
whichever part is imported first."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .templates import Event, register

register(
    # -- log-in codes and account security -----------------------------------------------
    # SMS: the texts of the carrier's approved templates (signature 【微法院】). Sent to a
    # number, not an account, so they go out in the site language (Chinese).
    Event(
        "identity.sms_code",
        "security",
        title=_("验证码"),
        body=_("【微法院】验证码 %(code)s，%(minutes)s 分钟内有效，请勿告诉他人。"),
        params=("code", "minutes"),
        title_en="Verification code",
        body_en="[Microcourt] Your code is %(code)s, valid for %(minutes)s minutes. "
        "Do not tell anyone.",
    ),
    Event(
        "identity.sms_unknown_account",
        "security",
        title=_("微法院"),
        body=_(
            "【微法院】有人用本号码申请登录微法院，但本号码尚未注册。如需使用，请在微法院用"
            "手机号注册；如非本人操作，请忽略。"
        ),
        title_en="Microcourt",
        body_en="[Microcourt] Someone asked to sign in with this number, which has no account. "
        "To use Microcourt, sign up with this number; if it was not you, ignore this message.",
    ),
    Event(
        "identity.sms_account_exists",
        "security",
        title=_("微法院"),
        body=_("【微法院】本号码已注册微法院账号，请直接用短信验证码登录。如非本人操作，请忽略。"),
        title_en="Microcourt",
        body_en="[Microcourt] This number already has an account: sign in with an SMS code. "
        "If it was not you, ignore this message.",
    ),
    # Account e-mails (allauth's flows, identity.<its template name>): security notices,
    # never switched off. Our own text, filled with the link or code allauth made.
    Event(
        "identity.login_code",
        "security",
        title=_("【微法院】登录验证码"),
        body=_("您的登录验证码是 %(code)s，请在打开的页面中输入。如非本人操作，请忽略本邮件。"),
        params=("code",),
        title_en="[Microcourt] Your sign-in code",
        body_en="Your sign-in code is %(code)s. Enter it on the page you have open. If it was "
        "not you, ignore this e-mail.",
    ),
    Event(
        "identity.password_reset_code",
        "security",
        title=_("【微法院】重置密码验证码"),
        body=_("您重置密码的验证码是 %(code)s。如非本人操作，请忽略本邮件，您的密码不会改变。"),
        params=("code",),
        title_en="[Microcourt] Your password reset code",
        body_en="Your password reset code is %(code)s. If it was not you, ignore this e-mail: "
        "your password stays as it is.",
    ),
    Event(
        "identity.password_reset_key",
        "security",
        title=_("【微法院】重置密码"),
        body=_(
            "请打开以下链接重置您的微法院密码：%(password_reset_url)s 如非本人操作，请忽略本"
            "邮件，您的密码不会改变。"
        ),
        params=("password_reset_url",),
        title_en="[Microcourt] Reset your password",
        body_en="Open this link to reset your Microcourt password: %(password_reset_url)s If "
        "it was not you, ignore this e-mail: your password stays as it is.",
    ),
    Event(
        "identity.email_confirmation",
        "security",
        title=_("【微法院】请确认您的电子邮箱"),
        body=_("请打开以下链接，确认此电子邮箱属于您：%(activate_url)s"),
        params=("activate_url",),
        title_en="[Microcourt] Confirm your e-mail address",
        body_en="Open this link to confirm that this e-mail address is yours: %(activate_url)s",
    ),
    Event(
        "identity.email_confirmation_signup",
        "security",
        title=_("【微法院】请确认您的电子邮箱"),
        body=_("请打开以下链接，确认此电子邮箱属于您：%(activate_url)s"),
        params=("activate_url",),
        title_en="[Microcourt] Confirm your e-mail address",
        body_en="Open this link to confirm that this e-mail address is yours: %(activate_url)s",
    ),
    Event(
        "identity.email_confirmation_code",
        "security",
        title=_("【微法院】请确认您的电子邮箱"),
        body=_("您确认电子邮箱的验证码是 %(code)s。如非本人操作，请忽略本邮件。"),
        params=("code",),
        title_en="[Microcourt] Confirm your e-mail address",
        body_en="Your code to confirm this e-mail address is %(code)s. If it was not you, "
        "ignore this e-mail.",
    ),
    Event(
        "identity.unknown_account",
        "security",
        title=_("【微法院】该电子邮箱尚未注册"),
        body=_(
            "有人用本电子邮箱申请登录或重置微法院密码，但本邮箱没有绑定任何账号。如需使用，"
            "请在此注册：%(signup_url)s 如非本人操作，请忽略本邮件。"
        ),
        params=("signup_url",),
        title_en="[Microcourt] This e-mail address has no account",
        body_en="Someone asked to sign in or reset a password with this e-mail address, which "
        "no account uses. To use Microcourt, sign up here: %(signup_url)s If it was not you, "
        "ignore this e-mail.",
    ),
    Event(
        "identity.account_already_exists",
        "security",
        title=_("【微法院】该电子邮箱已注册"),
        body=_(
            "本电子邮箱已绑定微法院账号，请直接登录；如忘记密码，可在此重置：%(password_reset_url)s"
        ),
        params=("password_reset_url",),
        title_en="[Microcourt] This e-mail address already has an account",
        body_en="This e-mail address already belongs to a Microcourt account: sign in, or "
        "reset the password here: %(password_reset_url)s",
    ),
    # Any other account mail (a changed password or address, a second factor added or
    # removed): one notice that something changed.
    Event(
        "identity.*",
        "security",
        prefix=True,
        title=_("【微法院】账号安全提醒"),
        body=_("您的微法院账号的安全设置刚刚发生变更。如非本人操作，请立即修改密码并联系法院。"),
        title_en="[Microcourt] Account security notice",
        body_en="A security setting of your Microcourt account has just changed. If it was not "
        "you, change your password at once and contact the court.",
    ),
    Event(
        "ledger.audit_divergence",
        "security",
        title=_("司法链审计发现数据不一致"),
        body=_(
            "每小时审计重新计算了司法链的全部哈希与签名，发现存储的数据与计算结果不一致，"
            "可能有人绕过应用直接改动了数据库。请立即保全数据库并核查。%(divergence)s"
        ),
        params=("divergence",),
        title_en="Judicial ledger audit found inconsistent data",
        body_en="The hourly audit recomputed every hash and signature of the judicial ledger "
        "and found stored data that does not match: someone may have changed the database "
        "directly. Preserve the database and investigate at once. %(divergence)s",
    ),
    # To platform operators: a background task used all its attempts (core/jobs.py).
    Event(
        "core.task_failed",
        "security",
        title=_("后台任务多次重试后仍失败"),
        body=_(
            "后台任务 %(task)s 已尝试 %(attempts)s 次仍未成功，已列入失败任务列表，请在管理后台"
            "查看原因并重新执行。最后一次错误：%(error)s"
        ),
        params=("task", "attempts", "error"),
        title_en="A background task failed after repeated retries",
        body_en="The background task %(task)s failed %(attempts)s times and is now in the list "
        "of failed tasks. Check the cause in the admin and run it again. Last error: %(error)s",
    ),
    # -- identity checks (实名认证, 律师认证, 单位认证) -----------------------------------------
    Event(
        "identity.verified",
        "account",
        title=_("实名认证成功"),
        body=_("您已完成实名认证，可以在线立案和参加诉讼活动。"),
        title_en="Identity verified",
        body_en="Your identity is verified: you can now file cases and take part in "
        "proceedings online.",
    ),
    Event(
        "identity.verification_approved",
        "account",
        title=_("实名认证已通过"),
        body=_("法院工作人员已审核您的证件，您已完成实名认证。"),
        title_en="Identity verification passed",
        body_en="Court staff have reviewed your documents: your identity is verified.",
    ),
    Event(
        "identity.verification_rejected",
        "account",
        title=_("实名认证未通过"),
        body=_("法院工作人员已审核您的证件，未予通过：%(reason)s"),
        params=("reason",),
        title_en="Identity verification not passed",
        body_en="Court staff have reviewed your documents and did not accept them: %(reason)s",
    ),
    Event(
        "identity.lawyer_approved",
        "account",
        title=_("律师认证已通过"),
        body=_("法院工作人员已审核您的执业信息，您可以律师身份办理业务。"),
        title_en="Lawyer verification approved",
        body_en="Court staff have reviewed your licence details: you can now act as a lawyer.",
    ),
    Event(
        "identity.lawyer_rejected",
        "account",
        title=_("律师认证未通过"),
        body=_("法院工作人员已审核您的执业信息，未予通过：%(reason)s"),
        params=("reason",),
        title_en="Lawyer verification not approved",
        body_en="Court staff have reviewed your licence details and did not approve them: "
        "%(reason)s",
    ),
    Event(
        "identity.organisation_approved",
        "account",
        title=_("单位认证已通过"),
        body=_("法院工作人员已审核%(name)s的营业执照，单位认证已通过。"),
        params=("name",),
        title_en="Organisation verified",
        body_en="Court staff have reviewed the business licence of %(name)s: the organisation "
        "is verified.",
    ),
    Event(
        "identity.organisation_rejected",
        "account",
        title=_("单位认证未通过"),
        body=_("法院工作人员已审核%(name)s的营业执照，未予通过：%(reason)s"),
        params=("name", "reason"),
        title_en="Organisation not verified",
        body_en="Court staff have reviewed the business licence of %(name)s and did not accept "
        "it: %(reason)s",
    ),
)
