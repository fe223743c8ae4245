"""送达 actions: address confirmation, serving, opening, settling, postal and public-notice
service, and the service certificate. Nothing is marked served that was not: a service
becomes effective only through ``service_settle`` from recorded facts (receipts.effect_of),
a postal signature, or the end of a public notice."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from microcourt.cases import actions as case_actions
from microcourt.cases.models import PARTY_ROLES, Case, CaseParticipant, Stage
from microcourt.cases.selectors import viewer_of
from microcourt.core import uploads
from microcourt.core.actor import Actor
from microcourt.core.effects import on_commit
from microcourt.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from microcourt.filing import invitations as filing_invitations
from microcourt.identity import phones
from microcourt.ledger import actions as ledger
from microcourt.notifications import actions as notifications
from microcourt.notifications import selectors as notification_selectors
from microcourt.notifications.models import Status as NotificationStatus

from . import receipts, selectors
from .events import LedgerEvent
from .models import (
    CONSENT_REQUIRED,
    AddressConfirmation,
    Basis,
    Channel,
    ConfirmationMethod,
    Delivery,
    DocumentKind,
    Method,
    ServedDocument,
    Service,
    Status,
)

# 民事诉讼法第九十五条: deemed served thirty days after the notice is published.
NOTICE_PERIOD = dt.timedelta(days=30)
EVENT = "service.served"
# The notification channel each service channel goes out on.
NOTIFY_CHANNEL = {
    Channel.PLATFORM: "inapp",
    Channel.SMS: "sms",
    Channel.EMAIL: "email",
    Channel.WECHAT: "wechat",
}
TRACKING = re.compile(r"^(?:[A-Z]{2}\d{9}[A-Z]{2}|\d{10,20})$")


@dataclass(frozen=True)
class Doc:
    """A document to serve, already stored content-addressed."""

    title: str
    kind: str
    path: str
    sha256: str
    mime: str
    size: int


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def link_url(token: str) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("service:link", args=[token])


def _court_only(actor: Actor, case: Case) -> None:
    if not viewer_of(actor, case).court:
        raise Forbidden(_("只有本案的法院工作人员可以送达文书"))


def _recipient(case: Case, recipient_id) -> CaseParticipant:
    found = CaseParticipant.objects.filter(
        case=case, pk=_int(recipient_id, "recipients"), role__in=PARTY_ROLES, active=True
    ).first()
    if found is None:
        raise InvalidInput(
            _("受送达人不是本案当事人"), fields={"recipients": _("请从本案当事人中选择受送达人")}
        )
    return found


def _int(value, field: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidInput(_("输入有误"), fields={field: _("请选择有效的一项")}) from None


# ---------------------------------------------------------------------------------------
# Documents


def document_upload(*, upload, title: str, kind: str) -> Doc:
    """A PDF the court uploads to serve (a judgment, a summons …), sniffed and stored."""
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise InvalidInput(_("请填写文书名称"), fields={"title": _("请填写文书名称（200字以内）")})
    if kind not in DocumentKind.values:
        raise InvalidInput(_("请选择文书种类"), fields={"kind": _("请选择文书种类")})
    data = uploads.read_limited(upload, field="file", max_bytes=settings.FILING_MAX_UPLOAD_BYTES)
    mime = uploads.sniff(data, field="file", allowed=frozenset({"application/pdf"}))
    stored = uploads.store(data, mime=mime, prefix="service")
    return Doc(title, kind, stored.path, stored.sha256, mime, stored.size)


def document_of_case(*, case: Case, key: str, kind: str = "") -> Doc:
    """One of the case's own documents (the complaint — served as its copy — or the
    court's notices), served as its own kind unless the clerk says otherwise."""
    for item in selectors.documents_to_serve(case):
        if item["key"] == key:
            title = item["title"].removesuffix(".pdf")
            kind = kind or item["serve_kind"]
            if kind not in DocumentKind.values:
                raise InvalidInput(_("请选择文书种类"), fields={"kind": _("请选择文书种类")})
            if item["serve_kind"] == DocumentKind.COMPLAINT_COPY and not title.endswith("副本"):
                title = f"{title}副本"
            return Doc(title, kind, item["path"], item["sha256"], item["mime"], item["size"])
    raise InvalidInput(_("请选择要送达的文书"), fields={"documents": _("该文书不属于本案")})


