"""What each notification says, per event: the registry every ``notify(event=…)`` resolves.

An event has a category (what a person may switch off, channel by channel, on
/notifications/preferences/), whether the law requires it to reach the person (then the
switches do not apply), its title and body in Chinese and English (named ``%(param)s``;
the Chinese through gettext, its text the message id; the English beside it in
``title_en``/``body_en``, or else from the catalogue) and the keys under which
the outside gateways know it: Chinese SMS gateways and WeChat subscription messages only
carry templates approved in advance, so each event maps to an approved SMS template code
(``NOTIFICATIONS_ALIYUN_TEMPLATES``) and a WeChat template (``NOTIFICATIONS_WECHAT_TEMPLATES``)
filled from the same params.

Another app registers its own events where it names them (its ``events.py``)::

    from microcourt.notifications import templates as notification_templates

    SERVED = "service.served"
    notification_templates.register(
        notification_templates.Event(
            name=SERVED,
            category="legal",
            title=_("送达通知"),
            body=_("%(case_number)s：法院向您送达了%(document_title)s，请点击查看：%(url)s"),
            params=("case_number", "document_title", "url"),
        )
    )

This table is the one source of what a notification says: ``notify()`` takes the event and
its params, never a text. A registration replaces an earlier one of the same name. Where a
name is not registered, ``lookup`` answers a prefix rule (``identity.*``) or, failing that,
an event of the "general" category without text, which ``notify`` refuses (``ValueError``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Category:
    """What a person switches on or off, per channel (in-app always stays on: it is the
    record of what was said)."""

    code: str
    label: Promise | str
    mandatory: bool = False
    # Why the switches are locked (shown on the preferences page).
    reason: Promise | str = ""


@dataclass(frozen=True)
class Event:
    name: str
    category: str
    title: Promise | str = ""
    body: Promise | str = ""
    # The English text, written beside the Chinese so each event carries both languages;
    # when empty, English comes from the catalogue (the Chinese is the message id).
    title_en: str = ""
    body_en: str = ""
    # None: as the category says. True for a notice the law requires whatever the category.
    mandatory: bool | None = None
    # The params the templates use; notify(params=…) must give at least these.
    params: tuple[str, ...] = ()
    # Keys of the approved gateway templates; empty: the event's name.
    sms_template: str = ""
    wechat_template: str = ""
    # A prefix rule ("identity.*") rather than one event.
    prefix: bool = field(default=False, compare=False)

    @property
    def is_mandatory(self) -> bool:
        if self.mandatory is not None:
            return self.mandatory
        category = CATEGORIES.get(self.category)
        return bool(category and category.mandatory)

    @property
    def sms_key(self) -> str:
        return self.sms_template or self.name

    @property
    def wechat_key(self) -> str:
        return self.wechat_template or self.name

    def render(self, params: Mapping[str, Any], language: str) -> tuple[str, str]:
        """Title and body in ``language``. A missing param is the caller's mistake and is
        raised here, inside its transaction, rather than sent as a broken message."""
        if not self.title or not self.body:
            raise ValueError(f"event {self.name!r} has no text: register its templates")
        missing = [name for name in self.params if name not in params]
        if missing:
            raise ValueError(f"event {self.name!r} needs params {missing}")
        title, body = self.title, self.body
        if self.title_en and self.body_en and not language.startswith("zh"):
            title, body = self.title_en, self.body_en
        with translation.override(language):
            try:
                return str(title) % params, str(body) % params
            except KeyError as exc:
                raise ValueError(f"event {self.name!r} needs param {exc.args[0]!r}") from None


def clean_params(params: Mapping[str, Any] | None) -> dict[str, Any]:
    """Params as stored on the outbox row (JSON) and sent to gateways: text, numbers and
    booleans as they are; dates in Asia/Shanghai; everything else as its text."""
    cleaned: dict[str, Any] = {}
    for key, value in (params or {}).items():
        if value is None or isinstance(value, bool | int | float | str):
            cleaned[key] = value
        elif isinstance(value, dt.datetime):
            local = timezone.localtime(value) if timezone.is_aware(value) else value
            cleaned[key] = local.strftime("%Y-%m-%d %H:%M")
        elif isinstance(value, dt.date):
            cleaned[key] = value.isoformat()
        elif isinstance(value, Decimal):
            cleaned[key] = str(value)
        else:
            cleaned[key] = str(value)
    return cleaned


def text_of(
    event: str, params: Mapping[str, Any] | None, language: str | None = None
) -> tuple[str, str] | None:
    """A stored message's title and body rendered again from its event and params in
    ``language`` (default: the active one), so a message reads in the reader's language
    when shown, whatever language it was written in. None when the event has no text any
    more or its params no longer fit: the caller then shows the stored text."""
    if not is_registered(event):
        return None
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        # A param that is one of the interface's own words (a fee's kind, "案件受理费", as
        # the caller's language gave it) is said in the reader's; data (names, numbers,
        # case numbers) is not in the catalogue and stays as it is.
        params = {
            k: translation.gettext(v) if isinstance(v, str) and v else v
            for k, v in (params or {}).items()
        }
    try:
        title, body = lookup(event).render(params, language)
    except (ValueError, TypeError):
        return None
    return title[:200], body


def language_of(recipient) -> str:
    language = getattr(recipient, "preferred_language", "") or settings.LANGUAGE_CODE
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


LEGAL_REASON = _("依法必须送达的通知不能关闭")

CATEGORIES: dict[str, Category] = {}
EVENTS: dict[str, Event] = {}
_PREFIXES: dict[str, Event] = {}


def register_category(*categories: Category) -> None:
    for category in categories:
        CATEGORIES[category.code] = category


def register(*events: Event) -> None:
    """Add events to the registry (a later registration of a name replaces the earlier).
    ``Event(name="identity.*", prefix=True, …)`` covers every name starting ``identity.``
    that has no registration of its own."""
    for event in events:
        if event.category not in CATEGORIES:
            raise ValueError(f"event {event.name!r}: unknown category {event.category!r}")
        if event.prefix or event.name.endswith(".*"):
            _PREFIXES[event.name.removesuffix("*")] = event
        else:
            EVENTS[event.name] = event


def lookup(name: str) -> Event:
    event = EVENTS.get(name)
    if event is not None:
        return event
    for prefix in sorted(_PREFIXES, key=len, reverse=True):
        if name.startswith(prefix):
            return _PREFIXES[prefix]
    return Event(name=name, category="general")


def is_registered(name: str) -> bool:
    return name in EVENTS or any(name.startswith(p) for p in _PREFIXES)


register_category(
    Category("legal", _("依法送达与法定期限"), mandatory=True, reason=LEGAL_REASON),
    Category(
        "security",
        _("登录验证码与账号安全"),
        mandatory=True,
        reason=_("登录验证码和安全告警不能关闭"),
    ),
    Category("case", _("案件进展")),
    Category("space", _("案件空间消息")),
    Category("payment", _("缴费与退费")),
    Category("account", _("实名与律师认证")),
    Category("general", _("其他通知")),
)

# Every event the code base sends, with its text in Chinese and English.
register(
    # -- service of documents (送达): the service app adds its own; this one is the shape
    # it announced, so notify(event="service.served", params=…) works from its first day.
    Event(
        "service.served",
        "legal",
        title=_("送达通知"),
        body=_("%(case_number)s：法院向您送达了《%(document_title)s》，请及时查看：%(url)s"),
        params=("case_number", "document_title", "url"),
        title_en="Notice of service",
        body_en=(
            "%(case_number)s: the court has served “%(document_title)s” on you. "
            "Please view it promptly: %(url)s"
        ),
    ),
    # To the clerk who served: the service failed / a party asks for the paper copy.
    Event(
        "service.failed",
        "case",
        title=_("送达失败：%(no)s"),
        body=_("向%(name)s的送达未能完成（%(reason)s），请改用其他方式送达。"),
        params=("no", "name", "reason"),
        title_en="Service failed: %(no)s",
        body_en=(
            "Service on %(name)s could not be completed (%(reason)s). "
            "Please use another method of service."
        ),
    ),
    Event(
        "service.paper_requested",
        "case",
        title=_("当事人申请纸质文书：%(no)s"),
        body=_("%(name)s申请领取纸质文书，请安排邮寄。"),
        params=("no", "name"),
        title_en="Party requests paper documents: %(no)s",
        body_en="%(name)s has requested paper documents. Please arrange for them to be posted.",
    ),
    # A document (transcript, agreement, authorisation) waits for the person's signature.
    Event(
        "signing.requested",
        "case",
        title=_("待您签署：%(title)s"),
        body=_("请登录微法院阅读并签署《%(title)s》：%(url)s"),
        params=("title", "url"),
        title_en="Awaiting your signature: %(title)s",
        body_en="Sign in to Microcourt to read and sign “%(title)s”: %(url)s",
    ),
    Event(
        "deadline.reminder",
        "legal",
        title=_("期限提醒"),
        body=_("%(what)s的期限将于 %(deadline)s 届满，请及时办理。"),
        params=("what", "deadline"),
    ),
    # -- filing (立案) ---------------------------------------------------------------------
    Event(
        "filing.submitted",
        "case",
        title=_("立案申请已提交"),
        body=_("%(c)s已收到您的立案申请 %(n)s，将于 %(due)s 前作出是否立案的决定。"),
        params=("c", "n", "due"),
    ),
    Event(
        "filing.corrected",
        "case",
        title=_("立案申请已提交"),
        body=_("%(c)s已收到您的立案申请 %(n)s，将于 %(due)s 前作出是否立案的决定。"),
        params=("c", "n", "due"),
    ),
    # 跨域立案: handed in (or corrected) at another court's centre, to be forwarded.
    Event(
        "filing.received_cross_region",
        "case",
        title=_("立案申请已提交"),
        body=_("您的立案申请 %(n)s 已由%(r)s收取，核对身份和材料后将转交%(c)s。"),
        params=("n", "r", "c"),
    ),
    Event(
        "filing.forwarded",
        "case",
        title=_("立案申请已转交受诉法院"),
        body=_("%(r)s已将您的立案申请 %(n)s 转交%(c)s，该院将于 %(due)s 前作出是否立案的决定。"),
        params=("r", "n", "c", "due"),
    ),
    Event(
        "filing.transferred",
        "case",
        title=_("立案申请已移送"),
        body=_("您的立案申请 %(n)s 已由%(s)s移送%(t)s审查。"),
        params=("n", "s", "t"),
    ),
    # 补正 within a period the court sets (《民事诉讼法》第一百二十六条, 登记立案规定第七条).
    Event(
        "filing.correction",
        "legal",
        title=_("请补正立案材料"),
        body=_("您的立案申请 %(n)s 需要补正 %(k)s 项内容，请于 %(d)s 前一次性补正。"),
        params=("n", "k", "d"),
    ),
    # 受理 and 不予受理 must be notified to the party (《民事诉讼法》第一百二十六条).
    # The fee is told with its order (payments.order_created), not here.
    Event(
        "filing.accepted",
        "legal",
        title=_("已立案"),
        body=_("%(c)s已受理您的起诉，案号 %(no)s。"),
        params=("c", "no"),
    ),
    Event(
        "filing.rejected",
        "legal",
        title=_("立案申请不予受理"),
        body=_("%(c)s裁定对您的起诉（%(n)s）不予受理。可在裁定书送达之日起十日内上诉。"),
        params=("c", "n"),
    ),
    Event(
        "filing.deemed_withdrawn",
        "legal",
        title=_("案件按撤诉处理"),
        body=_(
            "%(no)s：您未在 %(due)s 前预交案件受理费，也未申请缓交、减交或免交，"
            "本案按撤诉处理（《诉讼费用交纳办法》第二十二条）。"
        ),
        params=("no", "due"),
    ),
    Event(
        "filing.invitation",
        "legal",
        title=_("法院案件通知"),
        body=_(
            "【%(court)s】%(name)s：您涉及的%(case)s一案（%(no)s）已立案。请于%(due)s前点击链接"
            "完成身份核验并关联案件，选择是否在线参加诉讼：%(url)s 逾期未关联的，您的诉讼"
            "活动将在线下进行。"
        ),
        params=("court", "name", "case", "no", "due", "url"),
    ),
    # -- evidence (证据, 质证) -------------------------------------------------------------
    Event(
        "evidence.submitted",
        "case",
        title=_("对方提交了新证据"),
        body=_("%(party)s 提交了证据 %(n)s：%(name)s"),
        params=("party", "n", "name"),
    ),
    Event(
        "evidence.original_required",
        "legal",
        title=_("法院要求提供证据原件"),
        body=_("请提供证据 %(n)s（%(name)s）的原件以供核对。"),
        params=("n", "name"),
    ),
    Event(
        "evidence.cross_examination_opened",
        "legal",
        title=_("请对证据发表质证意见"),
        body=_("案件 %(case)s 已开启质证，请在 %(deadline)s 前发表意见。"),
        params=("case", "deadline"),
    ),
    Event(
        "evidence.cross_examination_reminder",
        "case",
        title=_("质证期限即将届满"),
        body=_("请在 %(deadline)s 前对证据发表质证意见，逾期视为放弃。"),
        params=("deadline",),
    ),
    # -- case space (案件空间) ---------------------------------------------------------------
    Event(
        "spaces.mention",
        "space",
        title=_("%(name)s 在案件空间提到了您"),
        body=_("%(text)s"),
        params=("name", "text"),
    ),
    # 强提醒: the court requires the addressee to confirm; not something to switch off.
    Event(
        "spaces.reminder",
        "space",
        mandatory=True,
        title=_("法院强提醒：请确认已阅"),
        body=_("%(text)s"),
        params=("text",),
    ),
    Event(
        "spaces.reminder.sms",
        "space",
        mandatory=True,
        title=_("法院强提醒"),
        body=_("【微法院】%(case)s 案件空间有法院的重要消息待您确认，请登录查看。"),
        params=("case",),
    ),
    # -- fees (诉讼费用) ---------------------------------------------------------------------
    # The payment deadline: missing it means the case is deemed withdrawn (交纳办法第二十二条).
    Event(
        "payments.order_created",
        "legal",
        title=_("缴费通知"),
        body=_("请于 %(due)s 前缴纳%(what)s %(amount)s（%(words)s）。"),
        params=("due", "what", "amount", "words"),
        title_en="Fee notice",
        body_en="Please pay the %(what)s of %(amount)s (%(words)s) by %(due)s.",
    ),
    Event(
        "payments.due_reminder",
        "legal",
        mandatory=True,
        title=_("缴费期限提醒"),
        body=_(
            "%(what)s %(amount)s 须于 %(due)s 前缴纳，逾期未交又未申请缓交、减交、免交的，"
            "按撤诉处理。"
        ),
        params=("due", "what", "amount"),
        title_en="Fee payment deadline",
        body_en=(
            "The %(what)s of %(amount)s is due by %(due)s. If it is not paid and no deferral, "
            "reduction or exemption has been applied for, the case is treated as withdrawn."
        ),
    ),
    Event(
        "payments.paid",
        "payment",
        title=_("缴费成功"),
        body=_("您已缴纳%(what)s %(amount)s，电子票据可在缴费单页面下载。"),
        params=("what", "amount"),
        title_en="Fee paid",
        body_en=(
            "You have paid the %(what)s of %(amount)s. The e-receipt can be downloaded from "
            "the order page."
        ),
    ),
    Event(
        "payments.refund_requested",
        "payment",
        title=_("法院已为您办理退费"),
        body=_("%(what)s 将退还 %(amount)s（%(basis)s），款项将原路退回。"),
        params=("what", "amount", "basis"),
        title_en="The court has arranged a refund",
        body_en=(
            "%(amount)s of the %(what)s will be refunded (%(basis)s) to the account you paid from."
        ),
    ),
    Event(
        "payments.refund_succeeded",
        "payment",
        title=_("退费成功"),
        body=_("%(amount)s 已退回您的付款账户。"),
        params=("amount",),
        title_en="Refund completed",
        body_en="%(amount)s has been refunded to the account you paid from.",
    ),
    Event(
        "payments.refund_failed",
        "payment",
        title=_("退费未成功"),
        body=_("%(amount)s 退费未成功，法院工作人员将与您联系。"),
        params=("amount",),
        title_en="Refund not completed",
        body_en="The refund of %(amount)s did not go through. Court staff will contact you.",
    ),
    Event("payments.refund_pending", "payment"),
    Event("payments.refund_processing", "payment"),
    # Fee relief decided (交纳办法第四十四条至第四十九条; a refusal gives its reasons, 第四十八条).
    Event(
        "payments.relief_deferred",
        "payment",
        title=_("缓减免申请结果"),
        body=_("您的缓交申请已获批准，缴费期限延至 %(due)s。"),
        params=("due",),
        title_en="Fee relief decision",
        body_en="Your application to defer the fee is approved: it is now due by %(due)s.",
    ),
    Event(
        "payments.relief_approved",
        "payment",
        title=_("缓减免申请结果"),
        body=_("您的%(kind)s申请已获批准，应缴金额为 %(amount)s。"),
        params=("kind", "amount"),
        title_en="Fee relief decision",
        body_en="Your application for %(kind)s is approved: the amount due is now %(amount)s.",
    ),
    Event(
        "payments.relief_rejected",
        "payment",
        title=_("缓减免申请结果"),
        body=_("您的%(kind)s申请未获批准（理由：%(reason)s）。可以向院长申请复核。"),
        params=("kind", "reason"),
        title_en="Fee relief decision",
        body_en=(
            "Your application for %(kind)s is not approved (reason: %(reason)s). You may ask "
            "the court president for a review."
        ),
    ),
    Event(
        "payments.payout_sent",
        "payment",
        title=_("法院已向您付款"),
        body=_("%(amount)s 已转入您尾号 %(tail)s 的银行账户。"),
        params=("amount", "tail"),
        title_en="The court has paid you",
        body_en="%(amount)s has been transferred to your bank account ending in %(tail)s.",
    ),
    # -- other -------------------------------------------------------------------------------
    Event(
        "demo.welcome",
        "general",
        title=_("欢迎使用微法院"),
        body=_("这是演示环境。您可以网上立案、缴纳诉讼费、查看案件和消息。"),
        title_en="Welcome to Microcourt",
        body_en="This is the demo. You can file cases, pay court fees, and follow your cases "
        "and messages online.",
    ),
)

# The account and security events (log-in codes, account mail, identity checks, the ledger's
# alarm) are the second part of this table; importing it registers them.
from . import templates_account  # noqa: E402, F401
