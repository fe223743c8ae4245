"""The applicant's draft (ARCHITECTURE §4.2): opened, saved at every wizard step, or made whole
in one request by a law firm's software. A draft is the applicant's own until submitted; every
change is saved at once, so it can be resumed on any device. Bad input raises ``InvalidInput``
naming each field and changes nothing."""

from __future__ import annotations

import json
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.cases import selectors as case_selectors
from microcourt.core.actor import Actor
from microcourt.core.errors import Conflict, InvalidInput, NotFound
from microcourt.courts import selectors as court_selectors
from microcourt.identity import selectors as identity_selectors
from microcourt.ledger import actions as ledger

from .. import policies
from ..events import LedgerEvent
from ..models import CaseKind, CauseOfAction, FilerCapacity, Filing, FilingClaim, FilingParty
from ._common import CONSENT_STAGES, MAX_CLAIMS, MAX_FACTS, MAX_PARTIES, STEPS, _editable, _mine
from .claims import _clean_claim
from .parties import _clean_party, _with_own_details


def _id(value: Any) -> int | None:
    """The row id a client sent (a number, or digits as text); None for anything else
    ("-", "²", 1.5, true), which then matches no row: refused by name, not a 500."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).strip() if isinstance(value, str) else ""
    return int(text) if text.isascii() and text.isdigit() else None


def _number() -> str:
    return f"WS{timezone.localdate():%Y%m%d}{secrets.randbelow(10**8):08d}"


@transaction.atomic
def filing_start(*, actor: Actor, kind: str = CaseKind.CIVIL_FIRST) -> Filing:
    """Open a new draft. Only a person filing for themselves or others (not the system)."""
    if actor.user is None:
        raise InvalidInput(_("请先登录"), fields={"user": _("请先登录")})
    actor = policies.on_own_account(actor)
    if kind not in CaseKind.values:
        raise InvalidInput(_("案件类型不正确"), fields={"kind": _("请选择案件类型")})
    for _attempt in range(5):
        try:
            with transaction.atomic():
                filing = Filing.objects.create(number=_number(), applicant=actor.user, kind=kind)
                break
        except IntegrityError:
            continue
    else:
        raise RuntimeError("could not allocate a filing number")
    ledger.record(
        code=LedgerEvent.DRAFT_CREATED,
        actor=actor,
        data={"filing": filing.number, "kind": kind},
    )
    return filing


def _court(code: Any, field: str):
    try:
        court = court_selectors.court(str(code or "").strip())
    except NotFound:
        raise InvalidInput(_("没有找到该法院"), fields={field: _("请从列表中选择法院")}) from None
    if not court.active:
        raise InvalidInput(_("该法院暂未开通网上立案"), fields={field: _("该法院未启用")})
    return court


@transaction.atomic
def filing_update(
    *, filing: Filing, actor: Actor, changes: dict[str, Any], version: int | None = None
) -> Filing:
    """Save one wizard step. ``version`` (when given) must be the version the user edited:
    a draft changed meanwhile on another device is not silently overwritten."""
    filing, actor = _mine(filing, actor)
    _editable(filing)
    if version is not None and str(version).strip() != str(filing.version):
        raise Conflict(_("草稿已在其他设备上修改，请刷新后再保存。"), code="stale_draft")
    errors: dict[str, Any] = {}
    updates: dict[str, Any] = {}
    known = {
        "capacity", "authorisation", "organisation", "court", "receiving_court", "kind",
        "appeal_of", "cause", "facts", "elements", "consent", "step",
    }  # fmt: skip
    for key in set(changes) - known:
        errors[key] = _("不能修改此项")
    if "capacity" in changes:
        if changes["capacity"] not in FilerCapacity.values:
            errors["capacity"] = _("请选择起诉身份")
        else:
            updates["capacity"] = changes["capacity"]
    if "authorisation" in changes:
        value = changes["authorisation"]
        if value in (None, ""):
            updates["authorisation"] = None
        else:
            found = identity_selectors.agencies_of(actor.user).filter(pk=_id(value)).first()
            if found is None:
                errors["authorisation"] = _("没有找到有效的授权委托，请先由委托人在平台上授权")
            else:
                updates["authorisation"] = found
    if "organisation" in changes:
        value = changes["organisation"]
        if value in (None, ""):
            updates["organisation"] = None
        else:
            found = identity_selectors.represented_organisations(actor.user).filter(pk=_id(value))
            if not found.exists():
                errors["organisation"] = _("您不是该单位的法定代表人，或单位尚未认证")
            else:
                updates["organisation"] = found.first()
    for field in ("court", "receiving_court"):
        if field in changes:
            value = changes[field]
            if field == "receiving_court" and value in (None, ""):
                updates[field] = None
                continue
            try:
                updates[field] = _court(value, field)
            except InvalidInput as exc:
                errors.update(exc.fields)
    if "kind" in changes:
        if changes["kind"] not in CaseKind.values:
            errors["kind"] = _("请选择案件类型")
        else:
            updates["kind"] = changes["kind"]
    if "appeal_of" in changes:
        value = str(changes["appeal_of"] or "").strip()
        if not value:
            updates["appeal_of"] = None
        else:
            case = case_selectors.cases_for(actor).filter(number=value).first()
            if case is None:
                errors["appeal_of"] = _("没有找到您参与的该案件，请核对案号")
            else:
                updates["appeal_of"] = case
    if "cause" in changes:
        value = changes["cause"]
        if value in (None, ""):
            updates["cause"] = None
        else:
            cause = (
                CauseOfAction.objects.filter(pk=_id(value), active=True).first()
                if _id(value) is not None
                else CauseOfAction.objects.filter(name=str(value), active=True).first()
            )
            if cause is None:
                errors["cause"] = _("请从列表中选择案由")
            else:
                updates["cause"] = cause
    if "facts" in changes:
        facts = str(changes["facts"] or "").strip()
        if len(facts) > MAX_FACTS:
            errors["facts"] = _("事实与理由不能超过 %(n)s 字") % {"n": MAX_FACTS}
        updates["facts"] = facts
    if "elements" in changes:
        if not isinstance(changes["elements"], dict):
            errors["elements"] = _("要素格式不正确")
        else:
            # Stored as typed; validated when the complaint is generated, so a half-filled
            # assistant is never lost.
            updates["elements"] = json.loads(json.dumps(changes["elements"], default=str))
    if "consent" in changes:
        consent = changes["consent"]
        if not isinstance(consent, dict) or not all(
            k in CONSENT_STAGES and isinstance(v, bool) for k, v in consent.items()
        ):
            errors["consent"] = _("请对每个诉讼环节选择同意或不同意在线进行")
        else:
            updates["consent"] = dict(consent)
    if "step" in changes:
        if changes["step"] not in STEPS:
            errors["step"] = _("未知的步骤")
        else:
            updates["step"] = changes["step"]
    if errors:
        raise InvalidInput(_("填写的内容有误，请检查标出的项目。"), fields=errors)
    for key, value in updates.items():
        setattr(filing, key, value)
    filing.version += 1
    filing.save(update_fields=[*updates, "version", "updated_at"])
    return filing


@transaction.atomic
def filing_create(
    *,
    actor: Actor,
    kind: str = CaseKind.CIVIL_FIRST,
    changes: dict[str, Any] | None = None,
    parties: list[dict[str, Any]] = (),
    claims: list[dict[str, Any]] = (),
) -> Filing:
    """A whole draft in one go, for a law firm's software: the same checks as the wizard's
    steps, every problem named (``parties.1.id_number``, ``claims.0.amount``), and nothing
    saved unless all of it is right."""
    filing = filing_start(actor=actor, kind=kind)
    errors: dict[str, Any] = {}
    if changes:
        try:
            filing = filing_update(filing=filing, actor=actor, changes=dict(changes))
        except InvalidInput as exc:
            errors.update(exc.fields)
    if len(parties) > MAX_PARTIES:
        errors["parties"] = _("最多 %(n)s 名") % {"n": MAX_PARTIES}
    if len(claims) > MAX_CLAIMS:
        errors["claims"] = _("最多 %(n)s 项") % {"n": MAX_CLAIMS}
    party_rows, claim_rows = [], []
    for index, party in enumerate(parties):
        data = dict(party)
        side = str(data.pop("side", ""))
        try:
            data = _with_own_details(actor, data)
        except InvalidInput as exc:
            errors.update({f"parties.{index}.{k}": v for k, v in exc.fields.items()})
            continue
        values, found = _clean_party(data, side)
        errors.update({f"parties.{index}.{k}": v for k, v in found.items()})
        user = actor.user if data.get("self") else None
        party_rows.append(
            FilingParty(filing=filing, side=side, position=index, user=user, **values)
        )
    for index, claim in enumerate(claims):
        text, amount, found = _clean_claim(claim.get("text", ""), claim.get("amount"))
        errors.update({f"claims.{index}.{k}": v for k, v in found.items()})
        claim_rows.append(FilingClaim(filing=filing, text=text, amount=amount, position=index))
    if errors:
        raise InvalidInput(_("填写的内容有误，请检查标出的项目。"), fields=errors)
    FilingParty.objects.bulk_create(party_rows)
    FilingClaim.objects.bulk_create(claim_rows)
    return filing
