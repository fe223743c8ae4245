"""The parties a filing names (民诉法第一百二十二条): validated field by field, the applicant
filing for themself named from their verified identity, personal data encrypted at rest."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import Actor
from microcourt.core.errors import InvalidInput, NotFound
from microcourt.identity import selectors as identity_selectors
from microcourt.identity import validators as identity_validators
from microcourt.identity.parties import validate_uscc
from microcourt.identity.phones import normalise as normalise_phone
from microcourt.identity.verification import validate_resident_id

from ..models import Filing, FilingParty, PartyKind, PartySide
from ._common import MAX_PARTIES, _editable, _mine, _text, _touch


def _clean_party(data: dict[str, Any], side: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Validated party fields and per-field errors (keys prefixed by the caller)."""
    errors: dict[str, Any] = {}
    out: dict[str, Any] = {}
    if side not in PartySide.values:
        errors["side"] = _("请选择诉讼地位")
    kind = data.get("kind") or PartyKind.NATURAL
    if kind not in PartyKind.values:
        errors["kind"] = _("请选择当事人类型")
    out["kind"] = kind
    try:
        out["name"] = identity_validators.clean_name(data.get("name"), max_length=200)
    except InvalidInput as exc:
        out["name"] = ""
        errors.update(exc.fields)
    claimant = side == PartySide.CLAIMANT
    id_number = _text(data.get("id_number"), max_length=18).upper()
    out["id_number"] = ""
    out["birth_date"] = None
    out["gender"] = _text(data.get("gender"), max_length=8)
    if out["gender"] not in ("", "男", "女"):
        errors["gender"] = _("性别请选择男或女")
    out["ethnicity"] = _text(data.get("ethnicity"), max_length=16)
    if kind == PartyKind.NATURAL and id_number:
        try:
            out["id_number"] = validate_resident_id(id_number, field="id_number")
            birth = out["id_number"][6:14]
            out["birth_date"] = dt.date(int(birth[:4]), int(birth[4:6]), int(birth[6:]))
            if not out["gender"]:
                out["gender"] = "男" if int(out["id_number"][16]) % 2 else "女"
        except InvalidInput as exc:
            errors.update(exc.fields)
    elif kind == PartyKind.NATURAL and claimant:
        errors["id_number"] = _("请填写原告方的公民身份号码")
    if data.get("birth_date") and out["birth_date"] is None:
        try:
            out["birth_date"] = identity_validators.clean_birth_date(data["birth_date"])
        except InvalidInput as exc:
            errors.update(exc.fields)
    uscc = _text(data.get("uscc"), max_length=18).upper()
    out["uscc"] = ""
    try:
        out["legal_representative"] = identity_validators.clean_name(
            data.get("legal_representative"),
            field="legal_representative",
            max_length=100,
            required=False,
        )
    except InvalidInput as exc:
        out["legal_representative"] = ""
        errors.update(exc.fields)
    if kind != PartyKind.NATURAL:
        if uscc:
            try:
                out["uscc"] = validate_uscc(uscc, field="uscc")
            except InvalidInput as exc:
                errors.update(exc.fields)
        elif claimant:
            errors["uscc"] = _("请填写统一社会信用代码")
        if claimant and not out["legal_representative"] and "legal_representative" not in errors:
            errors["legal_representative"] = _("请填写法定代表人或负责人")
    phone = _text(data.get("phone"), max_length=32)
    out["phone"] = ""
    if phone:
        try:
            out["phone"] = normalise_phone(phone, field="phone")
        except InvalidInput as exc:
            errors.update(exc.fields)
    elif claimant:
        errors["phone"] = _("请填写联系电话，法院将据此联系和送达")
    out["address"] = _text(data.get("address"), max_length=300)
    if not out["address"]:
        errors["address"] = (
            _("请填写住所地") if claimant else _("请填写被告方的住所或经常居住地，法院据此送达")
        )
    out["service_address"] = _text(data.get("service_address"), max_length=300) or out["address"]
    try:
        out["email"] = identity_validators.clean_email(_text(data.get("email"), max_length=254))
    except InvalidInput as exc:
        out["email"] = ""
        errors.update(exc.fields)
    confirmed = data.get("service_address_confirmed", False)
    if not isinstance(confirmed, bool):
        confirmed = str(confirmed).lower() in ("1", "true", "on", "yes")
    if claimant and not confirmed:
        errors["service_address_confirmed"] = _(
            "请阅读并确认送达地址确认书：法院向该地址和电话送达即视为送达"
        )
    out["service_address_confirmed"] = confirmed
    for key in ("address", "service_address"):
        if len(out[key]) > 300:
            errors[key] = _("地址不能超过300个字")
    return out, errors


def _with_own_details(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """``data["self"]``: the applicant names themself, from their verified identity."""
    if not data.get("self"):
        return data
    own = identity_selectors.own_party_details(actor.user)
    if own is None:
        raise InvalidInput(
            _("请先完成实名认证，再以本人身份起诉"), fields={"self": _("未实名认证")}
        )
    return {
        **{k: v for k, v in data.items() if k not in own or not own[k]},
        **{k: v for k, v in own.items() if v},
        "kind": PartyKind.NATURAL,
        "birth_date": own["birth_date"].isoformat() if own["birth_date"] else "",
    }


@transaction.atomic
def party_save(
    *, filing: Filing, actor: Actor, side: str, data: dict[str, Any], party_id: int | None = None
) -> FilingParty:
    """Add or change a party. The applicant filing for themselves is named from their
    verified identity (``data["self"]``), not from what they type."""
    filing, actor = _mine(filing, actor)
    _editable(filing)
    data = _with_own_details(actor, data)
    values, errors = _clean_party(data, side)
    if errors:
        raise InvalidInput(_("当事人信息有误，请检查标出的项目。"), fields=errors)
    if party_id is None:
        if filing.parties.count() >= MAX_PARTIES:
            raise InvalidInput(
                _("当事人过多"), fields={"parties": _("最多 %(n)s 名") % {"n": MAX_PARTIES}}
            )
        party = FilingParty(filing=filing, side=side, position=filing.parties.count())
    else:
        party = filing.parties.filter(pk=party_id).first()
        if party is None:
            raise NotFound(_("没有找到该当事人"))
        party.side = side
    for key, value in values.items():
        setattr(party, key, value)
    party.user = actor.user if data.get("self") else None
    party.save()
    _touch(filing)
    return party


@transaction.atomic
def party_remove(*, filing: Filing, actor: Actor, party_id: int) -> None:
    filing, actor = _mine(filing, actor)
    _editable(filing)
    deleted, _rows = filing.parties.filter(pk=party_id).delete()
    if not deleted:
        raise NotFound(_("没有找到该当事人"))
    _touch(filing)
