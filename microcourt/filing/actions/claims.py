"""The claims (诉讼请求) of a filing, with their amounts when they ask for money: the fee is
reckoned on them (《诉讼费用交纳办法》第十三条)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import Actor
from microcourt.core.errors import InvalidInput, NotFound
from microcourt.core.money import parse_amount

from ..models import Filing, FilingClaim
from ._common import MAX_CLAIMS, _editable, _mine, _text, _touch


def _clean_claim(text: Any, amount: Any) -> tuple[str, Any, dict]:
    errors: dict[str, Any] = {}
    text = _text(text, max_length=500)
    if not text:
        errors["text"] = _("请填写诉讼请求")
    elif len(text) > 500:
        errors["text"] = _("每项诉讼请求不能超过500个字")
    value = None
    if amount not in (None, ""):
        try:
            value = parse_amount(amount, field="amount", allow_zero=False)
        except InvalidInput as exc:
            errors.update(exc.fields)
    return text, value, errors


@transaction.atomic
def claim_save(
    *, filing: Filing, actor: Actor, text: str, amount: Any = None, claim_id: int | None = None
) -> FilingClaim:
    """A 诉讼请求, with its amount when it asks for money (the fee is reckoned on it)."""
    filing, actor = _mine(filing, actor)
    _editable(filing)
    text, value, errors = _clean_claim(text, amount)
    if errors:
        raise InvalidInput(_("诉讼请求有误，请检查标出的项目。"), fields=errors)
    if claim_id is None:
        if filing.claims.count() >= MAX_CLAIMS:
            raise InvalidInput(
                _("诉讼请求过多"), fields={"claims": _("最多 %(n)s 项") % {"n": MAX_CLAIMS}}
            )
        claim = FilingClaim(filing=filing, position=filing.claims.count())
    else:
        claim = filing.claims.filter(pk=claim_id).first()
        if claim is None:
            raise NotFound(_("没有找到该诉讼请求"))
    claim.text, claim.amount = text, value
    claim.save()
    _touch(filing)
    return claim


@transaction.atomic
def claim_remove(*, filing: Filing, actor: Actor, claim_id: int) -> None:
    filing, actor = _mine(filing, actor)
    _editable(filing)
    deleted, _rows = filing.claims.filter(pk=claim_id).delete()
    if not deleted:
        raise NotFound(_("没有找到该诉讼请求"))
    _touch(filing)