# ---------------------------------------------------------------------------------------
# 送达地址确认书


@transaction.atomic
def address_confirm(
    *,
    case: Case,
    participant: CaseParticipant,
    actor: Actor,
    channels: list[str],
    phone: str = "",
    email: str = "",
    postal_address: str = "",
    postal_recipient: str = "",
    consent: bool = True,
    includes_judgments: bool = False,
    method: str = ConfirmationMethod.ONLINE,
) -> AddressConfirmation:
    """送达地址确认书 (在线诉讼规则第二十九条、第三十条): the party states whether it accepts
    electronic service, on which channels and addresses, and whether that covers judgments,
    rulings and 调解书 (民诉法第九十条). Online, the party states it itself, and a mobile
    number must be one it has verified; the court records a statement made by phone or in
    writing."""
    viewer = viewer_of(actor, case)
    own = participant.pk in viewer.party_ids
    if method == ConfirmationMethod.ONLINE and not own:
        raise NotFound(_("没有找到该当事人"))
    if method in (ConfirmationMethod.PHONE, ConfirmationMethod.WRITTEN) and not viewer.court:
        raise Forbidden(_("电话或书面确认由法院工作人员记录"))
    if method not in ConfirmationMethod.values or method == ConfirmationMethod.PLEADING:
        raise InvalidInput(_("确认方式有误"), fields={"method": _("请选择确认方式")})
    channels = list(dict.fromkeys(channels or []))
    fields = {}
    if set(channels) - set(Channel.values):
        fields["channels"] = _("请选择有效的送达方式")
    if consent and not channels:
        fields["channels"] = _("同意电子送达时，请至少选择一种送达方式")
    user = participant.user
    if consent and Channel.PLATFORM in channels and user is None:
        fields["channels"] = _("该当事人尚未注册平台账号，不能选择平台送达")
    if consent and Channel.WECHAT in channels and user is None:
        fields["channels"] = _("该当事人尚未绑定微信，不能选择微信送达")
    if consent and Channel.SMS in channels:
        try:
            phone = phones.normalise(phone)
        except Exception:
            fields["phone"] = _("请填写正确的手机号码")
        else:
            if method == ConfirmationMethod.ONLINE and not (
                actor.user and actor.user.phone == phone and actor.user.phone_verified
            ):
                fields["phone"] = _("该手机号未经验证：请填写您登录时验证过的手机号码")
    else:
        phone = ""
    if consent and Channel.EMAIL in channels:
        try:
            validate_email(email)
        except Exception:
            fields["email"] = _("请填写正确的电子邮箱")
    else:
        email = ""
    postal_address = (postal_address or "").strip()
    if not postal_address:
        fields["postal_address"] = _("请填写邮寄地址（需要纸质文书时使用）")
    elif len(postal_address) > 300:
        fields["postal_address"] = _("地址过长")
    if fields:
        raise InvalidInput(_("送达地址确认书填写有误"), fields=fields)
    row = AddressConfirmation.objects.create(
        case=case,
        participant=participant,
        confirmed_by=actor.user,
        method=method,
        consent=bool(consent),
        channels=channels if consent else [],
        phone=phone,
        email=email,
        postal_address=postal_address,
        postal_recipient=(postal_recipient or participant.display_name)[:100],
        includes_judgments=bool(consent and includes_judgments),
    )
    case_actions.consent_record(
        participant=participant,
        stage=Stage.SERVICE,
        online=bool(consent),
        actor=actor,
        source={"online": "platform", "phone": "phone", "written": "written"}[method],
    )
    ledger.record(
        code=LedgerEvent.ADDRESS_CONFIRMED,
        actor=actor,
        case_id=case.pk,
        data={
            "confirmation": row.pk,
            "participant": participant.pk,
            "consent": row.consent,
            "channels": row.channels,
            "includes_judgments": row.includes_judgments,
            "method": method,
        },
    )
    return row


