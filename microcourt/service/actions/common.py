"""What the service actions share: the document to serve, the recipient lookup, one service
act with its documents and ledger entry, the outcomes the system applies through the
declared machine (``states.SERVICE``), and the tasks enqueued after commit."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from microcourt.cases.models import PARTY_ROLES, Case, CaseParticipant
from microcourt.core.actor import Actor
from microcourt.core.effects import on_commit
from microcourt.core.errors import InvalidInput
from microcourt.ledger import actions as ledger
from microcourt.notifications import actions as notifications

from .. import receipts
from ..models import ServedDocument, Service
from ..states import SERVICE

# 民事诉讼法第九十五条: deemed served thirty days after the notice is published.
NOTICE_PERIOD = dt.timedelta(days=30)
# The system applies every outcome (nobody marks a service served by hand).
SETTLER = Actor.system(reason="service.settle")


@dataclass(frozen=True)
class Doc:
    """A document to serve, already stored content-addressed."""

    title: str
    kind: str
    path: str
    sha256: str
    mime: str
    size: int


def link_url(token: str) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("service:link", args=[token])


def as_int(value, field: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidInput(_("输入有误"), fields={field: _("请选择有效的一项")}) from None


def recipient_of(case: Case, recipient_id) -> CaseParticipant:
    found = CaseParticipant.objects.filter(
        case=case, pk=as_int(recipient_id, "recipients"), role__in=PARTY_ROLES, active=True
    ).first()
    if found is None:
        raise InvalidInput(
            _("受送达人不是本案当事人"), fields={"recipients": _("请从本案当事人中选择受送达人")}
        )
    return found


def check_documents(docs: list[Doc]) -> None:
    if not docs:
        raise InvalidInput(_("请选择要送达的文书"), fields={"documents": _("请至少选择一份文书")})


def digest(docs: list[Doc]) -> str:
    """The subject of a service entry: the documents served, in order."""
    return ledger.digest_of(d.sha256.encode() for d in docs)


def docs_of(service: Service) -> list[Doc]:
    return [Doc(d.title, d.kind, d.path, d.sha256, d.mime, d.size) for d in service.documents.all()]


def new_service(
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
        subject_digest=digest(docs),
        data={
            "service": service.pk,
            "recipient": recipient.pk,
            "method": method,
            "documents": [d.sha256 for d in docs],
            **(data or {}),
        },
    )
    return service


def take_effect(service: Service, effect: receipts.Effect) -> Service:
    """The law's answer applied by the system: served, or presumed served on a read mark
    (在线诉讼规则第三十一条); then the worker makes the certificate."""
    SERVICE.apply(
        service,
        "presume" if effect.presumed else "take_effect",
        actor=SETTLER,
        updates={
            "effective_at": effect.at,
            "basis": effect.basis,
            "effective_channel": effect.channel,
        },
    )
    on_commit(enqueue_certificate, service.pk)
    return service


def fail(service: Service, reason: str) -> Service:
    """No channel can reach the recipient, or the letter came back: the clerk who served is
    told, to serve another way."""
    SERVICE.apply(service, "fail", actor=SETTLER, updates={"failure_reason": reason[:300]})
    if service.served_by_id:
        notifications.notify(
            event="service.failed",
            params={
                "no": service.case.number,
                "name": service.recipient.display_name,
                "reason": reason,
            },
            idempotency_key=f"service.failed:{service.pk}",
            recipient=service.served_by,
            url=reverse("service:detail", args=[service.case_id, service.pk]),
        )
    return service


def enqueue_settle(service_id: int) -> None:
    from ..tasks import settle

    settle.enqueue(service_id)


def enqueue_certificate(service_id: int) -> None:
    from ..tasks import issue_certificate

    issue_certificate.enqueue(service_id)
