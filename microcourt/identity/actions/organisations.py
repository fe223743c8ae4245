"""Organisations (单位): a legal person acts through its legal representative's own verified
account and the employees that representative authorises; a registration OCR could not
confirm is decided by court staff."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc as uscc_number

from microcourt.assist import idcard
from microcourt.core import uploads
from microcourt.core.actor import Actor
from microcourt.core.errors import InvalidInput, NotFound
from microcourt.notifications import actions as notifications

from .. import policies
from ..events import LedgerEvent
from ..models import Organisation, OrgMembership, User
from ..states import ORGANISATION
from ..validators import clean_name
from .verifications import MAX_IMAGE_BYTES, record_about


def validate_uscc(value: str, *, field: str = "uscc") -> str:
    compact = (value or "").strip().upper()
    try:
        return uscc_number.validate(compact)
    except Exception:
        raise InvalidInput(
            _("统一社会信用代码不正确"), fields={field: _("请核对18位统一社会信用代码")}
        ) from None


@transaction.atomic
def organisation_register(*, user: User, name: str, uscc: str, licence_image) -> Organisation:
    """The legal representative registers the organisation with the business licence.
    The licence is read by OCR; code, name and representative must agree with what was
    typed and with the representative's own verified name, or it goes to staff review."""
    policies.require_verified(user)
    code = validate_uscc(uscc)
    name = clean_name(name, max_length=200, missing=_("请填写单位名称"))
    if Organisation.objects.filter(uscc=code).exists():
        raise InvalidInput(_("该单位已认证"), fields={"uscc": _("该统一社会信用代码已被认证")})
    stored = uploads.accept(
        licence_image,
        field="licence_image",
        allowed=uploads.IMAGES,
        max_bytes=MAX_IMAGE_BYTES,
        prefix="identity/licences",
    )
    read = idcard.read_business_licence(
        uploads.read_stored(stored.path, max_bytes=MAX_IMAGE_BYTES, field="licence_image")
    )
    representative = user.real_name.name
    problems = []
    if read.uscc and read.uscc != code:
        problems.append("code differs from the licence")
    if read.name and read.name != name.strip():
        problems.append("name differs from the licence")
    if read.legal_representative and read.legal_representative != representative:
        problems.append("the licence names another legal representative")
    if not read.uscc:
        problems.append("the licence could not be read")
    organisation = Organisation.objects.create(
        name=name.strip(),
        uscc=code,
        legal_representative_name=read.legal_representative or representative,
        address=read.address,
        licence=stored.__dict__,
        status=Organisation.Status.PENDING if problems else Organisation.Status.VERIFIED,
        reason="; ".join(problems),
    )
    OrgMembership.objects.create(
        organisation=organisation, user=user, role=OrgMembership.Role.LEGAL_REPRESENTATIVE
    )
    record_about(
        LedgerEvent.ORGANISATION_REGISTERED,
        Actor.citizen(user),
        user,
        {"organisation_id": organisation.pk, "status": organisation.status},
    )
    return organisation


@transaction.atomic
def organisation_authorise_employee(
    *, organisation: Organisation, actor: Actor, employee: User
) -> OrgMembership:
    """Only the verified organisation's legal representative authorises employees, who
    must be verified (``policies.require_authorise_employee``)."""
    policies.require_authorise_employee(actor, organisation)
    policies.require_verified(employee)
    membership, _created = OrgMembership.objects.update_or_create(
        organisation=organisation,
        user=employee,
        defaults={
            "role": OrgMembership.Role.AUTHORISED_EMPLOYEE,
            "authorised_by": actor.user,
            "active": True,
        },
    )
    record_about(
        LedgerEvent.ORGANISATION_MEMBER_AUTHORISED,
        actor,
        employee,
        {"organisation_id": organisation.pk},
    )
    return membership


@transaction.atomic
def organisation_review(
    *, organisation_id: int, actor: Actor, approve: bool, reason: str = ""
) -> Organisation:
    """A registration whose licence OCR could not confirm (or that named someone else) is
    decided by a court employee at their court, never by its own representative; the
    representative is told, with the reason of a rejection."""
    policies.require_reviewer(actor)
    organisation = (
        Organisation.objects.select_for_update()
        .filter(pk=organisation_id, status=Organisation.Status.PENDING)
        .first()
    )
    if organisation is None:
        raise NotFound(_("没有找到待审核的单位认证"))
    actor = policies.require_review(actor, organisation)
    reason = reason.strip()
    if not approve and not reason:
        raise InvalidInput(_("驳回须说明理由"), fields={"reason": _("请填写驳回理由")})
    ORGANISATION.apply(
        organisation,
        "approve" if approve else "reject",
        actor=actor,
        note=reason,
        updates={"reason": reason[:300] or organisation.reason},
    )
    representative = organisation.members.filter(
        role=OrgMembership.Role.LEGAL_REPRESENTATIVE, active=True
    ).first()
    if representative is not None:
        notifications.notify(
            recipient=representative.user,
            event="identity.organisation_approved" if approve else "identity.organisation_rejected",
            params={"name": organisation.name, **({} if approve else {"reason": reason})},
            url="/accounts/me/",
            idempotency_key=f"identity.organisation_reviewed:{organisation.pk}",
        )
    return organisation