# ---------------------------------------------------------------------------------------
# Serving


def _digest(docs: list[Doc]) -> str:
    """The subject of a service entry: the documents served, in order."""
    return ledger.digest_of(d.sha256.encode() for d in docs)


def _new_service(
    case, recipient, actor, method, docs, *, code: int, batch: str = "", data=None, **extra
) -> Service:
    """A service act with its documents and the ledger entry that records it (subject: the
    documents' digests)."""
    service = Service.objects.create(
        case=case,
        recipient=recipient,
        method=method,
        batch=batch or uuid.uuid4().hex,
        served_by=actor.user,
        **extra,
    )
    ServedDocument.objects.bulk_create(
        ServedDocument(
            service=service,
            title=d.title,
            kind=d.kind,
            path=d.path,
            sha256=d.sha256,
            mime=d.mime,
            size=d.size,
            position=i,
        )
        for i, d in enumerate(docs)
    )
    ledger.record(
        code=code,
        actor=actor,
        case_id=case.pk,
        subject_digest=_digest(docs),
        data={
            "service": service.pk,
            "recipient": recipient.pk,
            "method": method,
            "documents": [d.sha256 for d in docs],
            **(data or {}),
        },
    )
    return service


def _check_documents(docs: list[Doc]) -> None:
    if not docs:
        raise InvalidInput(_("请选择要送达的文书"), fields={"documents": _("请至少选择一份文书")})


@transaction.atomic
def service_serve(
    *, case: Case, actor: Actor, recipient_ids: list, documents: list[Doc]
) -> list[Service]:
    """Serve the documents electronically on each recipient, on all their addresses at once
    (在线诉讼规则第二十九条至第三十一条). Judgments, rulings and 调解书 only to a party who
    expressly agreed (民诉法第九十条; 流程公开规定第十四条). Every recipient is checked
    before anything is sent: one bad recipient and nobody is served."""
    _court_only(actor, case)
    _check_documents(documents)
    if not recipient_ids:
        raise InvalidInput(_("请选择受送达人"), fields={"recipients": _("请至少选择一位受送达人")})
    if case.status in ("closed", "withdrawn"):
        raise Conflict(_("案件已结束，不能再送达"))
    plan = []
    needs_consent = any(d.kind in CONSENT_REQUIRED for d in documents)
    for recipient_id in dict.fromkeys(recipient_ids):
        recipient = _recipient(case, recipient_id)
        addresses = selectors.addresses_for(recipient)
        if not addresses:
            raise InvalidInput(
                _("无法电子送达"),
                fields={
                    "recipients": _(
                        "%(name)s没有可用的电子送达地址（或不同意电子送达），请邮寄送达或公告送达"
                    )
                    % {"name": recipient.display_name}
                },
            )
        confirmation = selectors.confirmation_of(recipient)
        if needs_consent and not (confirmation and confirmation.includes_judgments):
            raise InvalidInput(
                _("裁判文书须经同意方可电子送达"),
                fields={
                    "documents": _(
                        "判决书、裁定书、调解书须经%(name)s同意方可电子送达（民事诉讼法第九十条），"
                        "请邮寄送达"
                    )
                    % {"name": recipient.display_name}
                },
            )
        plan.append((recipient, addresses))
    batch = uuid.uuid4().hex
    now = timezone.now()
    expires = now + dt.timedelta(days=settings.SERVICE_LINK_DAYS)
    services = []
    for recipient, addresses in plan:
        token = secrets.token_urlsafe(24)
        service = _new_service(
            case,
            recipient,
            actor,
            Method.ELECTRONIC,
            documents,
            code=LedgerEvent.SERVED,
            batch=batch,
            data={"channels": [a.channel for a in addresses]},
            token_hash=_hash(token),
            link_expires_at=expires,
        )
        titles = "、".join(f"《{d.title}》" for d in documents)
        body = _(
            "【%(court)s】%(name)s：本院向您送达%(case)s一案（%(no)s）的%(titles)s。"
            "请点击链接，核验身份后查看：%(url)s"
        ) % {
            "court": case.court.name,
            "name": recipient.display_name,
            "case": case.cause,
            "no": case.number,
            "titles": titles,
            "url": link_url(token),
        }
        for address in addresses:
            rows = notifications.notify(
                event=EVENT,
                title=_("法院送达：%(no)s") % {"no": case.number},
                body=body,
                idempotency_key=f"service:{service.pk}",
                recipient=recipient.user,
                address=address.address,
                url=reverse("service:detail", args=[case.pk, service.pk]),
                channels=[NOTIFY_CHANNEL[address.channel]],
            )
            Delivery.objects.create(
                service=service,
                channel=address.channel,
                address=address.address,
                confirmed=address.confirmed,
                notification_id=rows[0].pk,
                # The platform inbox is the recipient's system itself.
                reached_at=now if address.channel == Channel.PLATFORM else None,
            )
        on_commit(_enqueue_settle, service.pk)
        services.append(service)
    return services


