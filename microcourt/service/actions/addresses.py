"""送达地址确认书: a party's statement of where it accepts service."""

from __future__ import annotations

from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from microcourt.cases import actions as case_actions
from microcourt.cases import policies as case_policies
from microcourt.cases.models import Case, CaseParticipant, Stage
from microcourt.core.actor import Actor
from microcourt.core.errors import InvalidInput
from microcourt.identity import phones
from microcourt.ledger import actions as ledger

from .. import policies
from ..events import LedgerEvent
from ..models import AddressConfirmation, Channel, ConfirmationMethod


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
    writing (``policies.require_confirm_address``)."""
    policies.require_confirm_address(actor, case, participant, method)
    actor = case_policies.on_case(actor, case)
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
