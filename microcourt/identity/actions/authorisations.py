"""授权委托书 (民事诉讼法第六十二条): a party — a person, or an organisation through its
legal representative — appoints an agent; cases attach the authorisation they were filed
with."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from microcourt.core import uploads
from microcourt.core.actor import Actor
from microcourt.core.errors import InvalidInput

from .. import policies
from ..events import LedgerEvent
from ..models import Authorisation, Organisation, OrgMembership, User
from .verifications import MAX_IMAGE_BYTES, record_about


@transaction.atomic
def authorisation_grant(
    *,
    principal: User,
    agent: User,
    scope: str,
    powers: list[str],
    valid_from: dt.date,
    valid_until: dt.date | None = None,
    organisation: Organisation | None = None,
    case_id: int | None = None,
    document=None,
) -> Authorisation:
    """授权委托书 (民事诉讼法第六十二条): special authority must list each power."""
    policies.require_verified(principal)
    fields = {}
    if scope not in Authorisation.Scope.values:
        fields["scope"] = _("请选择一般授权或特别授权")
    unknown = set(powers) - set(Authorisation.SPECIAL_POWERS)
    if unknown:
        fields["powers"] = _("未知的授权事项：%(items)s") % {"items": "、".join(sorted(unknown))}
    if scope == Authorisation.Scope.SPECIAL and not powers:
        fields["powers"] = _("特别授权须逐项写明授权事项")
    if scope == Authorisation.Scope.GENERAL and powers:
        fields["powers"] = _("一般授权不包括特别授权事项")
    if valid_until is not None and valid_until < valid_from:
        fields["valid_until"] = _("截止日期不能早于生效日期")
    if agent.pk == principal.pk:
        fields["agent"] = _("不能委托本人")
    if (
        organisation is not None
        and not organisation.members.filter(
            user=principal, role=OrgMembership.Role.LEGAL_REPRESENTATIVE, active=True
        ).exists()
    ):
        fields["organisation"] = _("只有法定代表人可以代表单位委托")
    if fields:
        raise InvalidInput(_("授权委托信息有误"), fields=fields)
    stored = {}
    if document is not None:
        stored = uploads.accept(
            document,
            field="document",
            allowed=uploads.DOCUMENTS,
            max_bytes=MAX_IMAGE_BYTES,
            prefix="identity/authorisations",
        ).__dict__
    authorisation = Authorisation.objects.create(
        principal=principal,
        principal_organisation=organisation,
        agent=agent,
        scope=scope,
        powers=sorted(powers),
        case_id=case_id,
        document=stored,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    record_about(
        LedgerEvent.AUTHORISATION_GRANTED,
        Actor.citizen(principal),
        principal,
        {"authorisation_id": authorisation.pk, "agent_user_id": agent.pk},
    )
    return authorisation


@transaction.atomic
def authorisation_attach_case(*, authorisation: Authorisation, case_id: int) -> Authorisation:
    """The case an authorisation was used to file (the court keeps the 授权委托书 with the
    case). One given for a single case stays with that case."""
    locked = Authorisation.objects.select_for_update().get(pk=authorisation.pk)
    if locked.case_id not in (None, case_id):
        raise InvalidInput(
            _("该授权委托书已用于其他案件"), fields={"authorisation": _("请使用本案的授权委托书")}
        )
    if locked.case_id is None:
        Authorisation.objects.filter(pk=locked.pk).update(case_id=case_id)
        locked.case_id = case_id
    return locked