def _enqueue_settle(service_id: int) -> None:
    from .tasks import settle

    settle.enqueue(service_id)


def _enqueue_certificate(service_id: int) -> None:
    from .tasks import issue_certificate

    issue_certificate.enqueue(service_id)


def service_for_link(token: str) -> Service:
    found = (
        Service.objects.select_related("case", "recipient")
        .filter(token_hash=_hash(str(token or "")))
        .first()
    )
    if found is None:
        raise NotFound(_("链接无效，请核对短信中的链接"))
    return found


def service_open_link(*, token: str, actor: Actor) -> Service:
    """The SMS link: a valid, unexpired token, then the recipient's identity check."""
    service = service_for_link(token)
    if service.link_expires_at and timezone.now() > service.link_expires_at:
        raise Conflict(
            _("链接已过期（有效期至%(until)s）。请登录后在「我的送达」中查看文书，或联系法院。")
            % {"until": timezone.localtime(service.link_expires_at).strftime("%Y-%m-%d %H:%M")},
            code="link_expired",
        )
    return service_open(service=service, actor=actor)


@transaction.atomic
def service_open(*, service: Service, actor: Actor) -> Service:
    """The recipient opens what was served, after proving who they are: the party's own
    account or its agent's, or — for a party not yet on the platform — a verified identity
    matching the complaint (which links the account to the party). Opening is acting on the
    service (在线诉讼规则第三十一条第二款第一项)."""
    service = (
        Service.objects.select_for_update(of=("self",))
        .select_related("case", "recipient")
        .get(pk=service.pk)
    )
    viewer = viewer_of(actor, service.case)
    if service.recipient_id not in viewer.party_ids:
        if service.recipient.user_id is not None:
            raise NotFound(_("没有找到该送达记录"))
        filing_invitations.participant_link_verified(participant=service.recipient, actor=actor)
    if service.opened_at is None:
        now = timezone.now()
        Service.objects.filter(pk=service.pk).update(opened_at=now, updated_at=now)
        service.opened_at = now
        ledger.record(
            code=LedgerEvent.OPENED,
            actor=actor,
            case_id=service.case_id,
            subject_digest=_digest(_docs(service)),
            data={"service": service.pk},
        )
        platform = service.deliveries.filter(channel=Channel.PLATFORM).first()
        if platform is not None and platform.notification_id and actor.user is not None:
            notifications.notification_mark_read(
                user=actor.user, notification_id=platform.notification_id
            )
        on_commit(_enqueue_settle, service.pk)
    return service


def _docs(service: Service) -> list[Doc]:
    return [Doc(d.title, d.kind, d.path, d.sha256, d.mime, d.size) for d in service.documents.all()]


