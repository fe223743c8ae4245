"""电子送达凭证: the sealed certificate of a service that took effect."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from microcourt.core import uploads
from microcourt.core.actor import Actor
from microcourt.ledger import actions as ledger

from ..events import LedgerEvent
from ..models import Service, Status

CERTIFIER = Actor.system(reason="service.certificate")


def certificate_issue(*, service_id: int) -> Service:
    """Make the service certificate once service took effect: the documents and their
    digests, the channel log, the effective time and its ground, the ledger receipt; sealed
    with the court's e-seal and timestamped (在线诉讼规则第三十一条、第三十三条; 互联网法院
    规定第十七条: it has the force of a service receipt). Run in the worker; a second run
    returns the one already made."""
    from microcourt.signing import actions as signing

    from .. import certificate

    service = Service.objects.select_related("case", "case__court", "recipient").get(pk=service_id)
    if service.certificate_path or service.status not in (Status.SERVED, Status.PRESUMED):
        return service
    pdf = certificate.render(service)
    sealed = signing.pdf_seal(
        pdf=pdf,
        court_code=service.case.court.code,
        court_name=service.case.court.name,
        reason=_("电子送达凭证"),
        actor=CERTIFIER,
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
                actor=CERTIFIER,
                case_id=service.case_id,
                subject_digest=stored.digest,
                data={"service": service.pk},
            )
    service.refresh_from_db()
    return service