def _refresh_deliveries(service: Service) -> tuple[list[Delivery], bool]:
    """Copy what each channel reported onto the service's log; and whether every outside
    channel has failed for good."""
    deliveries = list(service.deliveries.all())
    facts = notification_selectors.delivery_facts(
        [d.notification_id for d in deliveries if d.notification_id]
    )
    failed = []
    for delivery in deliveries:
        fact = facts.get(delivery.notification_id)
        if fact is None:
            continue
        failed.append(fact["status"] == NotificationStatus.FAILED)
        label = str(NotificationStatus(fact["status"]).label)
        if fact.get("delivery_reason") or fact.get("last_error"):
            label += f"：{fact.get('delivery_reason') or fact.get('last_error')}"
        changed = {
            "reached_at": delivery.reached_at
            if delivery.channel == Channel.PLATFORM
            else fact.get("sent_at"),
            "delivered_at": fact.get("delivered_at"),
            "read_at": fact.get("read_at"),
            "outcome": label[:200],
        }
        if any(getattr(delivery, k) != v for k, v in changed.items()):
            for k, v in changed.items():
                setattr(delivery, k, v)
            delivery.save(update_fields=list(changed))
    outside = [d for d in deliveries if d.channel != Channel.PLATFORM]
    all_failed = bool(outside) and len(outside) == len(deliveries) and all(failed)
    return deliveries, all_failed


@transaction.atomic
def service_settle(*, service_id: int, now: dt.datetime | None = None) -> Service:
    """Decide from the recorded facts whether (and when) service took effect; once it has,
    the certificate is made. Run again, it changes nothing."""
    now = now or timezone.now()
    service = (
        Service.objects.select_for_update(of=("self",)).select_related("case").get(pk=service_id)
    )
    if service.status != Status.PENDING:
        return service
    effect = None
    if service.method == Method.ELECTRONIC:
        deliveries, all_failed = _refresh_deliveries(service)
        effect = receipts.effect_of(
            [
                receipts.ChannelFact(d.channel, d.confirmed, d.reached_at, d.read_at)
                for d in deliveries
            ],
            acted_at=service.opened_at,
        )
        if effect is None and all_failed:
            return _fail(service, _("所有渠道均发送失败"))
    elif service.method == Method.PUBLIC_NOTICE and service.notice_published_at:
        deemed = service.notice_published_at + NOTICE_PERIOD
        if now >= deemed:
            effect = receipts.Effect(deemed, Basis.NOTICE, "notice")
    if effect is None:
        return service
    return _take_effect(service, effect)


def _take_effect(service: Service, effect: receipts.Effect) -> Service:
    status = Status.PRESUMED if effect.presumed else Status.SERVED
    Service.objects.filter(pk=service.pk).update(
        status=status,
        effective_at=effect.at,
        basis=effect.basis,
        effective_channel=effect.channel,
        updated_at=timezone.now(),
    )
    service.status, service.effective_at, service.basis, service.effective_channel = (
        status,
        effect.at,
        effect.basis,
        effect.channel,
    )
    ledger.record(
        code=LedgerEvent.EFFECTIVE,
        actor=Actor.system(reason="service.settle"),
        case_id=service.case_id,
        subject_digest=_digest(_docs(service)),
        data={
            "service": service.pk,
            "at": effect.at.isoformat(),
            "basis": effect.basis,
            "channel": effect.channel,
        },
    )
    on_commit(_enqueue_certificate, service.pk)
    return service


def _fail(service: Service, reason: str) -> Service:
    Service.objects.filter(pk=service.pk).update(
        status=Status.FAILED, failure_reason=reason[:300], updated_at=timezone.now()
    )
    service.status, service.failure_reason = Status.FAILED, reason
    ledger.record(
        code=LedgerEvent.FAILED,
        actor=Actor.system(reason="service.settle"),
        case_id=service.case_id,
        data={"service": service.pk, "reason": reason},
    )
    if service.served_by_id:
        notifications.notify(
            event="service.failed",
            title=_("送达失败：%(no)s") % {"no": service.case.number},
            body=_("向%(name)s的送达未能完成（%(reason)s），请改用其他方式送达。")
            % {"name": service.recipient.display_name, "reason": reason},
            idempotency_key=f"service.failed:{service.pk}",
            recipient=service.served_by,
            url=reverse("service:detail", args=[service.case_id, service.pk]),
        )
    return service


def services_settle_due(*, now: dt.datetime | None = None) -> int:
    """The periodic sweep: every pending service is settled again (a receipt, a read mark
    or a public notice's thirty days may have arrived). Returns how many took effect or
    failed."""
    ids = list(selectors.unsettled().values_list("pk", flat=True)[:1000])
    settled = [service_settle(service_id=pk, now=now) for pk in ids]
    return sum(s.status != Status.PENDING for s in settled)


@transaction.atomic
def service_paper_request(*, service: Service, actor: Actor) -> Service:
    """民诉法第九十条: a party served electronically with a judgment, ruling or 调解书 may ask
    for the paper copy; the clerk sees the request on the desk."""
    service = (
        Service.objects.select_for_update(of=("self",))
        .select_related("case", "recipient")
        .get(pk=service.pk)
    )
    if service.recipient_id not in viewer_of(actor, service.case).party_ids:
        raise NotFound(_("没有找到该送达记录"))
    if service.paper_requested_at is None:
        now = timezone.now()
        Service.objects.filter(pk=service.pk).update(paper_requested_at=now, updated_at=now)
        service.paper_requested_at = now
        ledger.record(
            code=LedgerEvent.PAPER_REQUESTED,
            actor=actor,
            case_id=service.case_id,
            data={"service": service.pk},
        )
        if service.served_by_id:
            notifications.notify(
                event="service.paper_requested",
                title=_("当事人申请纸质文书：%(no)s") % {"no": service.case.number},
                body=_("%(name)s申请领取纸质文书，请安排邮寄。")
                % {"name": service.recipient.display_name},
                idempotency_key=f"service.paper:{service.pk}",
                recipient=service.served_by,
                url=reverse("service:detail", args=[service.case_id, service.pk]),
            )
    return service


# ---------------------------------------------------------------------------------------
# Postal and public-notice service


@transaction.atomic
def service_postal(
    *,
    case: Case,
    actor: Actor,
    recipient_id,
    documents: list[Doc],
    carrier: str,
    tracking_number: str,
    address: str = "",
) -> Service:
    """邮寄送达, recorded with its tracking number; effective when signed for."""
    _court_only(actor, case)
    _check_documents(documents)
    recipient = _recipient(case, recipient_id)
    tracking_number = (tracking_number or "").strip().upper().replace(" ", "")
    fields = {}
    if not TRACKING.match(tracking_number):
        fields["tracking_number"] = _("邮件号格式不正确（如 EA123456789CN 或 10–20 位数字）")
    carrier = (carrier or "").strip() or _("中国邮政EMS")
    confirmation = selectors.confirmation_of(recipient)
    address = (address or "").strip() or (confirmation.postal_address if confirmation else "")
    if not address:
        fields["address"] = _("请填写邮寄地址")
    if fields:
        raise InvalidInput(_("邮寄送达信息有误"), fields=fields)
    return _new_service(
        case,
        recipient,
        actor,
        Method.POSTAL,
        documents,
        code=LedgerEvent.POSTAL_SENT,
        data={"tracking": tracking_number},
        carrier=carrier[:50],
        tracking_number=tracking_number,
        postal_address=address,
    )


@transaction.atomic
def service_postal_result(
    *, service: Service, actor: Actor, signed: bool, at: dt.datetime, reason: str = ""
) -> Service:
    """The post office's answer: signed for (effective that day) or returned (failed)."""
    service = (
        Service.objects.select_for_update(of=("self",)).select_related("case").get(pk=service.pk)
    )
    _court_only(actor, service.case)
    if service.method != Method.POSTAL:
        raise Conflict(_("这不是邮寄送达"))
    if service.status != Status.PENDING:
        raise Conflict(_("该邮件的结果已经登记"))
    if at is None or at > timezone.now() or at < service.created_at:
        raise InvalidInput(_("签收或退回时间有误"), fields={"at": _("时间须在寄出之后、现在之前")})
    if signed:
        ledger.record(
            code=LedgerEvent.POSTAL_SIGNED,
            actor=actor,
            case_id=service.case_id,
            data={"service": service.pk, "at": at.isoformat()},
        )
        return _take_effect(service, receipts.Effect(at, Basis.POSTAL, "postal"))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("请填写退回原因"), fields={"reason": _("请填写退回原因")})
    ledger.record(
        code=LedgerEvent.POSTAL_RETURNED,
        actor=actor,
        case_id=service.case_id,
        data={"service": service.pk, "at": at.isoformat(), "reason": reason[:300]},
    )
    return _fail(service, _("邮件退回：%(reason)s") % {"reason": reason})


@transaction.atomic
def service_public_notice(
    *, case: Case, actor: Actor, recipient_id, documents: list[Doc], text: str
) -> Service:
    """公告送达 (民诉法第九十五条): published now, deemed served thirty days later."""
    _court_only(actor, case)
    _check_documents(documents)
    recipient = _recipient(case, recipient_id)
    text = (text or "").strip()
    if len(text) < 10:
        raise InvalidInput(_("请填写公告内容"), fields={"text": _("请填写公告内容（不少于10字）")})
    now = timezone.now()
    return _new_service(
        case,
        recipient,
        actor,
        Method.PUBLIC_NOTICE,
        documents,
        code=LedgerEvent.NOTICE_PUBLISHED,
        data={"deemed": (now + NOTICE_PERIOD).isoformat()},
        notice_text=text[:5000],
        notice_published_at=now,
    )


def services_serve_by(
    *,
    case: Case,
    actor: Actor,
    method: str,
    recipient_ids: list,
    documents: list[Doc],
    carrier: str = "",
    tracking_number: str = "",
    address: str = "",
    notice_text: str = "",
) -> list[Service]:
    """Serve by the chosen method: electronically on any number of recipients; by post or
    public notice on one at a time (each letter and each notice names one person)."""
    if method == Method.ELECTRONIC:
        return service_serve(
            case=case, actor=actor, recipient_ids=recipient_ids, documents=documents
        )
    if method not in (Method.POSTAL, Method.PUBLIC_NOTICE):
        raise InvalidInput(_("请选择送达方式"), fields={"method": _("请选择送达方式")})
    if len(recipient_ids) != 1:
        raise InvalidInput(
            _("请选择一位受送达人"), fields={"recipients": _("邮寄和公告送达每次一位受送达人")}
        )
    if method == Method.POSTAL:
        return [
            service_postal(
                case=case, actor=actor, recipient_id=recipient_ids[0], documents=documents,
                carrier=carrier, tracking_number=tracking_number, address=address,
            )
        ]  # fmt: skip
    return [
        service_public_notice(
            case=case, actor=actor, recipient_id=recipient_ids[0], documents=documents,
            text=notice_text,
        )
    ]  # fmt: skip


# ---------------------------------------------------------------------------------------
# 电子送达凭证


def certificate_issue(*, service_id: int) -> Service:
    """Make the service certificate once service took effect: the documents and their
    digests, the channel log, the effective time and its ground, the ledger receipt; sealed
    with the court's e-seal and timestamped (在线诉讼规则第三十一条、第三十三条). Run in
    the worker; a second run returns the one already made."""
    from microcourt.signing import actions as signing

    from . import certificate

    service = Service.objects.select_related("case", "case__court", "recipient").get(pk=service_id)
    if service.certificate_path or service.status not in (Status.SERVED, Status.PRESUMED):
        return service
    pdf = certificate.render(service)
    sealed = signing.pdf_seal(
        pdf=pdf,
        court_code=service.case.court.code,
        court_name=service.case.court.name,
        reason=_("电子送达凭证"),
        actor=Actor.system(reason="service.certificate"),
        case_id=service.case_id,
        title=_("电子送达凭证"),
    )
    stored = uploads.store(sealed.pdf, mime="application/pdf", prefix="service")
    with transaction.atomic():
        updated = Service.objects.filter(pk=service.pk, certificate_path="").update(
            certificate_path=stored.path,
            certificate_sha256=stored.sha256,
            updated_at=timezone.now(),
        )
        if updated:
            ledger.record(
                code=LedgerEvent.CERTIFICATE,
                actor=Actor.system(reason="service.certificate"),
                case_id=service.case_id,
                subject_digest=stored.digest,
                data={"service": service.pk},
            )
    service.refresh_from_db()
    return service


@transaction.atomic
def service_receipt_request(*, service: Service, actor: Actor):
    """The recipient signs the 送达回证 (在线诉讼规则第三十三条: an e-signature satisfies the
    signature on a service receipt): a PDF naming the documents and when they were opened,
    signed with a handwritten signature after a fresh face check (signing app). Asking
    again returns the same request."""
    from microcourt.signing import actions as signing

    from . import certificate

    service = (
        Service.objects.select_for_update(of=("self",))
        .select_related("case", "case__court", "recipient", "receipt_request")
        .get(pk=service.pk)
    )
    if service.recipient_id not in viewer_of(actor, service.case).party_ids:
        raise NotFound(_("没有找到该送达记录"))
    if service.opened_at is None:
        raise Conflict(_("请先核验身份并查看文书，再签署送达回证"), code="not_opened")
    existing = service.receipt_request
    if existing is not None and existing.status != "cancelled":
        return existing
    request = signing.signature_request_create(
        pdf=certificate.render_receipt(service),
        title=_("送达回证"),
        purpose="signature",
        signer=actor.user,
        case_id=service.case_id,
        actor=actor,
    )
    Service.objects.filter(pk=service.pk).update(receipt_request=request, updated_at=timezone.now())
    return request


def services_serve_cases(
    *, user, case_ids: list, document: str, recipients: str = "other_side"
) -> tuple[list[Service], dict[str, str]]:
    """Batch serving across cases (a clerk's morning): the same kind of document — each
    case's own copy — on the chosen recipients of every ticked case. Each case is served in
    its own transaction; a case that cannot be served is reported by its 案号 and the
    others go ahead."""
    from microcourt.cases import selectors as case_selectors

    if document not in selectors.BATCH_DOCUMENTS:
        raise InvalidInput(_("请选择要送达的文书"), fields={"document": _("请选择文书种类")})
    if recipients not in ("other_side", "all"):
        raise InvalidInput(_("请选择受送达人"), fields={"recipients": _("请选择受送达人")})
    ids = {_int(i, "cases") for i in case_ids}
    if not ids:
        raise InvalidInput(_("请选择案件"), fields={"cases": _("请至少选择一件案件")})
    cases = list(selectors.batch_cases(user).filter(pk__in=ids))
    if len(cases) != len(ids):
        raise InvalidInput(_("请选择案件"), fields={"cases": _("只能选择本院正在审理的案件")})
    served, problems = [], {}
    for case in cases:
        actor = case_selectors.acting_as(user, case, viewer_of(Actor.citizen(user), case))
        found = selectors.batch_document(case, document)
        people = [
            p.pk
            for p in selectors.recipients(case)
            if recipients == "all" or p.role in selectors.OTHER_SIDE
        ]
        try:
            if found is None:
                raise InvalidInput(_("本案没有这份文书"))
            if not people:
                raise InvalidInput(_("本案没有这样的受送达人"))
            served += service_serve(
                case=case,
                actor=actor,
                recipient_ids=people,
                documents=[document_of_case(case=case, key=found["key"])],
            )
        except (InvalidInput, Forbidden, Conflict) as exc:
            detail = "；".join(str(v) for v in exc.fields.values()) or str(exc.message)
            problems[case.number] = detail
    return served, problems
